"""The compilation rules: each rule on a small invented input and on the bundled compilation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.ingest.base import DroppedLine, ParsedArticle, ParseResult
from archive.ingest.formats.compilation import (
    DuplicateMerger,
    iter_raw_articles,
    parse_raw_text,
    split_keywords,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "grassroots-party-organisations.txt"


def parse(*lines: str) -> ParseResult:
    return parse_raw_text("\n".join(lines) + "\n")


def only(result: ParseResult) -> ParsedArticle:
    assert len(result.articles) == 1, [a.title for a in result.articles]
    return result.articles[0]


def reasons(article: ParsedArticle) -> list[str]:
    return [d.reason for d in article.dropped]


@pytest.fixture(scope="module")
def bundled_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bundled(bundled_text: str) -> ParseResult:
    return parse_raw_text(bundled_text)


def article_titled(result: ParseResult, title: str) -> ParsedArticle:
    matches = [a for a in result.articles if a.title == title]
    assert len(matches) == 1, title
    return matches[0]


def article_from_line(result: ParseResult, number: int) -> ParsedArticle:
    matches = [a for a in result.articles if number in {n for n, _ in a.source_lines}]
    assert len(matches) == 1, number
    return matches[0]


# --- Article boundaries ----------------------------------------------------------------------

TITLE_A = "城市社区垃圾分类的实践与思考"
TITLE_B = "乡村教师队伍建设的几点建议"


def test_short_line_without_end_punctuation_starts_an_article() -> None:
    result = parse(TITLE_A, "垃圾分类是一项系统工程。", TITLE_B, "乡村教师是乡村教育的主力。")
    assert [a.title for a in result.articles] == [TITLE_A, TITLE_B]
    assert result.articles[1].paragraphs == ["乡村教师是乡村教育的主力。"]


def test_lines_ending_in_punctuation_or_with_list_markers_are_not_titles() -> None:
    article = only(
        parse(
            TITLE_A,
            "一、提高居民分类意识",
            "（二）完善收运体系",
            "第一部分 现状",
            "居民参与度不高，",
        )
    )
    assert article.paragraphs == [
        "一、提高居民分类意识",
        "（二）完善收运体系",
        "第一部分 现状",
        "居民参与度不高，",
    ]


def test_repeated_title_line_is_collapsed() -> None:
    article = only(parse(TITLE_A, TITLE_A, "垃圾分类是一项系统工程。"))
    assert article.paragraphs == ["垃圾分类是一项系统工程。"]
    assert [n for n, _ in article.source_lines] == [1, 2, 3]
    assert article.dropped == [DroppedLine(2, TITLE_A, "重复的标题行")]


def test_bundled_repeated_title_line_is_collapsed(bundled: ParseResult) -> None:
    article = article_titled(bundled, "疫情防控常态化下必须发挥基层党组织战斗堡垒作用")
    assert [n for n, _ in article.source_lines][:3] == [163, 164, 165]
    assert article.paragraphs[0] == "疫情防控常态化,基层党组织必须发挥重要作用。"


def test_title_followed_by_another_title_creates_no_article() -> None:
    result = parse("某市年度材料汇编", TITLE_A, "垃圾分类是一项系统工程。")
    assert [a.title for a in result.articles] == [TITLE_A]
    assert result.dropped == [DroppedLine(1, "某市年度材料汇编", "无正文的标题")]


def test_title_at_end_of_file_creates_no_article() -> None:
    result = parse(TITLE_A, "垃圾分类是一项系统工程。", TITLE_B)
    assert [a.title for a in result.articles] == [TITLE_A]
    assert result.dropped == [DroppedLine(3, TITLE_B, "无正文的标题")]


def test_bundled_file_heading_is_dropped_as_title_without_body(bundled: ParseResult) -> None:
    assert [(d.number, d.reason) for d in bundled.dropped if d.reason == "无正文的标题"] == [
        (1, "无正文的标题")
    ]


def test_inline_title_with_author_and_source_starts_a_new_article() -> None:
    result = parse(
        TITLE_A,
        "垃圾分类是一项系统工程。",
        f"{TITLE_B}作者:李明来源:《教育周刊》2021年第7期乡村教师是乡村教育的主力。",
        "要提高待遇。",
    )
    assert [a.title for a in result.articles] == [TITLE_A, TITLE_B]
    second = result.articles[1]
    assert (second.author, second.publication, second.issue_label) == (
        "李明",
        "教育周刊",
        "2021年第7期",
    )
    assert second.paragraphs == ["乡村教师是乡村教育的主力。", "要提高待遇。"]
    assert [n for n, _ in second.source_lines] == [3, 4]


def test_inline_metadata_after_its_own_title_line_is_not_a_new_article() -> None:
    article = only(
        parse(TITLE_B, f"{TITLE_B}作者:李明来源:《教育周刊》2021年第7期乡村教师很辛苦。")
    )
    assert article.author == "李明"
    assert article.paragraphs == ["乡村教师很辛苦。"]


def test_bundled_inline_title_line_starts_the_full_copy(bundled_text: str) -> None:
    items = list(iter_raw_articles(bundled_text.splitlines()))
    starts = [i.source_lines[0][0] for i in items if isinstance(i, ParsedArticle)]
    assert starts[-1] == 264
    assert len(starts) == 19


def test_title_followed_by_page_header_is_still_an_article() -> None:
    article = only(
        parse(TITLE_A, "582021.03ABC 城市管理URBANMANAGEMENTREVIEW垃圾分类是一项系统工程。")
    )
    assert article.paragraphs == ["垃圾分类是一项系统工程。"]


# --- Title echoes ----------------------------------------------------------------------------


def test_title_echo_is_stripped_from_first_paragraph() -> None:
    article = only(parse(TITLE_A, f"{TITLE_A}垃圾分类是一项系统工程。"))
    assert article.paragraphs == ["垃圾分类是一项系统工程。"]
    assert reasons(article) == ["正文开头重复标题"]


def test_title_echoed_twice_is_stripped_from_first_paragraph() -> None:
    article = only(parse(TITLE_A, f"{TITLE_A}{TITLE_A}垃圾分类是一项系统工程。"))
    assert article.paragraphs == ["垃圾分类是一项系统工程。"]


def test_bundled_title_echoed_twice_is_stripped(bundled: ParseResult) -> None:
    article = article_from_line(bundled, 18)
    assert article.paragraphs[0].startswith("党的基层组织是党的全部工作")


def test_truncated_title_echo_is_stripped_after_full_echo() -> None:
    article = only(parse(TITLE_A, f"{TITLE_A}{TITLE_A[:-2]}垃圾分类是一项系统工程。"))
    assert article.paragraphs == ["垃圾分类是一项系统工程。"]


def test_short_prefix_of_title_is_not_taken_for_an_echo() -> None:
    article = only(parse(TITLE_A, f"{TITLE_A}城市社区垃圾很多。"))
    assert article.paragraphs == ["城市社区垃圾很多。"]


def test_title_echo_on_the_line_after_the_abstract_is_stripped() -> None:
    article = only(
        parse(
            TITLE_A,
            f"{TITLE_A}摘要:本文讨论垃圾分类。",
            f"{TITLE_A}垃圾分类是一项系统工程。",
            "其次。",
        )
    )
    assert article.abstract == "本文讨论垃圾分类。"
    assert article.paragraphs[0] == "垃圾分类是一项系统工程。"


def test_bundled_title_echo_after_abstract_is_stripped(bundled: ParseResult) -> None:
    article = article_from_line(bundled, 47)
    assert article.paragraphs[0] == "基层党组织是连接党和群众的纽带,是党的形象代言人。"


def test_title_text_later_in_the_body_is_kept() -> None:
    article = only(parse(TITLE_A, "开头一句。", "第二句。", f"{TITLE_A}值得研究。"))
    assert article.paragraphs[-1] == f"{TITLE_A}值得研究。"


def test_title_used_as_the_subject_of_a_sentence_is_kept() -> None:
    article = only(parse(TITLE_A, f"{TITLE_A}，是本文的主题。"))
    assert article.paragraphs == [f"{TITLE_A}，是本文的主题。"]


# --- Metadata --------------------------------------------------------------------------------


def test_metadata_run_gives_author_publication_and_issue() -> None:
    article = only(
        parse(TITLE_A, f"{TITLE_A}作者:王小红来源:《城市观察》2019年第08期居民参与度不高。")
    )
    assert (article.author, article.publication) == ("王小红", "城市观察")
    assert (article.issue_label, article.issue_number, article.year) == ("2019年第08期", 8, 2019)
    assert article.paragraphs == ["居民参与度不高。"]


def test_metadata_run_with_fullwidth_colons_and_spaces() -> None:
    article = only(
        parse(
            TITLE_A,
            f"{TITLE_A}作者： 某大学课题组 来源：《城市观察》 2019年 第8期 居民参与度不高。",
        )
    )
    assert (article.author, article.publication) == ("某大学课题组", "城市观察")
    assert (article.issue_label, article.issue_number) == ("2019年第8期", 8)


def test_source_without_author_or_book_title_marks() -> None:
    article = only(parse(TITLE_A, "来源:城市观察2019年第8期居民参与度不高。"))
    assert (article.author, article.publication, article.year) == ("", "城市观察", 2019)
    assert article.paragraphs == ["居民参与度不高。"]


def test_author_and_source_on_lines_of_their_own() -> None:
    lines = [TITLE_A, "作者：王小红", "来源：《城市观察》2019年第8期", "居民参与度不高。"]
    article = only(parse(*lines))
    assert (article.author, article.publication, article.issue_number) == ("王小红", "城市观察", 8)
    assert article.paragraphs == ["居民参与度不高。"]


def test_author_echo_after_metadata_is_stripped() -> None:
    article = only(
        parse(TITLE_A, "作者:某大学课题组来源:《城市观察》2019年第8期某大学课题组居民参与度不高。")
    )
    assert article.paragraphs == ["居民参与度不高。"]
    assert "正文开头重复作者" in reasons(article)


def test_bundled_metadata_with_space_and_author_echo(bundled_text: str) -> None:
    raw = [i for i in iter_raw_articles(bundled_text.splitlines()) if isinstance(i, ParsedArticle)]
    truncated = next(a for a in raw if a.source_lines[0][0] == 87)
    assert (truncated.author, truncated.publication) == ("中共天津市委党校课题组", "求知")
    assert (truncated.issue_label, truncated.issue_number, truncated.year) == (
        "2020年第5期",
        5,
        2020,
    )
    assert truncated.paragraphs[0].startswith("新冠肺炎疫情发生以来")


# --- Abstracts and keywords ------------------------------------------------------------------


@pytest.mark.parametrize("label", ["【摘要】", "【内容摘要】", "[摘要]", "摘要:", "摘要："])
def test_abstract_label_variants(label: str) -> None:
    article = only(parse(TITLE_A, f"{label}本文讨论垃圾分类。", "关键词:垃圾分类;社区", "正文。"))
    assert article.abstract == "本文讨论垃圾分类。"
    assert article.keywords == ["垃圾分类", "社区"]


@pytest.mark.parametrize("label", ["【关键词】", "[关键词]", "关键词:", "关键词：", "标签:"])
def test_keyword_label_variants(label: str) -> None:
    article = only(parse(TITLE_A, f"{label}垃圾分类;社区治理", "正文。"))
    assert article.keywords == ["垃圾分类", "社区治理"]
    assert article.paragraphs == ["正文。"]


def test_abstract_continues_over_lines_until_the_keyword_line() -> None:
    article = only(
        parse(TITLE_A, "【摘要】第一句。", "第二句。", "第三句。", "【关键词】分类;社区", "正文。")
    )
    assert article.abstract == "第一句。第二句。第三句。"
    assert article.paragraphs == ["正文。"]


def test_abstract_without_a_following_keyword_line_is_its_own_line_only() -> None:
    body = [f"第{i}段。" for i in range(1, 7)]
    article = only(parse(TITLE_A, "摘要:本文讨论垃圾分类。", *body))
    assert article.abstract == "本文讨论垃圾分类。"
    assert article.paragraphs == body


def test_bundled_abstracts(bundled: ParseResult) -> None:
    multi = article_from_line(bundled, 33)
    assert multi.abstract.startswith("党的十九大报告提出")
    assert multi.abstract.endswith("教育管理与引导作用。")
    single = article_from_line(bundled, 46)
    assert single.abstract.endswith("优良工作作风的示范作用。")
    assert len(single.paragraphs) == 12


def test_keywords_without_abstract_follow_body_lines() -> None:
    article = only(parse(TITLE_A, "第一段。", "标签:分类;社区", "第二段。"))
    assert (article.abstract, article.keywords) == ("", ["分类", "社区"])
    assert article.paragraphs == ["第一段。", "第二段。"]


def test_keywords_with_spaces_around_separators() -> None:
    article = only(parse(TITLE_A, "关键词：垃圾分类 ;社区治理 ;居民", "正文。"))
    assert article.keywords == ["垃圾分类", "社区治理", "居民"]


def test_last_keyword_glued_to_enumeration_marker() -> None:
    article = only(parse(TITLE_A, "【关键词】分类 ;社区一、问题的提出居民参与度不高。"))
    assert article.keywords == ["分类", "社区"]
    assert article.paragraphs == ["一、问题的提出居民参与度不高。"]


def test_last_keyword_glued_to_introduction_label() -> None:
    article = only(parse(TITLE_A, "关键词:分类;社区引言:居民参与度不高。"))
    assert article.keywords == ["分类", "社区"]
    assert article.paragraphs == ["引言:居民参与度不高。"]


def test_last_keyword_without_marker_is_the_prefix_used_in_the_title() -> None:
    article = only(
        parse("论乡村振兴中的人才培养", "关键词：乡村振兴；人才培养乡村振兴的关键在于人才。")
    )
    assert article.keywords == ["乡村振兴", "人才培养"]
    assert article.paragraphs == ["乡村振兴的关键在于人才。"]


def test_last_keyword_without_marker_or_context_is_the_first_word() -> None:
    article = only(parse("城市湿地调查报告", "关键词：湿地；候鸟保护区域面积持续扩大。"))
    assert article.keywords == ["湿地", "候鸟"]
    assert article.paragraphs == ["保护区域面积持续扩大。"]


@pytest.mark.parametrize(
    ("line", "keywords", "first_paragraph_start"),
    [
        (36, ["基层党组", "战斗堡垒", "作用"], "一、什么是党组织"),
        (77, ["发挥", "基层党支部", "战斗堡垒作用"], "基层党组织始终是"),
        (118, ["基层", "党支部", "战斗堡垒", "作用"], "党支部是党最基层的组织"),
        (178, ["基层", "机关", "党组织", "战斗堡垒"], "一、加强机关基层党组织建设"),
        (188, ["基层党支部", "战斗堡垒", "作用"], "引言:在我国"),
    ],
)
def test_bundled_keywords_and_glued_body(
    bundled: ParseResult, line: int, keywords: list[str], first_paragraph_start: str
) -> None:
    article = article_from_line(bundled, line)
    assert article.keywords == keywords
    assert any(p.startswith(first_paragraph_start) for p in article.paragraphs)


def test_comma_separated_keywords_with_glued_body() -> None:
    # The glued segment is found by its length: a clause longer than any keyword.
    line = "关键词：垃圾分类，社区治理，居民居民参与垃圾分类的积极性仍然不高，需要引导。"
    article = only(parse(TITLE_A, line))
    assert article.keywords == ["垃圾分类", "社区治理", "居民"]
    assert article.paragraphs == ["居民参与垃圾分类的积极性仍然不高，需要引导。"]


def test_split_keywords_helper() -> None:
    assert split_keywords("a；b ; c") == ["a", "b", "c"]
    assert split_keywords("甲、乙、丙。") == ["甲", "乙", "丙"]
    assert split_keywords("甲 乙") == ["甲", "乙"]
    assert split_keywords("") == []


# --- Noise -----------------------------------------------------------------------------------


def test_dotted_page_header_is_removed_and_gives_year_and_month() -> None:
    article = only(parse(TITLE_A, "1202017.09XYZ 社会治理SOCIALGOVERNANCE居民参与度不高。"))
    assert article.paragraphs == ["居民参与度不高。"]
    assert (article.year, article.month) == (2017, 9)
    assert article.dropped == [DroppedLine(2, "1202017.09XYZ 社会治理SOCIALGOVERNANCE", "页眉")]


def test_issue_page_header_is_removed_and_gives_year() -> None:
    article = only(parse(TITLE_A, "调研182019年 第12期 下 / 总第301期居民参与度不高。"))
    assert article.paragraphs == ["居民参与度不高。"]
    assert (article.year, article.month) == (2019, None)


def test_header_year_does_not_override_metadata_year() -> None:
    article = only(
        parse(
            TITLE_A, "来源:《城市观察》2019年第8期居民参与度不高。", "1202017.09XYZ 下一页的文字。"
        )
    )
    assert (article.year, article.month) == (2019, None)
    assert article.paragraphs == ["居民参与度不高。", "下一页的文字。"]


def test_bundled_page_headers_give_year_and_month(bundled: ParseResult) -> None:
    first = article_from_line(bundled, 3)
    assert (first.year, first.month) == (2018, 12)
    assert first.paragraphs[0].startswith("面对新时代的新形势")
    second = article_from_line(bundled, 99)
    assert (second.year, second.month) == (2020, None)
    assert second.paragraphs[0] == "基层党组织是党全部工作和战斗力的基础。"


def test_page_marker_with_spaces_is_removed() -> None:
    article = only(parse(TITLE_A, "居民参与1/ 3度不高，意识2 /3薄弱。"))
    assert article.paragraphs == ["居民参与度不高，意识薄弱。"]
    assert reasons(article) == ["页码", "页码"]


def test_fraction_without_spaces_is_kept() -> None:
    article = only(parse(TITLE_A, "约有1/3居民参与。"))
    assert article.paragraphs == ["约有1/3居民参与。"]


def test_bundled_page_markers_are_removed(bundled: ParseResult) -> None:
    article = article_from_line(bundled, 213)
    assert "凝聚防疫防汛工作合力。" in article.paragraphs[3]
    assert [(d.number, d.text) for d in article.dropped if d.reason == "页码"] == [
        (213, "1/ 3"),
        (221, "2/ 3"),
    ]


def test_download_disclaimers_and_site_tagline_are_dropped() -> None:
    lines = [
        TITLE_A,
        "居民参与度不高。",
        "凝一滴雨露,聆听花的微笑;抚一曲琴音,任云卷云舒。",
        "- 1、下载文档前请自行甄别文档内容的完整性,平台不提供额外的编辑服务。",
        '- 2、"仅部分预览"的文档,不可在线预览部分可反馈申请退款(可完整预览的文档不适用该条件!)。',
        "- 3、如文档侵犯您的权益,请联系客服反馈。",
    ]
    article = only(parse(*lines))
    assert article.paragraphs == ["居民参与度不高。"]
    assert [d.number for d in article.dropped] == [3, 4, 5, 6]
    assert set(reasons(article)) == {"文档网站声明"}


def test_bundled_disclaimers_and_tagline_are_dropped(bundled: ParseResult) -> None:
    dropped = [(d.number, d.reason) for a in bundled.articles for d in a.dropped]
    for number in (237, 261, 262, 263):
        assert (number, "文档网站声明") in dropped


def test_editor_teaser_is_dropped_but_following_text_kept() -> None:
    article = only(
        parse(
            TITLE_A,
            f"{TITLE_A}{TITLE_A[:-1]}垃圾分类关系民生,下面小编为大家整理了相关材料,希望大家喜欢!近年来,居民参与度不断提高。",
        )
    )
    assert article.paragraphs == ["近年来,居民参与度不断提高。"]
    assert "文档网站导语" in reasons(article)


def test_bundled_truncated_echo_and_teaser_are_dropped(bundled: ParseResult) -> None:
    article = article_from_line(bundled, 210)
    assert article.paragraphs[0].startswith("连日来,江苏省沭阳县")


def test_consecutive_repeated_paragraphs_are_collapsed() -> None:
    article = only(parse(TITLE_A, "第一段。", "第一段。", "第二段。", "第一段。"))
    assert article.paragraphs == ["第一段。", "第二段。", "第一段。"]
    assert article.dropped == [DroppedLine(3, "第一段。", "重复段落")]


def test_paragraph_repeating_the_abstract_is_dropped() -> None:
    article = only(parse(TITLE_A, "摘要:居民参与度不高。", "居民参与度不高。", "第二段。"))
    assert article.abstract == "居民参与度不高。"
    assert article.paragraphs == ["第二段。"]


def test_bundled_repeated_paragraphs_are_dropped(bundled: ParseResult) -> None:
    article = article_from_line(bundled, 60)
    assert [(d.number, d.reason) for d in article.dropped if d.reason == "重复段落"] == [
        (61, "重复段落"),
        (62, "重复段落"),
    ]
    assert article.paragraphs[0].startswith("党的十七届四中全会提出")


def test_bundled_paragraphs_contain_no_noise(bundled: ParseResult) -> None:
    noise = (
        "小编",
        "下载文档",
        "仅部分预览",
        "客服",
        "凝一滴雨露",
        "MODERNENTERPRISE",
        "总第887期",
        "1/ 3",
    )
    for article in bundled.articles:
        for paragraph in article.paragraphs:
            assert not paragraph.startswith(article.title), paragraph
            assert not any(word in paragraph for word in noise), paragraph
            assert article.author == "" or not paragraph.startswith(article.author)


# --- Duplicates ------------------------------------------------------------------------------


def make(title: str, paragraphs: list[str], first_line: int, **meta: object) -> ParsedArticle:
    lines = [(first_line, title)] + [(first_line + i + 1, p) for i, p in enumerate(paragraphs)]
    return ParsedArticle(title=title, paragraphs=paragraphs, source_lines=lines, **meta)  # type: ignore[arg-type]


def test_truncated_copy_is_replaced_by_the_fuller_copy() -> None:
    merger = DuplicateMerger()
    short = make(
        TITLE_A, ["一。", "二。"], 1, author="王小红", issue_label="2019年第8期", issue_number=8
    )
    full = make(
        TITLE_A,
        ["一。", "二。", "三。"],
        10,
        publication="城市观察",
        issue_label="2019年第08期",
        issue_number=8,
    )
    assert merger.add(short) == ("new", 0)
    assert merger.add(full) == ("replace", 0)
    merged = merger.articles[0]
    assert merged.paragraphs == ["一。", "二。", "三。"]
    assert (merged.author, merged.publication, merged.issue_label) == (
        "王小红",
        "城市观察",
        "2019年第08期",
    )
    assert [n for n, _ in merged.source_lines] == [1, 2, 3, 10, 11, 12, 13]


def test_shorter_later_copy_is_skipped_into_the_stored_one() -> None:
    merger = DuplicateMerger()
    merger.add(make(TITLE_A, ["一。", "二。", "三。"], 1))
    assert merger.add(make(TITLE_A, ["一。", "二。"], 10, year=2019)) == ("skip", 0)
    assert merger.articles[0].year == 2019
    assert len(merger.articles[0].source_lines) == 7


def test_same_opening_with_different_titles_stays_separate() -> None:
    result = parse(TITLE_A, "共同的开头。", "甲的正文。", TITLE_B, "共同的开头。", "乙的正文。")
    assert len(result.articles) == 2


def test_same_title_with_different_bodies_stays_separate() -> None:
    result = parse(
        TITLE_A,
        "甲的正文。",
        "甲的第二段。",
        TITLE_A + "作者:张三来源:《周刊》2020年第1期乙的正文。",
    )
    assert len(result.articles) == 2


def test_conflicting_metadata_prevents_merging() -> None:
    merger = DuplicateMerger()
    merger.add(make(TITLE_A, ["一。", "二。"], 1, author="王小红"))
    assert merger.add(make(TITLE_A, ["一。", "二。", "三。"], 10, author="李明")) == ("new", 1)


def test_merged_duplicate_keeps_position_of_first_occurrence_in_text() -> None:
    result = parse(TITLE_A, "一。", TITLE_B, "乙。", TITLE_A, "一。", "二。")
    assert [a.title for a in result.articles] == [TITLE_A, TITLE_B]
    assert result.articles[0].paragraphs == ["一。", "二。"]
    assert (1, TITLE_A, "重复文章（保留较完整的一份）") in [
        (d.number, d.text, d.reason) for d in result.dropped
    ]


def test_bundled_duplicate_is_merged_into_the_full_copy(bundled: ParseResult) -> None:
    article = article_titled(bundled, "在夺取防控和发展双胜利中发挥基层党组织战斗堡垒作用")
    assert (article.issue_label, article.issue_number) == ("2020年第05期", 5)
    numbers = [n for n, _ in article.source_lines]
    assert numbers == list(range(87, 98)) + list(range(264, 320))
    assert article.paragraphs[-1].startswith("当前我们正处于全面建成小康社会")
    assert any(
        d.number == 87 and d.reason == "重复文章（保留较完整的一份）" for d in bundled.dropped
    )


def test_bundled_articles_sharing_an_opening_stay_separate(bundled: ParseResult) -> None:
    assert article_from_line(bundled, 73) is not article_from_line(bundled, 115)


# --- Whole-file behaviour ----------------------------------------------------------------------

BUNDLED_SUMMARY = [
    ("新时代如何发挥基层党支部的战斗堡垒作用", "", "", "", 2018),
    ("如何发挥基层党组织的战斗堡垒作用", "", "", "", None),
    ("浅议怎样发挥基层党组织的战斗堡垒作用", "杨姿姮", "商情", "2020年第36期", 2020),
    ("浅谈如何发挥基层党组织战斗堡垒作用", "", "", "", None),
    ("新形势下发挥党组织战斗堡垒作用的途径和方法", "", "", "", None),
    ("如何发挥基层党支部的战斗堡垒作用", "", "", "", None),
    (
        "在夺取防控和发展双胜利中发挥基层党组织战斗堡垒作用",
        "中共天津市委党校课题组",
        "求知",
        "2020年第05期",
        2020,
    ),
    ("充分发挥基层党组织在疫情防控阻击战中的战斗堡垒作用", "", "", "", 2020),
    ("浅谈如何发挥基层党支部的战斗堡垒作用", "旦正", "大东方", "2019年第03期", 2019),
    ("发挥基层党支部的战斗堡垒作用", "高洪宝", "新长征·党建版", "2020年第11期", 2020),
    ("发挥基层党组织的战斗堡垒作用", "", "", "", None),
    ("疫情防控常态化下必须发挥基层党组织战斗堡垒作用", "", "", "", None),
    ("浅谈如何发挥机关基层党组织的战斗堡垒作用", "张小康", "商情", "2019年第26期", 2019),
    ("新时期如何发挥基层党支部的战斗堡垒作用", "高尚忠", "青年生活", "2020年第13期", 2020),
    ("浅析如何充分发挥基层党支部战斗堡垒作用", "", "", "", None),
    ("关于支部发挥战斗堡垒和先锋模范作用工作总结", "", "", "", None),
    (
        "关于在疫情防控新阶段充分发挥基层党组织战斗堡垒作用和党员先锋模范作用的通知",
        "",
        "",
        "",
        None,
    ),
    ("新时期如何发挥基层党组织战斗堡垒作用", "", "", "", None),
]


def test_bundled_summary_table(bundled: ParseResult) -> None:
    table = [(a.title, a.author, a.publication, a.issue_label, a.year) for a in bundled.articles]
    assert table == BUNDLED_SUMMARY


def test_bundled_every_line_belongs_to_exactly_one_article(
    bundled: ParseResult, bundled_text: str
) -> None:
    raw_lines = bundled_text.split("\n")
    seen: list[int] = []
    for article in bundled.articles:
        for number, text in article.source_lines:
            assert text == raw_lines[number - 1]
            seen.append(number)
    assert sorted(seen) == list(range(2, 320))


def test_streaming_yields_articles_before_the_input_is_exhausted() -> None:
    consumed: list[int] = []

    def lines() -> Iterator[str]:
        for i in range(1, 200):
            consumed.append(i)
            yield f"标题第{i}号文章汇编\n" if i % 2 else f"第{i}行正文。\n"

    stream = iter_raw_articles(lines())
    first = next(stream)
    assert isinstance(first, ParsedArticle)
    assert first.title == "标题第1号文章汇编"
    assert len(consumed) == 3
    assert sum(1 for item in stream if isinstance(item, ParsedArticle)) == 98


def test_bundled_streaming_from_a_file_object() -> None:
    with FIXTURE.open(encoding="utf-8") as handle:
        items = list(iter_raw_articles(handle))
    assert sum(isinstance(i, ParsedArticle) for i in items) == 19
    assert [i.number for i in items if isinstance(i, DroppedLine)] == [1]


def test_crlf_line_endings() -> None:
    result = parse_raw_text(f"{TITLE_A}\r\n{TITLE_A}第一段。\r\n第二段。\r\n")
    article = only(result)
    assert article.paragraphs == ["第一段。", "第二段。"]
    assert article.source_lines == [(1, TITLE_A), (2, f"{TITLE_A}第一段。"), (3, "第二段。")]


def test_bundled_with_crlf_line_endings_gives_the_same_articles(
    bundled: ParseResult, bundled_text: str
) -> None:
    crlf = parse_raw_text(bundled_text.replace("\n", "\r\n"))
    assert [a.paragraphs for a in crlf.articles] == [a.paragraphs for a in bundled.articles]


def test_blank_lines_between_paragraphs() -> None:
    article = only(parse(TITLE_A, "", "第一段。", "", "   ", "第二段。", ""))
    assert article.paragraphs == ["第一段。", "第二段。"]
    assert [n for n, _ in article.source_lines] == [1, 2, 3, 4, 5, 6, 7]


def test_text_without_any_title_becomes_one_article_titled_by_its_first_sentence() -> None:
    article = only(parse("居民参与垃圾分类的积极性不断提高，效果明显。", "第二段。"))
    assert article.title == "居民参与垃圾分类的积极性不断提高，效果明显"
    assert article.paragraphs == ["居民参与垃圾分类的积极性不断提高，效果明显。", "第二段。"]


def test_empty_input_gives_no_articles() -> None:
    assert parse_raw_text("") == ParseResult(articles=[], dropped=[])
    assert parse_raw_text("\n \n") == ParseResult(articles=[], dropped=[])


def test_traditional_characters_are_kept_as_written() -> None:
    article = only(parse(TITLE_A, "加強基層組織規範建設。"))
    assert article.paragraphs == ["加強基層組織規範建設。"]


def test_bundled_traditional_characters_are_kept(bundled: ParseResult) -> None:
    assert "基层组織" in article_from_line(bundled, 34).abstract
    assert any("規范自身" in p for p in article_from_line(bundled, 193).paragraphs)
