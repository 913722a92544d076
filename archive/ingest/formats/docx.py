"""Word (.docx): paragraphs, headings and tables, with the title and author the file records."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml.etree import _Element

from archive.ingest.base import (
    REASON_IMAGE,
    Block,
    Document,
    DroppedLine,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.layout import continues, lay_out
from archive.ingest.metadata import DATE, DATELINE, split_keywords
from archive.ingest.paragraphs import join_two
from archive.ingest.sniffing import OLE_MAGIC, ZIP_MAGIC, fail
from archive.ingest.sources import SourceFile
from archive.text import has_cjk, squeeze, strip_space

# Word's own style names, and those of Chinese Word and WPS, lower-cased without spaces.
_TITLE_STYLES = frozenset({"title", "标题"})
_SUBTITLE_STYLES = frozenset({"subtitle", "副标题"})
_HEADING_STYLE = re.compile(r"^(?:heading|标题)(\d)$")
# Tables of contents: their lines repeat the headings, with page numbers.
_CONTENTS_STYLE = re.compile(r"^(?:toc|目录)\d?$|^(?:tocheading|目录标题)$")
# An outline level (0–8) makes a paragraph a heading in Word's navigation pane; 9 is body text.
_BODY_OUTLINE_LEVEL = 9
_MAX_STYLE_DEPTH = 10

_CONTENT_TYPES = b"[Content_Types].xml"
# The date a file was created says when its text was written only if the text gives none:
# layout prefers the format's date to one written in the text, so we look for one first,
# among the lines where layout would (the head and the foot of the article).
_HEAD_BLOCKS, _FOOT_BLOCKS = 8, 4
# Word fills in the author from the computer's account and the title from a template; these
# are the names it, WPS and preinstalled Windows copies use, never a writer's.
_PLACEHOLDER_NAMES = frozenset(
    name.casefold()
    for name in (
        "Administrator",
        "Admin",
        "User",
        "Users",
        "Owner",
        "Windows User",
        "Windows 用户",
        "Microsoft Office User",
        "Microsoft",
        "微软用户",
        "微软中国",
        "用户",
        "作者",
        "未知",
        "匿名",
        "Unknown",
        "Author",
        "python-docx",
        "Word Document",
        "Document",
        "文档",
        "Untitled",
        "无标题",
        "PowerPoint Presentation",
        "PowerPoint 演示文稿",
        "雨林木风",
        "番茄花园",
        "深度技术",
        "系统之家",
    )
)
# An account, computer or mail name rather than a person's: DESKTOP-1A2B3C, user01, PC-2019.
_ACCOUNT_NAME = re.compile(
    r"^(?:(?:desktop|laptop|pc|win|user|admin)[-_]?[a-z0-9]*|[a-z0-9_.-]*\d[a-z0-9_.-]*"
    r"|\S+@\S+)$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(
    r"\.(?:docx?|wps|pdf|txt|rtf|odt|indd|tex|pptx?|xlsx?|html?)$|^(?:新建|文档|document)\s*\d*$",
    re.IGNORECASE,
)
# A created date before Word for Windows existed, or one in the future, was not set by Word.
_EARLIEST_YEAR = 1990

_W_P, _W_TBL, _W_SDT, _W_SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_W_CUSTOM_XML = qn("w:customXml")
_W_TR, _W_TC = qn("w:tr"), qn("w:tc")
_W_T, _W_TAB, _W_PTAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:ptab"), qn("w:br"), qn("w:cr")
_W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_W_DRAWING, _W_PICT = qn("w:drawing"), qn("w:pict")
_W_TXBX_CONTENT = qn("w:txbxContent")
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Whose text is not the paragraph's: deleted revisions, field codes, properties; drawings
# and VML pictures (their text boxes are read as paragraphs of their own).
_NOT_TEXT = frozenset(
    {
        qn("w:del"),
        qn("w:moveFrom"),
        qn("w:instrText"),
        qn("w:delText"),
        qn("w:rPr"),
        qn("w:pPr"),
        qn("w:fldData"),
        qn("w:object"),
        _W_DRAWING,
        _W_PICT,
        _MC_ALTERNATE,
    }
)
_PICTURE = qn("pic:pic")
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_SPACES = re.compile(r"[ \t]+")


class DocxParser:
    format = "docx"
    label = "Word"
    extensions = frozenset({".docx"})
    by_content = True

    def accepts(self, head: bytes) -> bool:
        # A .docx is a zip archive whose first members (named in their local headers, which
        # are not compressed) include word/document.xml. Any Office package (its first
        # member is [Content_Types].xml) is taken too: reading it tells an Excel or
        # PowerPoint file named .docx apart, where a guess would only say it is not text.
        return head.startswith(ZIP_MAGIC) and (b"word/" in head or _CONTENT_TYPES in head)

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        return lay_out(read_document(source), source, options)


def read_document(source: SourceFile) -> Document:
    """The file's paragraphs as blocks, with the title, author and keywords it records."""
    word = _open(source)
    styles = {
        style.get(qn("w:styleId"), ""): style
        for style in word.styles.element.findall(qn("w:style"))
        if style.get(qn("w:type")) == "paragraph"
    }
    reader = _BodyReader(styles)
    reader.read(word.element.body)
    document = Document(
        blocks=reader.blocks,
        title=reader.title,
        subtitle=reader.subtitle,
        dropped=reader.dropped,
        line_count=reader.count,
        # A Title paragraph means the writer made one article of the file.
        may_be_compilation=not reader.has_title_style,
    )
    if not document.blocks and not document.title:
        raise fail(source, "Word 文档里没有文字")
    _read_properties(word.core_properties, document)
    images = sum(1 for dropped in document.dropped if dropped.reason == REASON_IMAGE)
    if images:
        document.notes.append(f"删除图片 {images} 张")
    return document


