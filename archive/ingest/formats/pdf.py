"""PDF: the text layer, page by page, as paragraphs without running heads and page numbers.

pypdf reads the text in the order it is drawn ("plain" mode), with the position and size of
each run of text. That order keeps a line of Chinese whole and the columns of a newspaper
page apart; pypdf's "layout" mode also keeps lines whole, but sets columns side by side on
one line. The positions place the top and bottom lines of a page (where running heads and
page numbers are, whatever their order in the file), show the first-line indent of a
paragraph, and measure a line against the page's full lines: a line that does not reach
the margin ends its paragraph.
"""

from __future__ import annotations

import io
import logging
import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from archive.ingest.base import (
    REASON_PAGE_MARKER,
    REASON_RUNNING_HEAD,
    Block,
    Document,
    DroppedLine,
    ImportFailed,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.formats.docx import looks_like_person, recorded_title
from archive.ingest.layout import lay_out
from archive.ingest.metadata import DATE, date_of, split_keywords
from archive.ingest.noise import PAGE_NUMBER_LINE
from archive.ingest.paragraphs import ends_sentence, join_two
from archive.ingest.sniffing import PDF_MAGIC, fail
from archive.ingest.sources import SourceFile
from archive.text import has_cjk, squeeze, strip_space

logger = logging.getLogger(__name__)

# A PDF may have bytes before its header (the specification allows them in the first 1 KB).
HEADER_WINDOW = 1024
# Running heads and page numbers are among this many lines at the top and at the bottom.
EDGE_LINES = 2
# A line repeated at the edge of this many pages (all of them, in a shorter file) is a
# running head; fewer could be two articles that open with the same byline.
RUNNING_HEAD_PAGES = 3
MAX_RUNNING_HEAD_CHARS = 40
# A line narrower than this share of the page's full lines ends its paragraph; so does one
# that ends a sentence and is narrower than the second share (with hanging punctuation,
# a full line is a character wider than one that only reaches the margin).
FULL_LINE_SHARE = 0.85
SENTENCE_LINE_SHARE = 0.93
# The full line of a page: this quantile of its line widths (most lines of prose are full).
FULL_LINE_QUANTILE = 0.8
# A page with fewer lines than this is measured against the whole file's lines.
MIN_MEASURED_LINES = 6
# A first-line indent is between these many characters (of the line's size) wide.
MIN_INDENT_EMS, MAX_INDENT_EMS = 0.5, 4.0
# A gap between lines this many times the usual line spacing separates paragraphs.
PARAGRAPH_GAP = 1.6
# Type this much larger or smaller is another kind of line (a headline, a caption).
SIZE_CHANGE = 0.15

# Page numbers beside those of printed text (noise.PAGE_NUMBER_LINE): "Page 3 of 12",
# "·3·", "第3版", "共12页 第3页", "（3）", roman numerals of front matter.
_PAGE_NUMBER_EXTRA = re.compile(
    r"^(?:page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[·•\[【（(]\s*\d{1,4}\s*[·•\]】）)]"
    r"|第\s*[\d一二三四五六七八九十]{1,4}\s*版|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|[ivxlc]{1,6})$",
    re.IGNORECASE,
)
_NUMBERS = re.compile(r"[\d〇一二三四五六七八九十]+")
_INDENT = re.compile(r"^(?:\u3000|\s{2,})")


@dataclass
class _Line:
    """A line of text as drawn on a page, with where and how large (None: not known)."""

    page: int
    text: str
    x: float | None
    y: float | None
    size: float
    indented: bool = False  # starts with spaces set as an indent
    number: int = 0

    @property
    def width(self) -> float:
        return _ems(self.text) * self.size


class PdfParser:
    format = "pdf"
    label = "PDF"
    extensions = frozenset({".pdf"})
    by_content = True

    def accepts(self, head: bytes) -> bool:
        return PDF_MAGIC in head[:HEADER_WINDOW]

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        return lay_out(read_document(source), source, options)


def read_document(source: SourceFile) -> Document:
    """The PDF's paragraphs, with its running heads and page numbers dropped."""
    reader = _open(source)
    pages: list[list[_Line]] = []
    notes: list[str] = []
    broken_pages: list[int] = []
    try:
        page_objects = list(reader.pages)
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        raise fail(source, f"PDF 文件已损坏，无法读取页面（{_reason(error)}）") from None
    for index, page in enumerate(page_objects, 1):
        try:
            pages.append(_page_lines(page, index))
        except DependencyError:
            # AES needs a cryptography library; the password check may not, the text does.
            raise _unreadable_encryption(source) from None
        except Exception as error:  # one damaged page need not lose the others
            logger.info("%s: page %d unreadable: %s", source.label, index, error)
            broken_pages.append(index)
            pages.append([])
    number = 0
    for lines in pages:
        for line in lines:
            number += 1
            line.number = number
    if number == 0:
        if broken_pages:
            raise fail(source, "PDF 文件已损坏，无法读出文字")
        if any(_has_pictures(page) for page in page_objects):
            raise fail(source, "是扫描的 PDF（没有文字层），请先用 OCR 识别文字后再导入")
        raise fail(source, "PDF 里没有文字")
    pictures_only = [
        index
        for index, (lines, page) in enumerate(zip(pages, page_objects, strict=True), 1)
        if not lines and index not in broken_pages and _has_pictures(page)
    ]
    if pictures_only:
        notes.append(f"第 {_page_list(pictures_only)} 页没有文字层（可能是扫描页），未导入")
    if broken_pages:
        notes.append(f"第 {_page_list(broken_pages)} 页已损坏，无法读取，未导入")
    dropped = _drop_page_furniture(pages)
    body = [line for lines in pages for line in lines if line.number not in dropped]
    document = Document(
        blocks=[Block(first, text, "paragraph") for first, text in _paragraphs(body)],
        dropped=sorted(dropped.values(), key=lambda dropped_line: dropped_line.number),
        notes=notes,
        line_count=number,
    )
    document.date = _running_head_date(document.dropped)
    _read_metadata(reader, document)
    return document


def _open(source: SourceFile) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(source.read_bytes()))
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        raise fail(source, f"PDF 文件已损坏，无法打开（{_reason(error)}）") from None
    if reader.is_encrypted:
        # pypdf has tried the empty password: a file that only restricts copying or printing
        # opens with it; one that asks for a password to open does not.
        try:
            opened = reader.decrypt("")
        except DependencyError:
            raise _unreadable_encryption(source) from None
        except (FileNotDecryptedError, PdfReadError, NotImplementedError) as error:
            raise fail(source, f"PDF 加了密，无法读取（{_reason(error)}）") from None
        if not opened:
            raise fail(source, "PDF 设置了打开密码，请用密码打开后另存为不加密的 PDF 再导入")
    return reader


