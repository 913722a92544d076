"""Markdown: front matter, the title heading, lines with their numbers, what is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.ingest.base import (
    REASON_IMAGE,
    REASON_MARKUP,
    REASON_REPEATED_TITLE,
    Block,
    Document,
    DroppedLine,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.formats.markdown import MarkdownParser, read_document
from archive.ingest.registry import parser_for
from archive.ingest.sources import SourceFile

MARKDOWN = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "markdown"


def fixture(name: str) -> SourceFile:
    return SourceFile.from_path(MARKDOWN / name)


def read_lines(*lines: str, encoding: str = "utf-8") -> Document:
    data = ("\n".join(lines) + "\n").encode(encoding)
    return read_document(SourceFile.from_bytes("剪藏.md", data))


def texts(document: Document) -> list[str]:
    return [block.text for block in document.blocks if block.kind != "blank"]


def parse(name: str) -> ParseResult:
    return MarkdownParser().parse(fixture(name), ParseOptions())


@pytest.fixture(scope="module")
def clip() -> Document:
    return read_document(fixture("party-building-clip.md"))


@pytest.fixture(scope="module")
def wechat() -> Document:
    return read_document(fixture("wechat-short-lines.md"))


# --- The clipping of a web page, with front matter ------------------------------------------


def test_front_matter_gives_the_metadata(clip):
    assert clip.title == "以高质量党建引领基层治理——某区探索“红色网格”工作法"
    assert clip.author == "李明；王芳"
    assert clip.date == PartialDate(2024, 6, 3)
    assert clip.publication == "某某党建网"
    assert clip.url == "https://dangjian.example.cn/2024/0603/c117-12345.html"
    assert clip.keywords == ["基层治理", "党建引领"]
    assert clip.abstract == "某区把党支部建在网格上，推动服务资源下沉。"
    assert clip.subtitle == ""
    assert clip.line_count == 57
    assert clip.may_be_compilation is False


def test_clipping_blocks_keep_kinds_and_source_lines(clip):
    assert clip.blocks == [
        Block(23, "来源：某某党建网\u30002024-06-03", "paragraph"),
        Block(24, "", "blank"),
        Block(27, "近年来，某区坚持以党建引领基层治理，把党支部建在网格上，", "line"),
        Block(28, "推动人员、资源、服务向网格下沉，让群众的“小事”在网格里办好。", "line"),
        Block(29, "", "blank"),
        Block(30, "一、织密组织体系", "heading", 2),
        Block(31, "", "blank"),
        Block(32, "全区共划分网格 326 个，每个网格配备专职网格员 1 名。依据《", "line"),
        Block(33, "公司法", "line"),
        Block(34, "》规定，辖区非公企业普遍建立党组织。", "line"),
        Block(35, "", "blank"),
        Block(38, "网格员张大姐说：“群众有事找网格，网格有事找支部。”", "paragraph"),
        Block(39, "", "blank"),
        Block(40, "二、完善服务清单", "heading", 2),
        Block(41, "", "blank"),
        Block(42, "区里为每个网格列出服务清单：", "paragraph"),
        Block(43, "", "blank"),
        Block(44, "1. 政策宣传", "paragraph"),
        Block(45, "2. 矛盾调解", "paragraph"),
        Block(46, "3. 民生服务", "paragraph"),
        Block(47, "", "blank"),
        Block(48, "项目 | 数量", "paragraph"),
        Block(50, "走访群众 | 1200 户", "paragraph"),
        Block(51, "化解矛盾 | 86 件", "paragraph"),
        Block(52, "", "blank"),
        Block(
            55,
            "区委组织部有关负责人表示，下一步将持续深化“红色网格”建设，推动[社区]服务更精准。",
            "paragraph",
        ),
        Block(56, "", "blank"),
        Block(57, "（责任编辑：赵强）", "paragraph"),
    ]


def test_clipping_drops_title_heading_images_rule_and_comment_with_reasons(clip):
    heading = (
        "# [以高质量党建引领基层治理——某区探索“红色网格”工作法]"
        "(https://dangjian.example.cn/2024/0603/c117-12345.html)"
    )
    assert clip.dropped == [
        DroppedLine(19, heading, REASON_REPEATED_TITLE),
        DroppedLine(21, "![](https://img.example.cn/banner.jpg)", REASON_IMAGE),
        DroppedLine(25, "---", REASON_MARKUP),
        DroppedLine(36, "![网格员入户走访](https://img.example.cn/p1.jpg)", REASON_IMAGE),
        DroppedLine(53, "<!-- 广告位：请勿删除 -->", REASON_MARKUP),
    ]


def test_other_aliases_and_the_image_count_are_noted(clip):
    assert clip.notes == ["其他标题（aliases）：某区红色网格工作法；红色网格", "删除图片 2 张"]


def test_an_inline_link_broken_over_lines_leaves_three_lines_for_the_layout(clip):
    numbers = {block.text: block.number for block in clip.blocks}
    assert numbers["公司法"] == 33
    assert numbers["》规定，辖区非公企业普遍建立党组织。"] == 34


# --- A short-line post -----------------------------------------------------------------------


def test_every_short_line_of_a_post_is_a_block_of_its_own(wechat):
    assert texts(wechat) == [
        "原创 某某机关党建 2024年6月28日 08:30",
        "点击上方蓝字关注我们",
        "那一天，",
        "我站在鲜红的党旗下，",
        "举起右拳，",
        "一字一句地宣誓。",
        "那一天，",
        "我告诉自己：",
        "从今往后，我是一名共产党员。",
        "这些年，我下过村、蹲过点，",
        "也在防汛大堤上守过夜。",
        "每次想起入党誓词，",
        "心里就有了底气。",
        "文字：李晓 | 编辑：王丹",
    ]


def test_single_line_paragraphs_are_paragraphs_and_a_broken_one_is_lines(wechat):
    kinds = {block.number: block.kind for block in wechat.blocks}
    assert kinds[7] == kinds[9] == "paragraph"
    assert [kinds[n] for n in (21, 22, 23, 24)] == ["line"] * 4


def test_the_first_heading_is_the_title_without_front_matter(wechat):
    assert wechat.title == "写给刚入党的你"
    assert wechat.may_be_compilation is False
    assert wechat.dropped == [DroppedLine(26, "![](https://mmbiz.example.cn/qr.png)", REASON_IMAGE)]
    assert wechat.notes == ["删除图片 1 张"]


# --- A clipping without front matter ---------------------------------------------------------


def test_clipping_without_front_matter_lists_items_and_smaller_headings():
    document = read_document(fixture("clipping-no-front-matter.md"))
    assert document.title == "社区“微治理”激发大活力"
    assert (document.author, document.date, document.url) == ("", None, "")
    assert [b for b in document.blocks if b.kind != "blank"][4:8] == [
        Block(10, "议事会怎么开", "heading", 3),
        Block(12, "每月召开一次；", "paragraph"),
        Block(13, "居民自愿参加，党员带头发言；", "paragraph"),
        Block(14, "议定事项张榜公示。", "paragraph"),
    ]


# --- Front matter ----------------------------------------------------------------------------


def test_without_a_title_the_first_alias_is_the_title():
    document = read_lines("---", "aliases: [红色网格, 网格工作法]", "---", "正文。")
    assert document.title == "红色网格"
    assert document.notes == ["其他标题（aliases）：网格工作法"]


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2024-06-03", PartialDate(2024, 6, 3)),
        ("2024-06-03 08:30:00", PartialDate(2024, 6, 3)),
        ("2024年6月3日", PartialDate(2024, 6, 3)),
        ("'2024-06'", PartialDate(2024, 6)),
        ("2024", PartialDate(2024)),
    ],
)
def test_front_matter_dates_as_yaml_gives_them(value, date):
    assert read_lines("---", f"date: {value}", "---", "正文。").date == date


def test_a_clippers_source_address_is_the_url_and_published_the_date():
    document = read_lines(
        "---",
        'source: "https://www.example.cn/a/1.html"',
        "published: 2024-06-03",
        "author: ['[[张三]]']",
        "tags: 党建，基层治理、社区",
        "---",
        "正文。",
    )
    assert document.url == "https://www.example.cn/a/1.html"
    assert document.publication == ""
    assert document.date == PartialDate(2024, 6, 3)
    assert document.author == "张三"
    assert document.keywords == ["党建", "基层治理", "社区"]


def test_chinese_front_matter_keys_are_read():
    document = read_lines("---", "标题: 社区治理", "来源: 某某日报", "---", "正文。")
    assert (document.title, document.publication) == ("社区治理", "某某日报")


def test_broken_front_matter_is_dropped_with_a_note_and_the_text_still_read():
    document = read_lines("---", "title: 标题: 冒号太多", "author: 张三", "---", "正文第一段。")
    assert document.dropped == [
        DroppedLine(1, "---", REASON_MARKUP),
        DroppedLine(2, "title: 标题: 冒号太多", REASON_MARKUP),
        DroppedLine(3, "author: 张三", REASON_MARKUP),
        DroppedLine(4, "---", REASON_MARKUP),
    ]
    assert document.notes == ["文件开头的 YAML 信息第 2 行有误，未能读取，已略去"]
    assert document.blocks == [Block(5, "正文第一段。", "paragraph")]
    assert document.title == ""


def test_text_between_two_rules_at_the_top_is_not_front_matter():
    document = read_lines("---", "这是正文", "---")
    assert document.title == ""
    assert document.blocks == [Block(2, "这是正文", "heading", 2)]


# --- Body ------------------------------------------------------------------------------------


def test_a_link_heading_gives_its_text_as_title_and_its_address():
    document = read_lines("# [社区治理](https://www.example.cn/a.html)", "", "正文。")
    assert (document.title, document.url) == ("社区治理", "https://www.example.cn/a.html")


def test_a_heading_after_text_is_a_heading_not_the_title():
    document = read_lines("导语。", "", "# 一个标题")
    assert document.title == ""
    assert document.may_be_compilation is True
    assert document.blocks[-1] == Block(3, "一个标题", "heading", 1)


def test_inline_html_gives_its_text_and_a_line_of_only_tags_is_markup():
    document = read_lines(
        '第一行<span style="color:red">红字</span>，', '<font color="red"></font>', "第三行。"
    )
    assert texts(document) == ["第一行红字，", "第三行。"]
    assert document.dropped == [DroppedLine(2, '<font color="red"></font>', REASON_MARKUP)]


def test_a_br_tag_breaks_the_line():
    document = read_lines("第一句。<br>第二句。")
    assert document.blocks == [Block(1, "第一句。", "line"), Block(1, "第二句。", "line")]


def test_an_image_only_paragraph_leaves_no_block_and_is_counted():
    document = read_lines("正文。", "", '<img src="a.png">', "", "![图](b.png)")
    assert texts(document) == ["正文。"]
    assert [(d.number, d.reason) for d in document.dropped] == [
        (3, REASON_IMAGE),
        (5, REASON_IMAGE),
    ]
    assert document.notes == ["删除图片 2 张"]


def test_an_html_block_gives_its_text_and_drops_lines_of_markup():
    document = read_lines('<div align="center">', "<p>居中的一段话。</p>", "</div>")
    assert texts(document) == ["居中的一段话。"]
    assert [(d.number, d.text) for d in document.dropped] == [
        (1, '<div align="center">'),
        (3, "</div>"),
    ]


def test_emphasis_code_and_escapes_are_plain_text():
    document = read_lines("**加粗**、*斜体*、~~删除~~、`代码`和 \\*星号\\*")
    assert texts(document) == ["加粗、斜体、删除、代码和 *星号*"]


def test_bullet_items_are_blocks_and_ordered_ones_keep_their_numbers():
    document = read_lines("- 甲", "- 乙", "  接着乙", "", "3) 丙", "4) 丁")
    assert texts(document) == ["甲", "乙接着乙", "3) 丙", "4) 丁"]


def test_an_image_in_a_table_cell_is_dropped_and_counted():
    document = read_lines("| 图 | 说明 |", "| --- | --- |", "| ![](a.png) | 入户走访 |")
    assert texts(document) == ["图 | 说明", " | 入户走访"]
    assert document.dropped == [DroppedLine(3, "![](a.png)", REASON_IMAGE)]


def test_code_fence_lines_are_paragraphs():
    document = read_lines("```", "第一行", "", "第二行", "```")
    assert document.blocks == [
        Block(2, "第一行", "paragraph"),
        Block(3, "", "blank"),
        Block(4, "第二行", "paragraph"),
    ]


def test_a_gb18030_file_is_read():
    document = read_lines("# 标题", "", "正文。", encoding="gb18030")
    assert (document.title, texts(document)) == ("标题", ["正文。"])


def test_markdown_parser_accepts_text_and_refuses_binary():
    parser = MarkdownParser()
    assert parser.accepts("# 标题\n".encode())
    assert not parser.accepts(b"PK\x03\x04\x00\x00")
    assert (parser.format, parser.by_content) == ("markdown", False)
    assert parser.extensions == {".md", ".markdown", ".mdown"}


# --- Through the layout ----------------------------------------------------------------------


def test_clipping_becomes_one_article_with_its_metadata_and_joined_lines():
    result = parse("party-building-clip.md")
    [article] = result.articles
    assert article.title == "以高质量党建引领基层治理——某区探索“红色网格”工作法"
    assert (article.author, article.publication) == ("李明；王芳", "某某党建网")
    assert (article.year, article.month, article.day) == (2024, 6, 3)
    assert article.paragraphs[0] == (
        "近年来，某区坚持以党建引领基层治理，把党支部建在网格上，"
        "推动人员、资源、服务向网格下沉，让群众的“小事”在网格里办好。"
    )
    assert "依据《公司法》规定，辖区非公企业普遍建立党组织。" in article.paragraphs[2]
    assert result.notes == ["其他标题（aliases）：某区红色网格工作法；红色网格", "删除图片 2 张"]


def test_short_lines_of_a_post_survive_the_layout():
    [article] = parse("wechat-short-lines.md").articles
    assert article.title == "写给刚入党的你"
    assert article.paragraphs.count("那一天，") == 2
    assert "我站在鲜红的党旗下，" in article.paragraphs
    assert "一字一句地宣誓。" in article.paragraphs


@pytest.mark.parametrize("name", ["clip.md", "clip.markdown", "clip.mdown"])
def test_registry_picks_the_markdown_parser_by_extension(name):
    source = SourceFile.from_bytes(name, "# 标题\n\n正文。\n".encode())
    assert parser_for(source).format == "markdown"
