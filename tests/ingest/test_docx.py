"""Word files: styles to title, subtitle and headings, tables, properties, and bad files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document as new_docx
from docx.oxml.parser import OxmlElement, parse_xml
from PIL import Image

from archive.ingest.base import (
    REASON_IMAGE,
    Block,
    DroppedLine,
    ImportFailed,
    ParseOptions,
    PartialDate,
)
from archive.ingest.formats.docx import (
    DocxParser,
    created_date,
    looks_like_person,
    looks_like_title,
    read_document,
    split_keywords,
)
from archive.ingest.registry import parser_for
from archive.ingest.sources import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "docx"


def fixture(name: str) -> SourceFile:
    return SourceFile.from_path(FIXTURES / name)


def built(build: Callable, *, name: str = "文章.docx", created: datetime | None = None):
    """A .docx made here: `build` adds its content to a new document."""
    document = new_docx()
    document.core_properties.author = ""
    document.core_properties.created = created or datetime(2022, 3, 14, 10, 0)
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return SourceFile.from_bytes(name, buffer.getvalue())


def failure(source: SourceFile) -> str:
    with pytest.raises(ImportFailed) as caught:
        read_document(source)
    return str(caught.value)


# --- The report written with Word's built-in styles ---------------------------------------


def test_title_paragraph_is_the_title():
    assert read_document(fixture("report.docx")).title == "乡村阅读推广的三点经验"


def test_subtitle_paragraph_is_the_subtitle():
    assert read_document(fixture("report.docx")).subtitle == "——以青川县“书香进山村”活动为例"


def test_author_comes_from_the_core_properties():
    assert read_document(fixture("report.docx")).author == "周明远"


def test_keywords_come_from_the_core_properties_split_on_any_separator():
    assert read_document(fixture("report.docx")).keywords == [
        "乡村阅读",
        "图书角",
        "志愿服务",
        "农家书屋",
    ]


def test_paragraphs_headings_and_table_rows_become_blocks_numbered_by_paragraph():
    assert read_document(fixture("report.docx")).blocks == [
        Block(
            3,
            "去年秋天以来，青川县图书馆联合乡镇团委在七所村小建起班级图书角，"
            "一年间学生借阅图书一万余人次。本文根据走访记录，总结三点做法。",
            "paragraph",
        ),
        Block(5, "一、建好场地", "heading", 1),
        Block(6, "（一）因地制宜", "heading", 2),
        Block(
            7,
            "各校不新建阅览室，而是利用教室后墙和走廊拐角，每班两排书架，开学一周内全部到位。",
            "paragraph",
        ),
        Block(8, "学校 | 藏书（册） | 借阅人次", "paragraph"),
        Block(9, "石门小学 | 620 | 2310", "paragraph"),
        Block(10, "白岩小学 | 480 |", "paragraph"),
        Block(11, "（二）学生管书", "heading", 2),
        Block(12, "每班选出两名“小馆员”，负责登记借阅、整理书架和修补图书。", "paragraph"),
        Block(13, "二、用好志愿者", "heading", 1),
        Block(14, "县图书馆每月组织志愿者下乡开展一次故事会。", "paragraph"),
        Block(14, "联系人：王老师", "paragraph"),
    ]


def test_line_count_counts_paragraphs_and_table_rows():
    assert read_document(fixture("report.docx")).line_count == 14


def test_created_date_is_the_date_when_the_text_gives_none():
    assert read_document(fixture("report.docx")).date == PartialDate(2024, 5, 20)


def test_file_with_a_title_paragraph_holds_one_article():
    assert read_document(fixture("report.docx")).may_be_compilation is False


def test_report_reads_as_one_article_through_layout():
    result = DocxParser().parse(fixture("report.docx"), ParseOptions())
    [article] = result.articles
    assert (article.title, article.subtitle, article.author) == (
        "乡村阅读推广的三点经验",
        "——以青川县“书香进山村”活动为例",
        "周明远",
    )
    assert (article.year, article.month, article.day) == (2024, 5, 20)
    assert article.paragraphs == [
        "去年秋天以来，青川县图书馆联合乡镇团委在七所村小建起班级图书角，"
        "一年间学生借阅图书一万余人次。本文根据走访记录，总结三点做法。",
        "## 一、建好场地",
        "### （一）因地制宜",
        "各校不新建阅览室，而是利用教室后墙和走廊拐角，每班两排书架，开学一周内全部到位。",
        "学校 | 藏书（册） | 借阅人次",
        "石门小学 | 620 | 2310",
        "白岩小学 | 480 |",
        "### （二）学生管书",
        "每班选出两名“小馆员”，负责登记借阅、整理书架和修补图书。",
        "## 二、用好志愿者",
        "县图书馆每月组织志愿者下乡开展一次故事会。",
        "联系人：王老师",
    ]


# --- The file with Chinese style names -----------------------------------------------------


def test_chinese_style_names_give_the_title_and_subtitle():
    document = read_document(fixture("chinese_styles.docx"))
    assert (document.title, document.subtitle) == ("社区食堂开张记", "一碗热饭里的邻里情")


def test_chinese_heading_styles_base_styles_and_outline_levels_give_heading_levels():
    headings = [
        (block.text, block.level)
        for block in read_document(fixture("chinese_styles.docx")).blocks
        if block.kind == "heading"
    ]
    # 标题 1, 标题 2, a style based on 标题 2, a plain paragraph at outline level 3.
    assert headings == [("开张第一天", 1), ("菜价怎么定", 2), ("老人的意见", 2), ("下一步打算", 3)]


def test_account_name_in_the_properties_is_not_the_author():
    assert read_document(fixture("chinese_styles.docx")).author == ""


# --- Structure of files made here ----------------------------------------------------------


def test_first_level_heading_before_any_text_is_the_title_without_a_title_style():
    def build(document):
        document.add_heading("河道清淤完工", level=1)
        document.add_paragraph("城南河道清淤工程昨日完工。")
        document.add_heading("下一步", level=2)

    document = read_document(built(build))
    assert (document.title, [block.text for block in document.blocks]) == (
        "河道清淤完工",
        ["城南河道清淤工程昨日完工。", "下一步"],
    )


def test_several_first_level_headings_are_left_to_layout():
    def build(document):
        for title in ("第一篇文章", "第二篇文章"):
            document.add_heading(title, level=1)
            document.add_paragraph("正文一段。")

    document = read_document(built(build))
    assert (document.title, document.blocks[0]) == ("", Block(1, "第一篇文章", "heading", 1))


def test_file_without_a_title_style_may_be_a_compilation():
    document = read_document(built(lambda document: document.add_paragraph("一段文字。")))
    assert document.may_be_compilation is True


def test_second_title_paragraph_is_a_first_level_heading():
    def build(document):
        document.add_paragraph("上篇", style="Title")
        document.add_paragraph("正文。")
        document.add_paragraph("下篇", style="Title")

    assert read_document(built(build)).blocks[-1] == Block(3, "下篇", "heading", 1)


def test_line_break_in_the_middle_of_a_sentence_is_joined():
    def build(document):
        paragraph = document.add_paragraph("从文件中复制来的这一行文字在句子的中间被硬生生地")
        paragraph.add_run().add_break()
        paragraph.add_run("断开了，又接着写完。")

    assert [block.text for block in read_document(built(build)).blocks] == [
        "从文件中复制来的这一行文字在句子的中间被硬生生地断开了，又接着写完。"
    ]


def test_tabs_and_indent_spaces_are_not_kept():
    def build(document):
        document.add_paragraph("\u3000\u3000作者\t\t王明")

    assert read_document(built(build)).blocks == [Block(1, "作者 王明", "paragraph")]


def test_table_of_contents_lines_are_left_out():
    def build(document):
        document.styles.add_style("toc 1", 1)
        document.add_paragraph("一、概况\t1", style="toc 1")
        document.add_paragraph("一、概况", style="Heading 2")

    assert read_document(built(build)).blocks == [Block(2, "一、概况", "heading", 2)]


def test_text_in_a_content_control_is_read():
    def build(document):
        paragraph = document.add_paragraph("表单中填写的内容。")
        sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
        paragraph._p.addprevious(sdt)
        sdt.append(content)
        content.append(paragraph._p)

    assert read_document(built(build)).blocks == [Block(1, "表单中填写的内容。", "paragraph")]


def test_deleted_revision_is_not_text():
    def build(document):
        paragraph = document.add_paragraph("保留的文字。")
        deleted = OxmlElement("w:del")
        run = OxmlElement("w:r")
        text = OxmlElement("w:delText")
        text.text = "删掉的文字。"
        run.append(text)
        deleted.append(run)
        paragraph._p.append(deleted)

    assert [block.text for block in read_document(built(build)).blocks] == ["保留的文字。"]


TEXT_BOX_RUN = """
<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
     xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
     xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
     xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
     xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
     xmlns:v="urn:schemas-microsoft-com:vml">
  <mc:AlternateContent>
    <mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="1" name="文本框 1"/>
      <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
        <wps:wsp><wps:txbx><w:txbxContent>
          <w:p><w:r><w:t>文本框里的说明文字。</w:t></w:r></w:p>
        </w:txbxContent></wps:txbx></wps:wsp>
      </a:graphicData></a:graphic>
    </wp:anchor></w:drawing></mc:Choice>
    <mc:Fallback><w:pict><v:rect><v:textbox><w:txbxContent>
      <w:p><w:r><w:t>文本框里的说明文字。</w:t></w:r></w:p>
    </w:txbxContent></v:textbox></v:rect></w:pict></mc:Fallback>
  </mc:AlternateContent>
