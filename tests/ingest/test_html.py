"""Web pages: the article without the page around it, its title, metadata and encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.ingest.base import (
    REASON_REPEATED_TITLE,
    Block,
    Document,
    DroppedLine,
    ImportFailed,
    ParseOptions,
    PartialDate,
)
from archive.ingest.formats.html import HtmlParser, read_document
from archive.ingest.registry import parser_for
from archive.ingest.sources import SourceFile
from archive.ingest.titles import split_site_suffix, strip_site_suffix

HTML = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "html"

ARTICLE = """<!DOCTYPE html>
<html><head>{head}<title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news/">新闻</a></div>
<article>
{h1}
<p>村党支部书记王建国带领村民发展特色种植，村集体经济收入从不足五万元增加到六十多万元。</p>
<p>“党员就要走在前面。”王建国说。村里成立合作社，党员带头试种新品种，带动三百多户村民增收。</p>
<p>如今，这个曾经的后进村成了远近闻名的示范村，每年都有不少外地干部前来学习。</p>
</article>
<div class="footer">版权所有 示例新闻网</div>
</body></html>"""


def fixture(name: str) -> SourceFile:
    return SourceFile.from_path(HTML / name)


def page(
    title: str = "乡村振兴的“领头雁”_示例新闻网",
    h1: str = "<h1>乡村振兴的“领头雁”</h1>",
    head: str = '<meta charset="utf-8">',
    encoding: str = "utf-8",
    before: str = "",
) -> SourceFile:
    text = before + ARTICLE.format(title=title, h1=h1, head=head)
    return SourceFile.from_bytes("page.html", text.encode(encoding))


def texts(document: Document) -> list[str]:
    return [block.text for block in document.blocks if block.kind != "blank"]


@pytest.fixture(scope="module")
def news() -> Document:
    return read_document(fixture("news-page.html"))


@pytest.fixture(scope="module")
def gbk() -> Document:
    return read_document(fixture("gbk-page.html"))


@pytest.fixture(scope="module")
def wechat() -> Document:
    return read_document(fixture("wechat-post.html"))


# --- A news page saved from a browser ----------------------------------------------------


def test_news_page_metadata_from_the_page(news):
    assert news.title == "社区党支部把“民生小事”办成“暖心实事”"
    assert news.site == "示例日报网"
    assert news.date == PartialDate(2024, 6, 3)
    assert news.url == "https://www.example-daily.cn/dangjian/2024-06/03/c_1234.htm"
    assert news.keywords == ["社区党建", "民生实事", "网格化服务"]
    assert news.abstract == "某街道社区党支部建立民生台账，一件一件抓落实。"
    assert (news.author, news.subtitle) == ("", "")
    assert (news.line_count, news.may_be_compilation) == (66, False)
    assert (news.dropped, news.notes) == ([], [])


def test_news_page_blocks_are_the_article_with_its_byline_and_headings(news):
    assert news.blocks == [
        Block(
            31,
            "来源：示例日报\u3000作者：周晓燕\u3000发布时间：2024-06-03\u3000点击数：138 次",
            "paragraph",
        ),
        Block(
            33,
            "“楼道灯修好了，晚上回家再也不用摸黑了。”6月2日傍晚，家住某街道幸福里社区的王阿姨高兴地说。",
            "paragraph",
        ),
        Block(
            34,
            "今年以来，幸福里社区党支部建立“民生台账”，把居民反映的问题一件一件记下来、一件一件抓落实。"
            "社区党支部书记刘红介绍，台账实行“接单、派单、办结、回访”闭环管理，每件事都有专人负责、限时办结。",
            "paragraph",
        ),
        Block(35, "小网格连着大民生", "heading", 2),
        Block(
            36,
            "社区划分为12个网格，每个网格由一名党员担任网格长。网格长每周至少入户走访一次，收集居民的意见和建议。"
            "截至5月底，社区共收集各类诉求326件，办结318件，办结率达97.5%。",
            "paragraph",
        ),
        Block(
            37,
            "“过去居民有事不知道找谁，现在找网格长就行。”网格长陈建国说，他所在的网格有一百多户居民，"
            "大部分是老年人，“我们就是要当好居民的贴心人”。",
            "paragraph",
        ),
        Block(38, "党员带头解难题", "heading", 2),
        Block(
            39,
            "针对老旧小区停车难问题，社区党支部组织在职党员到社区报到，成立志愿服务队，利用周末时间清理闲置空地，"
            "新增停车位46个。",
            "paragraph",
        ),
        Block(
            40,
            "街道党工委有关负责人表示，下一步将总结推广幸福里社区的经验做法，推动更多“民生小事”在基层得到解决。",
            "paragraph",
        ),
        Block(41, "（责任编辑：孙丽）", "paragraph"),
    ]


def test_navigation_sidebar_comments_and_footer_are_left_out(news):
    text = "".join(texts(news))
    for boilerplate in ("首页", "热点排行", "广告", "网友评论", "为社区点赞", "版权所有", "分享到"):
        assert boilerplate not in text


def test_the_article_h1_is_the_title_not_the_logo_h1(news):
    assert news.title != "示例日报网"
    assert news.title == "社区党支部把“民生小事”办成“暖心实事”"


# --- A GBK page of a government site ----------------------------------------------------


def test_gbk_page_is_decoded_by_its_meta_charset(gbk):
    assert gbk.title == "某某镇开展“党员志愿服务月”活动"
    assert texts(gbk)[1].startswith("为进一步发挥党员先锋模范作用")


def test_gbk_page_title_loses_the_site_suffix_which_names_the_site(gbk):
    assert gbk.title == "某某镇开展“党员志愿服务月”活动"
    assert gbk.site == "某某县人民政府网"


def test_gbk_page_blocks_keep_the_info_line_and_table_rows_without_the_menu(gbk):
    assert gbk.blocks == [
        Block(
            16, "发布日期：2023年9月18日\u3000来源：某某镇人民政府\u3000浏览次数：56", "paragraph"
        ),
        Block(
            18,
            "为进一步发挥党员先锋模范作用，9月以来，某某镇在全镇范围内开展“党员志愿服务月”活动，"
            "组织党员走进村组、走近群众，办好身边实事。",
            "paragraph",
        ),
        Block(
            19,
            "活动期间，全镇23个基层党组织共组织党员志愿者410余人次，开展环境整治、政策宣讲、"
            "助老助残等志愿服务活动60余场次。",
            "paragraph",
        ),
        Block(
            20,
            "镇党委负责人表示，将把志愿服务与“我为群众办实事”结合起来，建立长效机制，"
            "让党员志愿服务常态化、制度化。",
            "paragraph",
        ),
        Block(22, "服务类别 | 场次 | 参与人次", "paragraph"),
        Block(23, "环境整治 | 25 | 180", "paragraph"),
        Block(24, "政策宣讲 | 20 | 130", "paragraph"),
    ]
    assert (gbk.date, gbk.url, gbk.author) == (None, "", "")


def test_a_page_without_a_declared_charset_is_read_as_gb18030():
    document = read_document(page(head="", encoding="gb18030"))
    assert document.title == "乡村振兴的“领头雁”"
    assert texts(document)[0].startswith("村党支部书记王建国")


def test_a_utf8_bom_wins_over_a_wrong_meta_charset():
    source = page(head='<meta charset="gb2312">')
    document = read_document(SourceFile.from_bytes("p.html", b"\xef\xbb\xbf" + source.read_bytes()))
    assert document.title == "乡村振兴的“领头雁”"


def test_a_page_declaring_a_western_encoding_is_read_as_utf8_first():
    document = read_document(page(head='<meta charset="iso-8859-1">'))
    assert document.title == "乡村振兴的“领头雁”"


def test_stray_bytes_in_the_declared_encoding_are_replaced_and_noted():
    source = page(head='<meta charset="gbk">', encoding="gbk")
    data = source.read_bytes().replace("如今".encode("gbk"), b"\xff\xff\xff\xff")
    document = read_document(SourceFile.from_bytes("p.html", data))
    assert document.notes == ["网页中有 4 处无法按 gb18030 解码的字节，已替换为 �"]
    assert texts(document)[-1].endswith("每年都有不少外地干部前来学习。")


def test_an_undeclared_page_that_is_neither_utf8_nor_chinese_gbk_fails():
    text = ARTICLE.format(title="臺灣", h1="", head="").replace("乡村振兴", "")
    source = SourceFile.from_bytes("big5.html", text.encode("big5", errors="ignore"))
    with pytest.raises(ImportFailed, match="不像简体中文"):
        read_document(source)


# --- An old page laid out in tables, saved without a charset ----------------------------


@pytest.fixture(scope="module")
def notice() -> Document:
    return read_document(fixture("table-layout-notice.htm"))


def test_an_undeclared_gbk_page_is_read_as_gb18030(notice):
    assert "为深入学习贯彻党的二十大精神" in "".join(texts(notice))


def test_menu_rows_of_a_layout_table_are_left_out(notice):
    text = "".join(texts(notice))
    assert "首页" not in text and "党建动态" not in text


def test_the_title_line_shown_on_the_page_tells_where_the_site_name_starts(notice):
    assert notice.title == "关于开展主题党日活动的通知"
    assert notice.site == "某某学院党委"
    assert notice.dropped == [DroppedLine(9, "关于开展主题党日活动的通知", REASON_REPEATED_TITLE)]


def test_br_lines_of_a_table_cell_are_lines_and_a_double_br_a_blank(notice):
    assert notice.blocks[:3] == [
        Block(10, "发布时间：2022-03-15\u3000作者：党委办公室\u3000阅读：233", "paragraph"),
        Block(12, "各党支部：", "line"),
        Block(
            13,
            "为深入学习贯彻党的二十大精神，经研究，决定在全院开展主题党日活动。现将有关事项通知如下：",
            "line",
        ),
    ]
    assert notice.blocks[9:12] == [
        Block(21, "", "blank"),
        Block(21, "中共某某学院委员会", "line"),
        Block(22, "2022年3月15日", "line"),
    ]


# --- A post saved from a phone app's web view --------------------------------------------


def test_repeated_short_lines_of_a_post_all_survive(wechat):
    assert texts(wechat).count("那一天，") == 2


def test_post_headings_lists_quotes_and_br_lines_keep_their_shape(wechat):
    blocks = {block.text: block for block in wechat.blocks}
    assert blocks["一、那一天"] == Block(30, "一、那一天", "heading", 2)
    assert blocks["二、这些年"].kind == "heading"
    assert [block for block in wechat.blocks if block.number == 40] == [
        Block(40, "这些年，我下过村、蹲过点，", "line"),
        Block(40, "也在防汛大堤上守过夜。", "line"),
        Block(40, "每次想起入党誓词，心里就有了底气。", "line"),
    ]
    assert blocks["“入党誓词不长，却要用一辈子去践行。”"].kind == "paragraph"
    assert "宣誓时间：6月27日" in blocks and "参加人数：86人" in blocks


def test_post_metadata_and_text_end_before_the_page_tools(wechat):
    assert wechat.title == "七一前夕，我们重温入党誓词"
    assert wechat.date == PartialDate(2024, 6, 28)
    assert wechat.url == "http://mp.example.cn/s/AbCdEf123"
    assert wechat.site == "某某机关党建"  # the account, not the platform
    assert texts(wechat)[0] == "点击上方蓝字关注我们"
    assert texts(wechat)[-1] == "文字：李晓 ｜ 编辑：王丹 ｜ 审核：张伟"


# --- Titles ------------------------------------------------------------------------------


def test_an_h1_inside_the_article_is_the_title_and_not_repeated_as_a_block():
    document = read_document(page())
    assert document.title == "乡村振兴的“领头雁”"
    assert document.dropped == [DroppedLine(5, "乡村振兴的“领头雁”", REASON_REPEATED_TITLE)]
    assert texts(document)[0].startswith("村党支部书记王建国")


def test_without_an_h1_the_title_tag_without_its_suffix_is_the_title():
    document = read_document(page(h1="", title="乡村振兴的“领头雁” - 示例新闻网"))
    assert (document.title, document.site) == ("乡村振兴的“领头雁”", "示例新闻网")


def test_an_h1_unlike_the_page_title_is_a_column_name_not_the_title():
    document = read_document(page(h1="<h1>工作动态</h1>"))
    assert document.title == "乡村振兴的“领头雁”"


def test_an_h1_is_the_title_when_the_title_tag_names_only_the_site():
    document = read_document(
        page(title="示例新闻网", head='<meta property="og:site_name" content="示例新闻网">')
    )
    assert document.title == "乡村振兴的“领头雁”"


def test_links_inside_the_article_are_left_out():
    related = (
        '<div><b>相关阅读：</b><a href="/1">乡村振兴示范村名单公布</a><br>'
        '<a href="/2">青年志愿者走进养老院</a></div>'
    )
    h1 = (
        "<h1>乡村振兴的“领头雁”</h1>\n<p>开头的一段话，说明这篇报道的背景和缘由，篇幅不长。</p>\n"
        + related
    )
    text = "".join(texts(read_document(page(h1=h1))))
    assert "相关阅读" not in text and "青年志愿者" not in text
    assert "开头的一段话" in text and "村党支部书记王建国" in text


def test_the_address_a_browser_notes_in_a_saved_page_is_the_url():
    before = "<!-- saved from url=(0032)https://www.example.cn/a/1.html -->\n"
    assert read_document(page(before=before)).url == "https://www.example.cn/a/1.html"


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("社区党支部把民生小事办好 - 新华网", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好_中国共产党新闻网", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好|人民网", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好 – 示例日报", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好 — 示例客户端", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好｜某某机关党建公众号", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好_新闻频道_央视网(cctv.com)", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好 | www.example.cn", "", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好 - 学习园地", "学习园地", "社区党支部把民生小事办好"),
        ("社区党支部把民生小事办好 - 学习园地", "", "社区党支部把民生小事办好 - 学习园地"),
        ("奋进新征程——记优秀共产党员张三", "", "奋进新征程——记优秀共产党员张三"),
        ("在庆祝大会上的讲话 - 全文", "", "在庆祝大会上的讲话 - 全文"),
        ("COVID-19疫情防控", "", "COVID-19疫情防控"),
        ("新华网", "", "新华网"),
        ("社区党支部把民生小事办好 - ", "", "社区党支部把民生小事办好"),
    ],
)
def test_strip_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site) == expected


def test_split_site_suffix_names_the_outermost_site():
    assert split_site_suffix("标题_新闻频道_央视网(cctv.com)") == ("标题", "央视网")


# --- Failures and recognition ------------------------------------------------------------


def test_a_page_without_text_fails_with_a_message():
    with pytest.raises(ImportFailed, match=r"^no-text\.html: 网页中没有找到正文$"):
        read_document(fixture("no-text.html"))


def test_an_empty_file_fails_with_a_message():
    with pytest.raises(ImportFailed, match="文件是空的"):
        read_document(SourceFile.from_bytes("empty.html", b"  \n"))


def test_a_page_too_short_for_the_extractor_gives_its_paragraphs():
    html = "<html><head><title>短讯 - 示例网</title></head><body><p>短短一句话。</p></body></html>"
    source = SourceFile.from_bytes("short.html", html.encode())
    document = read_document(source)
    assert (document.title, texts(document)) == ("短讯", ["短短一句话。"])


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html>\n<html>",
        b"<!-- saved from url=(0020)https://example.cn/ -->\n<HTML><HEAD>",
        b"\xef\xbb\xbf<html lang='zh'>",
        "<!doctype html><html>".encode("utf-16"),
        b"<div class='content'><p>\xe6\xad\xa3\xe6\x96\x87</p></div>",
    ],
)
def test_html_parser_recognises_pages_by_content(head):
    assert HtmlParser().accepts(head)


@pytest.mark.parametrize(
    "head", ["正文里提到 <html> 标签。\n".encode(), b"%PDF-1.7\n\x00\x01", b"# title\n"]
)
def test_html_parser_refuses_what_is_not_a_page(head):
    assert not HtmlParser().accepts(head)


def test_html_parser_names_its_format():
    parser = HtmlParser()
    assert (parser.format, parser.label, parser.by_content) == ("html", "网页", True)
    assert parser.extensions == {".html", ".htm", ".xhtml", ".shtml"}


# --- Through the layout ------------------------------------------------------------------


def test_news_page_becomes_an_article_with_the_byline_read():
    [article] = HtmlParser().parse(fixture("news-page.html"), ParseOptions()).articles
    assert article.title == "社区党支部把“民生小事”办成“暖心实事”"
    assert article.author == "周晓燕"
    assert (article.year, article.month, article.day) == (2024, 6, 3)
    # The page's own source line names the paper; the site is where it was saved from.
    assert article.publication == "示例日报"
    assert article.paragraphs[0].startswith("“楼道灯修好了")
    assert article.paragraphs[2] == "### 小网格连着大民生"
    assert article.paragraphs[-1].startswith("街道党工委有关负责人表示")


def test_gbk_page_becomes_an_article_dated_by_its_info_line():
    [article] = HtmlParser().parse(fixture("gbk-page.html"), ParseOptions()).articles
    assert article.title == "某某镇开展“党员志愿服务月”活动"
    assert (article.year, article.month, article.day) == (2023, 9, 18)
    assert article.paragraphs[0].startswith("为进一步发挥党员先锋模范作用")
    assert article.paragraphs[-1] == "政策宣讲 | 20 | 130"


def test_notice_in_a_layout_table_becomes_an_article_with_its_info_line_read():
    [article] = HtmlParser().parse(fixture("table-layout-notice.htm"), ParseOptions()).articles
    assert (article.title, article.author) == ("关于开展主题党日活动的通知", "党委办公室")
    assert (article.year, article.month, article.day) == (2022, 3, 15)
    assert article.paragraphs[:3] == [
        "各党支部：",
        "为深入学习贯彻党的二十大精神，经研究，决定在全院开展主题党日活动。现将有关事项通知如下：",
        "一、活动时间",
    ]


# --- The registry ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["page.html", "page.htm", "page.shtml", "page.xhtml"])
def test_registry_picks_the_html_parser_by_extension(name):
    assert (
        parser_for(SourceFile.from_bytes(name, fixture("news-page.html").read_bytes())).format
        == "html"
    )


@pytest.mark.parametrize("name", ["detail.aspx", "show.php", "page"])
def test_registry_recognises_a_saved_page_by_content(name):
    source = SourceFile.from_bytes(name, fixture("news-page.html").read_bytes())
    assert parser_for(source).format == "html"


def test_a_wechat_post_is_published_by_its_account_without_the_follow_prompt():
    [article] = HtmlParser().parse(fixture("wechat-post.html"), ParseOptions()).articles
    assert article.publication == "某某机关党建"
    assert article.author == "李晓"
    assert "点击上方蓝字关注我们" not in article.paragraphs
    assert any(line.reason == "网页或公众号的按钮、导航" for line in article.dropped)