def _unreadable_encryption(source: SourceFile) -> ImportFailed:
    return fail(source, "PDF 使用了 AES 加密，无法读取，请打开后另存（或打印）为不加密的 PDF")


def _reason(error: Exception) -> str:
    return str(error).strip() or type(error).__name__


def _page_list(numbers: list[int]) -> str:
    return "、".join(str(number) for number in numbers)


def _has_pictures(page: PageObject) -> bool:
    """Whether the page draws pictures (or forms, which may hold them)."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        return bool(resources.get("/XObject"))
    except Exception:  # damaged resources: nothing to tell about the page
        return False


# -- lines


def _page_lines(page: PageObject, index: int) -> list[_Line]:
    """The page's lines in the order they are drawn, each where its first text is."""
    lines: list[_Line] = []
    parts: list[str] = []
    start: tuple[float, float, float] | None = None
    size = 0.0

    def finish() -> None:
        nonlocal parts, start
        raw = "".join(parts)
        text = strip_space(raw)
        if text:
            x, y, line_size = start if start else (None, None, size)
            lines.append(_Line(index, text, x, y, line_size, bool(_INDENT.match(raw))))
        parts, start = [], None

    def visit(text: str, cm: list[float], tm: list[float], font: object, font_size: float):
        nonlocal start, size
        matrix = _multiply(tm, cm)
        scale = math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])) or 1.0
        size = font_size * scale
        pieces = text.split("\n")
        for position, piece in enumerate(pieces):
            if position:
                finish()
            if piece.strip() and start is None:
                # Only the first piece of a run starts where the run does.
                start = (matrix[4], matrix[5], size) if position == 0 else (None, None, size)
            parts.append(piece)

    page.extract_text(extraction_mode="plain", visitor_text=visit)
    finish()
    return lines


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _ems(text: str) -> float:
    """The width of the text in characters of its size: Chinese one each, Latin half.

    Quotes, dashes and ellipses are as wide as a Chinese character in Chinese type, half
    as wide in Latin type (Unicode calls their width ambiguous).
    """
    wide = "WFA" if has_cjk(text) else "WF"
    return sum(1.0 if unicodedata.east_asian_width(char) in wide else 0.5 for char in text)


# -- running heads and page numbers


def is_page_number(text: str) -> bool:
    text = strip_space(text)
    return bool(PAGE_NUMBER_LINE.match(text) or _PAGE_NUMBER_EXTRA.match(text))


def _edges(lines: list[_Line]) -> list[_Line]:
    """The top and bottom lines of a page: by position where known, else by order."""
    if all(line.y is not None for line in lines) and len({line.y for line in lines}) > 1:
        ordered = sorted(lines, key=lambda line: -line.y)  # PDF's y grows upwards
    else:
        ordered = lines
    return ordered[:EDGE_LINES] + ordered[EDGE_LINES:][-EDGE_LINES:]


def _head_key(line: _Line) -> tuple[str, int]:
    # The same head on every page but for its page number or date, in the same type.
    return _NUMBERS.sub("#", squeeze(line.text)), round(line.size)