</w:r>
"""


def test_text_box_is_read_once_after_its_paragraph():
    def build(document):
        paragraph = document.add_paragraph("正文一段。")
        paragraph._p.append(parse_xml(TEXT_BOX_RUN))

    document = read_document(built(build))
    assert (document.blocks, document.dropped) == (
        [Block(1, "正文一段。", "paragraph"), Block(2, "文本框里的说明文字。", "paragraph")],
        [],
    )


def test_pictures_are_dropped_with_a_note():
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(picture, format="PNG")

    def build(document):
        document.add_paragraph("图书角一角。")
        document.add_picture(io.BytesIO(picture.getvalue()))

    document = read_document(built(build))
    assert (document.dropped, document.notes) == (
        [DroppedLine(2, "Picture 1", REASON_IMAGE)],
        ["删除图片 1 张"],
    )


def test_date_written_in_the_text_keeps_the_created_date_out():
    def build(document):
        document.add_paragraph("会议纪要")
        document.add_paragraph("2019年3月5日")

    assert read_document(built(build)).date is None


def test_subject_is_the_subtitle_when_there_is_no_subtitle_paragraph():
    def build(document):
        document.core_properties.subject = "年度工作回顾"
        document.add_paragraph("正文。")

    assert read_document(built(build)).subtitle == "年度工作回顾"


def test_placeholder_title_in_the_properties_is_not_the_title():
    def build(document):
        document.core_properties.title = "Microsoft Word - 文章.docx"
        document.add_paragraph("正文。")

    assert read_document(built(build)).title == ""


def test_title_in_the_properties_that_opens_the_text_is_the_title():
    def build(document):
        document.core_properties.title = "春耕备耕见闻"
        document.add_paragraph("春耕备耕见闻")
        document.add_paragraph("正文。")

    assert read_document(built(build)).title == "春耕备耕见闻"


def test_title_in_the_properties_left_from_another_file_is_not_the_title():
    def build(document):
        document.core_properties.title = "公文模板"
        document.add_paragraph("春耕备耕见闻")

    assert read_document(built(build)).title == ""


# --- Property rules ------------------------------------------------------------------------


def test_keywords_split_on_chinese_and_latin_separators_without_repeats():
    assert split_keywords("党建；基层, 组织，党建、 学习 ;") == ["党建", "基层", "组织", "学习"]


@pytest.mark.parametrize(
    "title",
    [
        "",
        "Microsoft Word - 2019年工作总结.docx",
        "文档1",
        "新建 Microsoft Word 文档.docx",
        "无标题",
        "Untitled",
        "2019-03",
        "Ã¤Ã¶Ã¼",
    ],
)
def test_placeholders_file_names_and_mojibake_are_not_titles(title):
    assert not looks_like_title(title)


@pytest.mark.parametrize("title", ["社区食堂开张记", "Reading in Rural Schools", "2024年工作要点"])
def test_written_titles_are_titles(title):
    assert looks_like_title(title)


@pytest.mark.parametrize(
    "author",
    [
        "Administrator",
        "微软用户",
        "Windows 用户",
        "DESKTOP-7F3K2QL",
        "zhang.wei@example.com",
        "user01",
        "python-docx",
    ],
)
def test_account_names_are_not_authors(author):
    assert not looks_like_person(author)


@pytest.mark.parametrize("author", ["周明远", "John Smith", "欧阳修远"])
def test_people_are_authors(author):
    assert looks_like_person(author)


def test_created_date_keeps_only_the_day():
    assert created_date(datetime(2021, 7, 9, 23, 59)) == PartialDate(2021, 7, 9)


def test_created_date_before_word_existed_is_not_a_date():
    assert created_date(datetime(1980, 1, 1)) is None


# --- Bad files -----------------------------------------------------------------------------


def test_old_word_file_renamed_asks_to_save_as_docx():
    assert failure(fixture("old_word.docx")) == (
        "old_word.docx: 其实是旧版 Word 文件（.doc），请用 Word 或 WPS 另存为 .docx 后再导入"
    )


def test_password_protected_docx_asks_to_remove_the_password():
    data = fixture("old_word.docx").read_bytes() + "EncryptedPackage".encode("utf-16-le")
    assert failure(SourceFile.from_bytes("加密.docx", data)) == (
        "加密.docx: Word 文档设置了打开密码，请在 Word 中取消密码后再导入"
    )


def test_truncated_docx_is_reported_as_damaged():
    assert (
        failure(fixture("corrupt.docx"))
        == "corrupt.docx: Word 文件已损坏（压缩包不完整），无法打开"
    )


def test_zip_without_the_document_part_is_reported_as_damaged():
    assert failure(fixture("no_document.docx")) == (
        "no_document.docx: 不是有效的 Word 文档（缺少正文 word/document.xml），文件可能已损坏"
    )


def test_excel_file_renamed_is_named_as_excel():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert failure(SourceFile.from_bytes("表格.docx", buffer.getvalue())) == (
        "表格.docx: 是Excel 文件，不是 Word 文档"
    )


def test_text_file_renamed_is_not_a_word_file():
    assert failure(SourceFile.from_bytes("笔记.docx", "一段文字".encode())) == (
        "笔记.docx: 不是 Word 文件（.docx 应是 zip 压缩包），请用 Word 另存为 .docx"
    )


def test_macro_enabled_file_asks_to_save_as_docx():
    source = built(lambda document: document.add_paragraph("正文。"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.read_bytes())) as original:
        with zipfile.ZipFile(buffer, "w") as changed:
            for info in original.infolist():
                data = original.read(info)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(
                        b"document.main+xml", b"document.macroEnabled.main+xml"
                    ).replace(
                        b"wordprocessingml.document.main+xml",
                        b"ms-word.document.macroEnabled.main+xml",
                    )
                changed.writestr(info, data)
    assert failure(SourceFile.from_bytes("宏.docx", buffer.getvalue())) == (
        "宏.docx: 是启用宏的 Word 文件或 Word 模板，请另存为 .docx 后再导入"
    )


def test_document_without_text_is_refused():
    assert failure(built(lambda document: document.add_paragraph("  "), name="空.docx")) == (
        "空.docx: Word 文档里没有文字"
    )


# --- Recognition ---------------------------------------------------------------------------


def test_accepts_a_zip_that_lists_word_parts():
    assert DocxParser().accepts(fixture("report.docx").head(8192))


def test_does_not_accept_another_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("照片/1.jpg", b"\xff\xd8")
    assert not DocxParser().accepts(buffer.getvalue())


def test_registry_sends_an_excel_file_named_docx_to_the_word_parser_for_its_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    source = SourceFile.from_bytes("表格.docx", buffer.getvalue())
    with pytest.raises(ImportFailed, match="是Excel 文件，不是 Word 文档"):
        parser_for(source).parse(source, ParseOptions())


def test_registry_chooses_the_word_parser_for_a_docx():
    assert isinstance(parser_for(fixture("report.docx")), DocxParser)


def test_registry_recognises_a_word_file_without_its_extension():
    source = SourceFile.from_bytes("报告", fixture("report.docx").read_bytes())
    assert isinstance(parser_for(source), DocxParser)