def _open(source: SourceFile):
    head = source.head(4096)
    if head.startswith(OLE_MAGIC):
        # Word saves a .docx with a password as an OLE file holding the encrypted package;
        # any other OLE file is an old .doc (or a WPS file) renamed.
        if "EncryptedPackage".encode("utf-16-le") in source.read_bytes():
            raise fail(source, "Word 文档设置了打开密码，请在 Word 中取消密码后再导入")
        raise fail(source, "其实是旧版 Word 文件（.doc），请用 Word 或 WPS 另存为 .docx 后再导入")
    if not head.startswith(ZIP_MAGIC):
        raise fail(source, "不是 Word 文件（.docx 应是 zip 压缩包），请用 Word 另存为 .docx")
    try:
        with source.open() as handle:
            members = set(zipfile.ZipFile(handle).namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise fail(source, "Word 文件已损坏（压缩包不完整），无法打开") from None
    if "word/document.xml" not in members:
        kind = (
            "Excel 文件"
            if any(name.startswith("xl/") for name in members)
            else "PowerPoint 文件"
            if any(name.startswith("ppt/") for name in members)
            else "Word 文档"
        )
        if kind != "Word 文档":
            raise fail(source, f"是{kind}，不是 Word 文档")
        raise fail(source, "不是有效的 Word 文档（缺少正文 word/document.xml），文件可能已损坏")
    try:
        with source.open() as handle:
            return open_docx(handle)
    except ValueError as error:
        # python-docx opens only documents: a macro-enabled file or a template is refused.
        if "content type" in str(error):
            message = "是启用宏的 Word 文件或 Word 模板，请另存为 .docx 后再导入"
            raise fail(source, message) from None
        raise fail(source, f"Word 文件已损坏，无法读取（{error}）") from None
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise fail(source, f"Word 文件已损坏，无法读取（{error}）") from None
    except SyntaxError as error:  # lxml's XMLSyntaxError: a damaged part of the package
        raise fail(source, f"Word 文件内容已损坏，无法读取（{error.msg}）") from None


class _BodyReader:
    """Walks the document body in order: paragraphs, tables, content controls, text boxes."""

    def __init__(self, styles: dict[str, _Element]) -> None:
        self.blocks: list[Block] = []
        self.dropped: list[DroppedLine] = []
        self.title = ""
        self.subtitle = ""
        self.has_title_style = False
        self.count = 0  # paragraphs and table rows seen, for block numbers
        self._roles: dict[str, tuple[str, int]] = {}
        self._style_elements = styles  # by style id

    def read(self, body: _Element) -> None:
        self._children(body)
        self._heading_as_title()

    # -- walking

    def _children(self, parent: _Element) -> None:
        for child in parent:
            if child.tag == _W_P:
                self._paragraph(child)
            elif child.tag == _W_TBL:
                self._table(child)
            elif child.tag in (_W_SDT, _W_CUSTOM_XML):
                content = child.find(_W_SDT_CONTENT) if child.tag == _W_SDT else child
                if content is not None:
                    self._children(content)

    def _paragraph(self, p: _Element) -> None:
        self.count += 1
        number = self.count
        for image in _images(p):
            self.dropped.append(DroppedLine(number, image, REASON_IMAGE))
        role, level = self._role(p)
        pieces = _pieces(_paragraph_text(p))
        if not pieces or role == "contents":
            pass  # a line of a table of contents repeats a heading that follows
        elif role == "paragraph":
            for piece in _joined(pieces):
                self.blocks.append(Block(number, piece, "paragraph"))
        elif role == "title" and not self.title:
            self.title = " ".join(pieces)
            self.has_title_style = True
        elif role == "subtitle" and not self.subtitle:
            self.subtitle = " ".join(pieces)
        else:
            # A heading; so is a second Title paragraph. A second Subtitle is text.
            kind = "paragraph" if role == "subtitle" else "heading"
            self.blocks.append(Block(number, " ".join(pieces), kind, max(level, 1)))
        for box in _text_boxes(p):
            self._children(box)

    def _table(self, table: _Element) -> None:
        for row in table.iter(_W_TR):
            if _enclosing_table(row) is not table:
                continue  # a row of a table nested in a cell: read with that cell's text
            self.count += 1
            cells = []
            for cell in row.findall(_W_TC):
                text = strip_space(_SPACES.sub(" ", " ".join(_cell_lines(cell))))
                cells.append(text)
            if any(cells):
                self.blocks.append(Block(self.count, " | ".join(cells).strip(), "paragraph"))

    # -- styles

    def _role(self, p: _Element) -> tuple[str, int]:
        """What the paragraph is: title, subtitle, heading (and level), contents or paragraph."""
        ppr = p.find(qn("w:pPr"))
        style_id = ""
        if ppr is not None:
            style = ppr.find(qn("w:pStyle"))
            style_id = style.get(qn("w:val"), "") if style is not None else ""
        role = self._style_role(style_id)
        if role[0] == "paragraph" and ppr is not None:
            level = _outline_level(ppr)
            if level is not None:
                return "heading", level + 1
        return role

    def _style_role(self, style_id: str) -> tuple[str, int]:
        if style_id not in self._roles:
            self._roles[style_id] = self._resolve(style_id)
        return self._roles[style_id]

    def _resolve(self, style_id: str) -> tuple[str, int]:
        # The style's own name decides, else the outline level it sets, else its base's.
        seen = set()
        current = style_id
        while current and current not in seen and len(seen) < _MAX_STYLE_DEPTH:
            seen.add(current)
            element = self._style_elements.get(current)
            names = [current]
            if element is not None:
                name = element.find(qn("w:name"))
                if name is not None:
                    names.insert(0, name.get(qn("w:val"), ""))
            for name in names:
                role = _name_role(name)
                if role is not None:
                    return role
            if element is None:
                break
            ppr = element.find(qn("w:pPr"))
            level = _outline_level(ppr) if ppr is not None else None
            if level is not None:
                return "heading", level + 1
            based = element.find(qn("w:basedOn"))
            current = based.get(qn("w:val"), "") if based is not None else ""
        return "paragraph", 0

    def _heading_as_title(self) -> None:
        """Without a Title paragraph, a first-level heading before any text is the title,
        if it is the only one: where several are, each may head an article of a collection
        or a part of one, and layout decides which from the text."""
        if self.title or not self.blocks:
            return
        first = self.blocks[0]
        tops = sum(1 for block in self.blocks if block.kind == "heading" and block.level == 1)
        if first.kind == "heading" and first.level == 1 and tops == 1:
            self.title = first.text
            del self.blocks[0]


def _name_role(name: str) -> tuple[str, int] | None:
    key = squeeze(name).casefold()
    if key in _TITLE_STYLES:
        return "title", 1
    if key in _SUBTITLE_STYLES:
        return "subtitle", 0
    match = _HEADING_STYLE.match(key)
    if match and match.group(1) != "0":
        return "heading", int(match.group(1))
    if _CONTENTS_STYLE.match(key):
        return "contents", 0
    return None


def _outline_level(ppr: _Element) -> int | None:
    outline = ppr.find(qn("w:outlineLvl"))
    if outline is None:
        return None
    try:
        level = int(outline.get(qn("w:val"), ""))
    except ValueError:
        return None
    return level if 0 <= level < _BODY_OUTLINE_LEVEL else None


# -- text


def _paragraph_text(element: _Element) -> str:
    """The paragraph's visible text, in order: runs, hyperlinks, fields' results, content
    controls and tracked insertions; a line break is "\\n", a tab a space."""
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if tag == _W_T:
            parts.append(child.text or "")
        elif tag in (_W_TAB, _W_PTAB):
            parts.append(" ")
        elif tag in (_W_BR, _W_CR):
            parts.append("\n")
        elif tag == _W_NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag not in _NOT_TEXT and isinstance(tag, str):
            parts.append(_paragraph_text(child))
    return "".join(parts)


def _pieces(text: str) -> list[str]:
    return [
        piece
        for piece in (strip_space(_SPACES.sub(" ", line)) for line in text.split("\n"))
        if piece
    ]


def _joined(pieces: list[str]) -> list[str]:
    """The lines of a paragraph broken by line breaks (Shift+Enter): a line break in the
    middle of a sentence (text pasted from a PDF) is joined, as layout joins broken lines;
    one after a sentence starts a paragraph, as it looks on the page."""
    joined: list[str] = []
    for piece in pieces:
        if joined and continues(joined[-1], piece, soft_breaks=False):
            joined[-1] = join_two(joined[-1], piece)
        else:
            joined.append(piece)
    return joined


def _cell_lines(cell: _Element) -> Iterator[str]:
    for element in cell.iter(_W_P):
        yield from _pieces(_paragraph_text(element))


def _enclosing_table(row: _Element) -> _Element | None:
    parent = row.getparent()
    while parent is not None and parent.tag != _W_TBL:
        parent = parent.getparent()
    return parent


def _images(p: _Element) -> Iterator[str]:
    """A name for each picture in the paragraph: its alternative text, else Word's name."""
    for drawing in p.iter(_W_DRAWING):
        if _own(drawing, p) and any(_own(picture, p) for picture in drawing.iter(_PICTURE)):
            properties = next(drawing.iter(_DOC_PR), None)
            name = ""
            if properties is not None:
                name = properties.get("descr") or properties.get("name") or ""
            yield strip_space(name) or "图片"
    for pict in p.iter(_W_PICT):
        if _own(pict, p) and any(_own(image, p) for image in pict.iter(_VML_IMAGE)):
            yield "图片"


def _text_boxes(p: _Element) -> Iterator[_Element]:
    for box in p.iter(_W_TXBX_CONTENT):
        if _own(box, p):
            yield box


def _own(element: _Element, paragraph: _Element) -> bool:
    """Whether the element belongs to the paragraph itself: not to a text box in it (read
    as paragraphs of their own), nor to the VML copy Word writes of each drawing for older
    readers (the drawing itself is read)."""
    parent = element.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag in (_MC_FALLBACK, _W_TXBX_CONTENT):
            return False
        parent = parent.getparent()
    return True


# -- properties


def _read_properties(properties, document: Document) -> None:
    title = strip_space(properties.title or "")
    if not document.title and recorded_title(title, document.blocks):
        document.title = title
    author = strip_space(properties.author or "")
    if looks_like_person(author):
        document.author = author
    subject = strip_space(properties.subject or "")
    if (
        not document.subtitle
        and looks_like_title(subject)
        and squeeze(subject) != squeeze(document.title)
    ):
        document.subtitle = subject
    document.keywords = split_keywords(properties.keywords or "")
    if not _text_has_date(document.blocks):
        document.date = created_date(properties.created)


def created_date(created: datetime | None) -> PartialDate | None:
    """The day the file was created, as a date for its article.

    Word sets it when the file is first saved, and keeps it through later edits: for a file
    someone wrote, the day of writing. Only the day is taken; the time is the computer's.
    """
    if created is None or not _EARLIEST_YEAR <= created.year <= datetime.now().year:
        return None
    return PartialDate(created.year, created.month, created.day)


def _text_has_date(blocks: list[Block]) -> bool:
    edge = blocks[:_HEAD_BLOCKS] + blocks[-_FOOT_BLOCKS:]
    return any(DATE.search(block.text) or DATELINE.match(block.text) for block in edge)


def recorded_title(title: str, blocks: list[Block]) -> bool:
    """Whether a title recorded in the file's properties is the text's: it must look like a
    title and open the text. Properties outlive their text: a file made from a template or
    saved over another one keeps the title that file had."""
    if not looks_like_title(title):
        return False
    return squeeze(title) in squeeze("".join(block.text for block in blocks[:_HEAD_BLOCKS]))


def looks_like_title(text: str) -> bool:
    """Whether a title recorded in a file's properties is the writer's, not a placeholder:
    not empty, not a template's or program's default, not a file name."""
    if not text or text.casefold() in _PLACEHOLDER_NAMES:
        return False
    if text.lower().startswith(("microsoft word - ", "microsoft powerpoint - ")):
        return False
    if _FILE_NAME.search(text) or re.fullmatch(r"[\W\d_]*", text):
        return False
    # A title in a legacy encoding read as Latin-1 is mojibake: Latin-1 letters, no Chinese.
    return not re.search(r"[\x80-\xff]", text) or has_cjk(text)


def looks_like_person(text: str) -> bool:
    """Whether an author recorded in a file's properties names a person: not the name of
    the computer's account or a default that Word and preinstalled Windows copies fill in."""
    if not looks_like_title(text):
        return False
    return not _ACCOUNT_NAME.match(squeeze(text))