def _drop_page_furniture(pages: list[list[_Line]]) -> dict[int, DroppedLine]:
    """Page numbers and running heads at the edges of the pages, by line number."""
    dropped: dict[int, DroppedLine] = {}
    edges = [_edges(lines) for lines in pages]
    seen = Counter(
        key
        for page_edges in edges
        for key in {
            _head_key(line)
            for line in page_edges
            if len(squeeze(line.text)) <= MAX_RUNNING_HEAD_CHARS
        }
    )
    text_pages = sum(1 for lines in pages if lines)
    needed = min(RUNNING_HEAD_PAGES, max(2, text_pages))
    for page_edges in edges:
        for line in page_edges:
            if is_page_number(line.text):
                dropped[line.number] = DroppedLine(line.number, line.text, REASON_PAGE_MARKER)
            elif seen[_head_key(line)] >= needed:
                dropped[line.number] = DroppedLine(line.number, line.text, REASON_RUNNING_HEAD)
    return dropped


def _running_head_date(dropped: list[DroppedLine]) -> PartialDate | None:
    """The date a newspaper or journal prints in the running head of its pages (the issue's
    date), if the heads give one and no other."""
    dates = set()
    for line in dropped:
        match = DATE.search(line.text) if line.reason == REASON_RUNNING_HEAD else None
        if match:
            date = date_of(match)
            dates.add((date.year, date.month, date.day))
    return PartialDate(*dates.pop()) if len(dates) == 1 else None


# -- paragraphs


@dataclass
class _Measure:
    """What a full line and the usual line spacing are on a page."""

    full_width: float
    leading: float | None


def _quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _measures(body: list[_Line]) -> dict[int, _Measure]:
    by_page: dict[int, list[_Line]] = {}
    for line in body:
        by_page.setdefault(line.page, []).append(line)
    everywhere = _body_width(body)
    measures = {}
    for page, lines in by_page.items():
        width = _body_width(lines) if len(lines) >= MIN_MEASURED_LINES else everywhere
        measures[page] = _Measure(width, _leading(lines))
    return measures


def _body_width(lines: list[_Line]) -> float:
    # Measured on the lines of the most common size: the body text, not headlines.
    sizes = Counter(round(line.size, 1) for line in lines)
    body_size = sizes.most_common(1)[0][0]
    widths = [_span(line, None) for line in lines if round(line.size, 1) == body_size]
    return _quantile(widths, FULL_LINE_QUANTILE)


def _leading(lines: list[_Line]) -> float | None:
    steps = [
        above.y - below.y
        for above, below in zip(lines, lines[1:], strict=False)
        if above.y is not None
        and below.y is not None
        and above.y > below.y
        and abs(above.size - below.size) <= SIZE_CHANGE * above.size
    ]
    return statistics.median(steps) if steps else None


def _indent(line: _Line, other: _Line) -> float:
    """How far `line` starts right of `other`, in characters of its size (0 if unknown)."""
    if line.x is None or other.x is None or not line.size:
        return 0.0
    return (line.x - other.x) / line.size


def _is_indent(ems: float) -> bool:
    return MIN_INDENT_EMS <= ems <= MAX_INDENT_EMS


def _span(line: _Line, following: _Line | None) -> float:
    """The line's width, with its first-line indent when the next line shows it."""
    width = line.width
    if following is not None:
        indent = _indent(line, following)
        if _is_indent(indent):
            width += indent * line.size
    return width


def _ends_paragraph(line: _Line, following: _Line, measure: _Measure) -> bool:
    if following.indented or _is_indent(_indent(following, line)):
        return True  # the next line is indented as a paragraph's first line
    if abs(following.size - line.size) > SIZE_CHANGE * max(line.size, following.size):
        return True  # a headline, a heading or a caption
    if (
        following.page == line.page
        and measure.leading
        and line.y is not None
        and following.y is not None
        and line.y - following.y > PARAGRAPH_GAP * measure.leading
    ):
        return True  # space between paragraphs
    span = _span(line, following)
    if span < FULL_LINE_SHARE * measure.full_width:
        return True
    return ends_sentence(line.text) and span < SENTENCE_LINE_SHARE * measure.full_width


def _paragraphs(body: list[_Line]) -> Iterable[tuple[int, str]]:
    """(number of the first line, text) of each paragraph the lines make."""
    if not body:
        return
    measures = _measures(body)
    first, text = body[0].number, body[0].text
    for line, following in zip(body, body[1:], strict=False):
        if _ends_paragraph(line, following, measures[line.page]):
            yield first, text
            first, text = following.number, following.text
        else:
            text = join_two(text, following.text)
    yield first, text


# -- metadata


def _read_metadata(reader: PdfReader, document: Document) -> None:
    # The creation date is when the PDF was made (exported, scanned, printed), not when its
    # text was written: it is not taken as the article's date.
    try:
        info = reader.metadata
    except Exception:  # a damaged information dictionary: the text is still good
        return
    if info is None:
        return
    title = strip_space(_text(info.get("/Title")))
    if recorded_title(title, document.blocks):
        document.title = title
    author = strip_space(_text(info.get("/Author")))
    if looks_like_person(author):
        document.author = author
    document.keywords = split_keywords(_text(info.get("/Keywords")))


def _text(value: object) -> str:
    try:
        value = value.get_object() if hasattr(value, "get_object") else value
    except Exception:
        return ""
    return value if isinstance(value, str) else ""
