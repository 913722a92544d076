"""PDF files: lines joined into paragraphs, running heads and page numbers, metadata, bad files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfWriter
from pypdf.errors import DependencyError

from archive.ingest.base import (
    REASON_PAGE_MARKER,
    REASON_RUNNING_HEAD,
    Block,
    DroppedLine,
    ImportFailed,
    ParseOptions,
    PartialDate,
)
from archive.ingest.formats import pdf as pdf_format
from archive.ingest.formats.pdf import PdfParser, is_page_number, read_document
from archive.ingest.registry import parser_for
from archive.ingest.sources import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "pdf"
HEAD = "青川日报 2024年6月3日 星期一"


def fixture(name: str) -> SourceFile:
    return SourceFile.from_path(FIXTURES / name)


def newspaper():
    return read_document(fixture("newspaper.pdf"))


def made(pages: list[list], *, name: str = "文件.pdf", **metadata: str) -> SourceFile:
    """A PDF of Latin text in a fixed-width font, each line where the test puts it.

    A line is its text, or (indent in points, text), or (indent, text, points below the
    line before, instead of the usual 14).
    """
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.set_font("Courier", size=10)
    for key, value in metadata.items():
        getattr(pdf, f"set_{key}")(value)
    for lines in pages:
        pdf.add_page()
        y = 46.0
        for line in lines:
            indent, text, step = (0, line, 14) if isinstance(line, str) else (*line, 14)[:3]
            y += step
            pdf.text(40 + indent, y, text)
    return SourceFile.from_bytes(name, bytes(pdf.output()))


def texts(source: SourceFile) -> list[str]:
    return texts_of(read_document(source))


def texts_of(document) -> list[str]:
    return [block.text for block in document.blocks]


def failure(source: SourceFile) -> str:
    with pytest.raises(ImportFailed) as caught:
        read_document(source)
    return str(caught.value)


# --- The newspaper page --------------------------------------------------------------------


def test_metadata_title_is_the_title():
    assert newspaper().title == "山村小学有了“图书角”"


def test_account_name_in_the_metadata_is_not_the_author():
    assert newspaper().author == ""


def test_metadata_keywords_are_the_keywords():
    assert newspaper().keywords == ["乡村教育", "图书角"]


def test_wrapped_lines_are_joined_into_paragraphs_numbered_by_their_first_line():
    assert newspaper().blocks == [
        Block(3, "山村小学有了“图书角”", "paragraph"),
        Block(4, "本报记者 林晓雨 通讯员 陈志刚", "paragraph"),
        Block(
            5,
            "六月的清晨，青川县石门乡中心小学的教室里传出琅琅读书声。走进三年级教室，记者看到"
            "墙角新添了两排木书架，上面整齐摆放着童话、科普和历史故事书，几个孩子正围坐在小板凳"
            "上安静地翻看。",
            "paragraph",
        ),
        Block(
            9,
            "“以前课外书少，孩子们下课只能在操场上跑。”校长赵春梅告诉记者，学校距县城四十多"
            "公里，多数学生是留守儿童，家里很少有课外读物。去年秋天，县图书馆联合乡团委发起"
            "“书香进山村”活动，向全乡七所村小捐赠图书三千余册，每个班级都建起了自己的图书角。",
            "paragraph",
        ),
        Block(14, "孩子们自己管书", "paragraph"),
        Block(
            15,
            "图书角由学生自己管理。每个班选出两名“小馆员”，负责登记借阅、整理书架和修补破损的"
            "图书。四年级学生王小雨当了半年小馆员，她拿出一本写得密密麻麻的借阅登记簿说：“这"
            "学期我们班借出去二百一十本，最受欢迎的是《昆虫记》。”",
            "paragraph",
        ),
        Block(
            19,
            "为了让孩子们读得进去，学校还把每周三下午的一节课改为阅读课，由语文老师带着学生分享"
            "读书心得。学期末，各班评选“阅读之星”，获奖学生可以优先借阅新到的图书。",
            "paragraph",
        ),
        Block(22, "让书香留在山村", "paragraph"),
        Block(
            23,
            "县图书馆馆长刘建国介绍，今年将继续为村小补充新书，并组织志愿者每月下乡开展一次"
            "故事会。活动还用上了线上借阅平台 Reading Corner，家长可以用手机查看孩子的借阅"
            "记录。",
            "paragraph",
        ),
        Block(28, "“图书角不大，却能给孩子们打开一扇看世界的窗。”刘建国说。", "paragraph"),
    ]


def test_paragraph_broken_by_the_page_break_is_joined():
    [block] = [block for block in newspaper().blocks if block.number == 23]
    assert "补充新书，并组织志愿者" in block.text


def test_running_heads_and_page_numbers_are_dropped_with_their_reasons():
    # The page number is drawn right after the head: it is found by where it stands.
    assert newspaper().dropped == [
        DroppedLine(1, HEAD, REASON_RUNNING_HEAD),
        DroppedLine(2, "- 1 -", REASON_PAGE_MARKER),
        DroppedLine(24, HEAD, REASON_RUNNING_HEAD),
        DroppedLine(25, "- 2 -", REASON_PAGE_MARKER),
    ]


def test_date_in_the_running_heads_is_the_date():
    assert newspaper().date == PartialDate(2024, 6, 3)


def test_line_count_counts_every_line_read():
    assert newspaper().line_count == 29


def test_newspaper_page_reads_as_one_article_through_layout():
    [article] = PdfParser().parse(fixture("newspaper.pdf"), ParseOptions()).articles
    assert (article.title, article.author, article.year, article.month, article.day) == (
        "山村小学有了“图书角”",
        "林晓雨、陈志刚",
        2024,
        6,
        3,
    )
    assert [paragraph[:12] for paragraph in article.paragraphs] == [
        "六月的清晨，青川县石门乡",
        "“以前课外书少，孩子们下",
        "孩子们自己管书",
        "图书角由学生自己管理。每",
        "为了让孩子们读得进去，学",
        "让书香留在山村",
        "县图书馆馆长刘建国介绍，",
        "“图书角不大，却能给孩子",
    ]


# --- Lines into paragraphs -----------------------------------------------------------------

LINE = "The committee met on Tuesday to discuss"  # a full line of these pages
# Lines of text on pages of their own.
BODY = [
    "Alpha team reported on the spring fair.",
    "Bravo team reported on the book sale.",
    "Charlie team reported on the garden.",
    "Delta team reported on the concerts.",
]


def test_latin_lines_are_joined_with_a_space():
    source = made([[LINE, "the library budget for the coming year."]])
    assert texts(source) == [LINE + " the library budget for the coming year."]


def test_hyphenated_word_at_the_end_of_a_line_is_joined():
    source = made([["The council has agreed to a new inter-", "library loan service."]])
    assert texts(source) == ["The council has agreed to a new interlibrary loan service."]


def test_short_line_ends_its_paragraph():
    source = made([[LINE, "the budget.", "Volunteers will help with the evening"]])
    assert texts(source) == [LINE + " the budget.", "Volunteers will help with the evening"]


def test_indented_line_starts_a_paragraph_after_a_full_line():
    source = made([[LINE, "the budget for the year and the reading", (20, "Volunteers help.")]])
    assert texts(source) == [
        LINE + " the budget for the year and the reading",
        "Volunteers help.",
    ]


def test_indented_first_line_does_not_count_as_short():
    source = made([[(20, "The committee met on Tuesday to"), LINE, "the end."]])
    assert texts(source) == ["The committee met on Tuesday to " + LINE + " the end."]


def test_space_between_lines_ends_a_paragraph():
    source = made([[LINE, LINE, (0, LINE, 30), "the end."]])
    assert texts(source) == [LINE + " " + LINE, LINE + " the end."]


def test_larger_type_is_a_line_of_its_own():
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.add_page()
    pdf.set_font("Courier", size=20)
    pdf.text(40, 60, "Budget Talks")
    pdf.set_font("Courier", size=10)
    pdf.text(40, 80, LINE)
    pdf.text(40, 94, "the end.")
    source = SourceFile.from_bytes("a.pdf", bytes(pdf.output()))
    assert texts(source) == ["Budget Talks", LINE + " the end."]


def test_second_column_continues_the_paragraph_of_the_first():
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.add_page()
    pdf.set_font("Courier", size=10)
    left = ["The library will", "open on Sundays", "from next month", "and the reading"]
    right = ["room will stay", "open late.", "Volunteers are", "welcome to join."]
    for column, lines in ((40, left), (230, right)):
        for row, line in enumerate(lines):
            pdf.text(column, 60 + 14 * row, line)
    source = SourceFile.from_bytes("columns.pdf", bytes(pdf.output()))
    assert texts(source) == [
        "The library will open on Sundays from next month and the reading room will stay "
        "open late.",
        "Volunteers are welcome to join.",
    ]


# --- Running heads and page numbers --------------------------------------------------------


def test_head_repeated_on_two_pages_of_a_longer_file_is_kept():
    # Two articles of a four-page file may open with the same byline.
    pages = [["By Jane Doe", BODY[0]], [BODY[1]], ["By Jane Doe", BODY[2]], [BODY[3]]]
    assert read_document(made(pages)).dropped == []


def test_head_repeated_on_three_pages_is_a_running_head():
    pages = [["Parish News, June 3", BODY[page]] for page in range(3)]
    assert read_document(made(pages)).dropped == [
        DroppedLine(number, "Parish News, June 3", REASON_RUNNING_HEAD) for number in (1, 3, 5)
    ]


def test_head_differing_only_in_its_numbers_is_a_running_head():
    pages = [[f"Parish News, page {page + 1}", BODY[page]] for page in range(2)]
    assert [line.text for line in read_document(made(pages)).dropped] == [
        "Parish News, page 1",
        "Parish News, page 2",
    ]


def test_page_number_in_the_middle_of_a_page_is_text():
    source = made([[LINE, LINE, "12", LINE, LINE]])
    assert read_document(source).dropped == []


@pytest.mark.parametrize(
    "text",
    [
        "3",
        "- 3 -",
        "— 3 —",
        "第3页",
        "第 3 页 共 12 页",
        "3/12",
        "3 / 12",
        "Page 3 of 12",
        "·3·",
        "第3版",
        "共12页 第3页",
        "iv",
    ],
)
def test_page_numbers_are_recognised(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2024年", "3月", "第三章", "3. 结论", "100%"])
def test_other_short_lines_are_not_page_numbers(text):
    assert not is_page_number(text)


# --- Metadata ------------------------------------------------------------------------------


def test_metadata_title_that_names_the_source_file_is_not_the_title():
    source = made([[LINE]], title="Microsoft Word - minutes.docx")
    assert read_document(source).title == ""


def test_metadata_title_the_text_does_not_open_with_is_not_the_title():
    source = made([["Budget Talks", LINE]], title="Annual Report Template")
    assert read_document(source).title == ""


def test_metadata_title_that_opens_the_text_is_the_title():
    source = made([["Budget Talks", LINE]], title="Budget Talks")
    assert read_document(source).title == "Budget Talks"


def test_metadata_author_that_names_a_person_is_the_author():
    assert read_document(made([[LINE]], author="Jane Doe")).author == "Jane Doe"


def test_creation_date_is_not_the_date():
    assert read_document(made([[LINE]])).date is None


def test_file_without_a_title_in_its_metadata_may_be_a_compilation():
    assert read_document(made([[LINE]])).may_be_compilation is True


# --- Pages and files without text ----------------------------------------------------------


def _picture() -> io.BytesIO:
    picture = io.BytesIO()
    Image.new("L", (40, 40), 200).save(picture, format="PNG")
    picture.seek(0)
    return picture


def test_page_of_pictures_only_is_noted():
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.set_font("Courier", size=10)
    pdf.add_page()
    pdf.text(40, 60, LINE)
    pdf.add_page()
    pdf.image(_picture(), x=0, y=0, w=420)
    source = SourceFile.from_bytes("a.pdf", bytes(pdf.output()))
    assert read_document(source).notes == ["第 2 页没有文字层（可能是扫描页），未导入"]


def test_damaged_page_is_noted_and_the_others_are_read(monkeypatch):
    read_page = pdf_format._page_lines

    def second_page_damaged(page, index):
        if index == 2:
            raise ValueError("damaged content stream")
        return read_page(page, index)

    monkeypatch.setattr(pdf_format, "_page_lines", second_page_damaged)
    document = read_document(made([[BODY[0]], [BODY[1]]]))
    assert (texts_of(document), document.notes) == (
        [BODY[0]],
        ["第 2 页已损坏，无法读取，未导入"],
    )


def test_scanned_pdf_asks_for_ocr():
    assert failure(fixture("scanned.pdf")) == (
        "scanned.pdf: 是扫描的 PDF（没有文字层），请先用 OCR 识别文字后再导入"
    )


def test_blank_pdf_has_no_text():
    pdf = FPDF()
    pdf.add_page()
    assert failure(SourceFile.from_bytes("空白.pdf", bytes(pdf.output()))) == (
        "空白.pdf: PDF 里没有文字"
    )


def test_pdf_with_an_open_password_asks_to_remove_it():
    assert failure(fixture("encrypted.pdf")) == (
        "encrypted.pdf: PDF 设置了打开密码，请用密码打开后另存为不加密的 PDF 再导入"
    )


def test_pdf_that_only_restricts_copying_is_read():
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.set_encryption(owner_password="owner")
    pdf.set_font("Courier", size=10)
    pdf.add_page()
    pdf.text(40, 60, "Copying is restricted.")
    assert texts(SourceFile.from_bytes("a.pdf", bytes(pdf.output()))) == ["Copying is restricted."]


def test_pdf_encrypted_with_aes_that_only_restricts_copying_is_read():
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.set_font("Courier", size=10)
    pdf.add_page()
    pdf.text(40, 60, "Copying is restricted.")
    writer = PdfWriter(clone_from=io.BytesIO(bytes(pdf.output())))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    data = io.BytesIO()
    writer.write(data)
    assert texts(SourceFile.from_bytes("a.pdf", data.getvalue())) == ["Copying is restricted."]


def test_pdf_whose_encryption_cannot_be_undone_asks_for_an_unencrypted_copy(monkeypatch):
    def needs_a_library(page, index):
        raise DependencyError("cryptography is required for AES")

    monkeypatch.setattr(pdf_format, "_page_lines", needs_a_library)
    assert failure(fixture("newspaper.pdf")) == (
        "newspaper.pdf: PDF 使用了 AES 加密，无法读取，请打开后另存（或打印）为不加密的 PDF"
    )


def test_damaged_pdf_is_reported():
    assert failure(fixture("corrupt.pdf")) == (
        "corrupt.pdf: PDF 文件已损坏，无法打开（startxref not found）"
    )


# --- Recognition ---------------------------------------------------------------------------


def test_accepts_a_pdf_header_after_leading_bytes():
    assert PdfParser().accepts(b"\r\n\x00junk%PDF-1.4\n")


def test_does_not_accept_other_files():
    assert not PdfParser().accepts(b"PK\x03\x04word/document.xml")


def test_registry_chooses_the_pdf_parser_for_a_pdf():
    assert isinstance(parser_for(fixture("newspaper.pdf")), PdfParser)


def test_registry_recognises_a_pdf_without_its_extension():
    source = SourceFile.from_bytes("下载文件", fixture("newspaper.pdf").read_bytes())
    assert isinstance(parser_for(source), PdfParser)
