"""One article per file: title, newspaper head, metadata lines, broken lines and noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.ingest.base import Block, Document, ParseOptions, ParseResult
from archive.ingest.formats.plaintext import PlainTextParser
from archive.ingest.layout import continues, lay_out, title_from_name
from archive.ingest.paragraphs import join_two
from archive.ingest.sources import SourceFile

TEXT = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "text"


def parse_fixture(relative: str) -> ParseResult:
    path = TEXT / relative
    return PlainTextParser().parse(SourceFile.from_path(path, name=relative), ParseOptions())


def parse_lines(*lines: str, name: str = "文章.txt") -> ParseResult:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return PlainTextParser().parse(SourceFile.from_bytes(name, data), ParseOptions())


def reasons(result: ParseResult) -> list[tuple[int, str]]:
    return [(line.number, line.reason) for a in result.articles for line in a.dropped]


@pytest.fixture(scope="module")
def newspaper() -> ParseResult:
    return parse_fixture("rmrb/2019-10-08/01-03.txt")


def test_a_newspaper_file_is_one_article_whatever_its_short_lines(newspaper):
    assert len(newspaper.articles) == 1


def test_the_headline_between_kicker_and_subtitle_is_the_title(newspaper):
    article = newspaper.articles[0]
    assert article.title == "青山绿水间的“生态账”"
    assert article.subtitle == "坚持绿色发展\u3000建设美丽乡村\n——东江县推进农村人居环境整治见闻"


def test_the_byline_names_the_authors(newspaper):
    assert newspaper.articles[0].author == "李茂颖、王晓东"


def test_the_dateline_gives_month_and_day_and_the_path_the_year(newspaper):
    article = newspaper.articles[0]
    assert (article.year, article.month, article.day) == (2019, 10, 7)


def test_subheadings_stay_paragraphs_and_broken_lines_are_joined(newspaper):
    paragraphs = newspaper.articles[0].paragraphs
    assert paragraphs[1] == "核心阅读"
    assert paragraphs[3] == "会议开得短"
    assert "细颗粒物（PM2.5）年均浓度" in paragraphs[2]
    assert paragraphs[2].endswith("干劲越来越足。")
    assert len(paragraphs) == 6


def test_a_photo_credit_is_not_the_author_and_not_text(newspaper):
    article = newspaper.articles[0]
    assert "吴志坚" not in article.author
    assert all("摄" != p[-1] for p in article.paragraphs)
    assert article.paragraphs[-1] == "图为石桥村新貌。"


def test_every_line_of_the_newspaper_file_is_kept_in_the_article(newspaper):
    lines = (TEXT / "rmrb/2019-10-08/01-03.txt").read_text(encoding="utf-8").splitlines()
    kept = dict(newspaper.articles[0].source_lines)
    assert [kept[n] for n in sorted(kept)] == [line for line in lines if line.strip()]


def test_a_notice_takes_its_title_from_the_file_name_without_the_site():
    result = parse_fixture("关于做好秋冬季森林防火工作的通知-东江县人民政府网.txt")
    article = result.articles[0]
    assert article.title == "关于做好秋冬季森林防火工作的通知"
    assert article.publication == "东江县应急管理局"
    assert (article.year, article.month, article.day) == (2024, 6, 3)
    assert article.paragraphs[0] == "各乡镇人民政府，县直各有关单位："
    assert reasons(result) == []


def test_a_signature_and_date_under_a_speech_give_author_and_date():
    article = parse_fixture("speech.txt").articles[0]
    assert article.title == "在全县乡村振兴工作推进会上的讲话"
    assert article.author == "李强"
    assert (article.year, article.month, article.day) == (2023, 3, 5)
    assert article.paragraphs[-1] == "希望大家咬定目标、真抓实干，奋力开创乡村振兴工作新局面！"


def test_a_post_in_short_lines_keeps_every_line():
    article = parse_fixture("wechat-short-lines.txt").articles[0]
    assert article.title == "在新的起点上"
    assert article.paragraphs == [
        "有人问我",
        "为什么选择留在山村。",
        "我说",
        "因为这里的孩子需要老师。",
        "清晨推开窗",
        "远山披着薄雾。",
        "这就是我的答案。",
    ]


def test_a_title_keeps_its_exclamation_mark():
    article = parse_lines("奋斗正当时！", "青年干部要在基层一线经受锻炼、增长才干。").articles[0]
    assert article.title == "奋斗正当时！"


def test_a_line_left_open_by_a_link_is_joined_back():
    article = parse_lines(
        "修订后的公司法施行",
        "依据新制定的《",
        "公司法",
        "》，企业登记程序进一步简化。",
    ).articles[0]
    assert article.paragraphs == ["依据新制定的《公司法》，企业登记程序进一步简化。"]


def test_a_page_counter_glued_to_a_paragraph_is_dropped_with_its_reason():
    result = parse_lines("基层减负见实效", "2/ 4各级党组织要把这项工作抓紧抓实。", "全文完。")
    assert result.articles[0].paragraphs[0] == "各级党组织要把这项工作抓紧抓实。"
    assert reasons(result) == [(2, "页码")]


def test_running_heads_repeated_on_every_page_are_dropped():
    head = "东江日报　2024年6月3日"
    lines = ["防汛工作部署会召开", head, "第一段正文内容。", head, "第二段正文内容。", head, "完。"]
    result = parse_lines(*lines)
    assert result.articles[0].paragraphs == ["第一段正文内容。", "第二段正文内容。", "完。"]
    assert [r for _, r in reasons(result)] == ["页眉页脚（反复出现的行）"] * 3


def test_without_a_byline_the_second_short_line_is_a_heading_of_the_text():
    article = parse_lines(
        "基层减负见实效", "核心阅读", "会议少了，文件短了，干部有更多时间抓落实。"
    ).articles[0]
    assert article.title == "基层减负见实效"
    assert article.subtitle == ""
    assert article.paragraphs[0] == "核心阅读"


def test_a_file_that_starts_with_text_is_named_by_its_file_name():
    article = parse_lines(
        "会议少了，文件短了，干部有更多时间抓落实。", name="基层减负-新华网.txt"
    ).articles[0]
    assert article.title == "基层减负"


def test_a_file_named_by_numbers_only_takes_its_first_sentence_as_title():
    article = parse_lines(
        "会议少了，文件短了，干部有更多时间抓落实。", name="20191008-01-02.txt"
    ).articles[0]
    assert article.title == "会议少了，文件短了，干部有更多时间抓落实"


@pytest.mark.parametrize(
    ("previous", "following", "expected"),
    [
        ("依据《", "公司法", True),
        ("细颗粒物（PM", "2.5", True),
        ("他说", "，这是好事。", True),
        ("核心阅读", "会议开得短，文件发得少。", False),
        ("群众获得感明显增强。", "村里的老支书说", False),
        ("过去三年，东江县把农村人居环境整治作为乡村振兴的第一场", "硬仗。", True),
    ],
)
def test_continues_tells_a_broken_line_from_a_new_paragraph(previous, following, expected):
    assert continues(previous, following, soft_breaks=False) is expected


def test_latin_words_broken_over_lines_get_one_space_and_subscripts_none():
    assert join_two("the State", "Council") == "the State Council"
    assert join_two("CO", "2") == "CO2"
    assert join_two("第一", "段") == "第一段"


def test_title_from_name_drops_folders_extension_and_site():
    assert title_from_name("2024/报道/乡村振兴观察_人民网.md") == "乡村振兴观察"
    assert title_from_name("20191008-01-02.txt") == ""


def test_a_format_title_is_kept_and_its_echo_at_the_top_is_not_text():
    document = Document(
        blocks=[
            Block(1, "乡村振兴观察", "paragraph"),
            Block(2, "作者：张三（东江县委党校）", "paragraph"),
            Block(3, "正文第一段。", "paragraph"),
        ],
        title="乡村振兴观察",
    )
    result = lay_out(document, SourceFile.from_bytes("a.md", b""), ParseOptions())
    article = result.articles[0]
    assert (article.title, article.author, article.paragraphs) == (
        "乡村振兴观察",
        "张三",
        ["正文第一段。"],
    )


def test_a_heading_block_is_stored_as_a_marked_heading():
    document = Document(
        blocks=[Block(1, "一年来的工作", "heading", 2), Block(2, "正文。", "paragraph")],
        title="报告",
    )
    result = lay_out(document, SourceFile.from_bytes("a.md", b""), ParseOptions())
    assert result.articles[0].paragraphs == ["### 一年来的工作", "正文。"]


def test_a_wechat_post_loses_its_buttons_and_keeps_its_date_and_source():
    result = parse_fixture("wechat-post.txt")
    article = result.articles[0]
    # No title line, and a file name without words: the first sentence, cut short.
    assert article.title == "今年以来，我县持续推进“清廉村居”建设，把监督触角延伸到群众身边"[:40]
    assert (article.year, article.month, article.day) == (2024, 6, 3)
    assert article.publication == "东江县纪委监委"
    assert article.paragraphs == [
        "今年以来，我县持续推进“清廉村居”建设，把监督触角延伸到群众身边。",
        "村务公开栏、微信群、“码上监督”平台同步上线，群众动动手指就能反映问题。",
    ]
    assert [r for _, r in reasons(result)] == [
        "网页计数、编辑等信息",
        "网页计数、编辑等信息",
        "网页或公众号的按钮、导航",
        "网页或公众号的按钮、导航",
        "网页或公众号的按钮、导航",
        "网页或公众号的按钮、导航",
    ]


def test_labelled_head_lines_give_title_subtitle_author_and_date():
    article = parse_fixture("crawler-labelled.txt").articles[0]
    assert article.title == "让文化遗产在新时代焕发光彩"
    assert article.subtitle == "——东江县非遗保护传承工作综述"
    assert article.author == "陈静"
    assert (article.year, article.month, article.day) == (2021, 6, 12)
    assert article.paragraphs[0].startswith("东江县现有各级非物质文化遗产")
    assert len(article.paragraphs) == 2


def test_a_paper_gives_author_abstract_and_keywords_and_its_unit_is_not_text():
    article = parse_fixture("paper.txt").articles[0]
    assert article.title == "新时代基层党组织组织力提升路径研究"
    assert article.author == "周明"
    assert article.abstract.startswith("提升组织力是新时代基层党组织建设的重点任务。")
    assert article.keywords == ["基层党组织", "组织力", "路径"]
    assert article.paragraphs[0] == "一、问题的提出"
    assert len(article.paragraphs) == 4


def test_a_paper_saved_from_a_document_site_reads_its_source_run():
    result = parse_fixture("paper-inline-source.txt")
    article = result.articles[0]
    assert (article.author, article.publication) == ("杨小红", "商情")
    assert (article.issue_label, article.issue_number, article.year) == ("2020年第36期", 36, 2020)
    assert article.abstract == "党支部是党的基层组织。"
    assert article.keywords == ["基层党组织", "战斗堡垒", "作用"]
    assert article.paragraphs == [
        "一、什么是战斗堡垒作用",
        "所谓战斗堡垒作用，就是指党组织的整体精神风貌。",
    ]
    assert reasons(result) == [(2, "正文开头重复标题")]


def test_a_long_title_is_never_joined_to_the_text_under_it():
    title = "关于做好二〇二四年秋冬季森林草原防灭火工作的通知"
    article = parse_lines(
        title, "各乡镇人民政府，县直各有关单位：", "现将有关事项通知如下。"
    ).articles[0]
    assert article.title == title
    assert article.paragraphs[0] == "各乡镇人民政府，县直各有关单位："


def test_long_head_lines_above_a_byline_stay_lines():
    kicker = "坚持以人民为中心的发展思想不断增进民生福祉提高人民生活品质"
    headline = "东江县二〇二三年民生实事项目全部完成并通过验收"
    article = parse_lines(
        kicker, headline, "——来自基层一线的调查报告", "本报记者　周　明", "今年以来，东江县……。"
    ).articles[0]
    assert article.title == headline
    assert article.subtitle == f"{kicker}\n——来自基层一线的调查报告"
    assert article.author == "周明"
