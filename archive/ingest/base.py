"""What every input format shares: the parsed article, dropped lines, and the parser interface.

A parser reads one file (a `SourceFile`) and gives a `ParseResult`: the articles it holds
and every line it did not put in one, each with its reason. Free-text formats (plain text,
Markdown, HTML, Word, PDF) give a `Document` of blocks instead and let `archive.ingest.layout`
decide where the title, the metadata and the paragraphs are, so that every format follows
the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# --- Reasons recorded in DroppedLine -----------------------------------------------------
# One place for every reason a line is left out of an article: the dry run, the admin and
# the stored record of each file show them as written here.
REASON_NO_BODY = "无正文的标题"
REASON_NO_BODY_CONTENT = "无正文的标题下的内容"
REASON_REPEATED_TITLE = "重复的标题行"
REASON_TITLE_ECHO = "正文开头重复标题"
REASON_AUTHOR_ECHO = "正文开头重复作者"
REASON_HEADER = "页眉"
REASON_RUNNING_HEAD = "页眉页脚（反复出现的行）"
REASON_PAGE_MARKER = "页码"
REASON_SITE_NOTICE = "文档网站声明"
REASON_SITE_TEASER = "文档网站导语"
REASON_SITE_COUNTER = "网页计数、编辑等信息"
REASON_PAGE_FURNITURE = "网页或公众号的按钮、导航"
REASON_REPEATED_PARAGRAPH = "重复段落"
REASON_DUPLICATE_ARTICLE = "重复文章（保留较完整的一份）"
REASON_IMAGE = "图片"
REASON_MARKUP = "排版标记"
REASON_EMPTY_RECORD = "无标题也无正文的记录"
REASON_NOT_OBJECT = "不是键值对形式的记录（如 JSON 对象）"
REASON_OUTSIDE_RECORD = "不属于任何记录的行"
REASON_UNREADABLE_CHARS = "数据库无法保存的字符（已清除）"


@dataclass
class DroppedLine:
    number: int  # 1-based line number (record number for tables and reference exports)
    text: str  # the raw line, or the removed fragment
    reason: str  # short Chinese reason, one of the REASON_ constants


@dataclass
class ParsedArticle:
    title: str
    subtitle: str = ""  # 引题 and 副题 of a newspaper article, or a heading's second line
    author: str = ""
    publication: str = ""
    issue_label: str = ""
    issue_number: int | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    # One paragraph each; a section heading is written "## text" (see archive.text).
    paragraphs: list[str] = field(default_factory=list)
    url: str = ""
    # A bibliographic record (a reference-manager export): title, abstract and keywords, no text.
    is_record: bool = False
    source_lines: list[tuple[int, str]] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)


@dataclass
class ParseResult:
    articles: list[ParsedArticle]
    dropped: list[DroppedLine] = field(default_factory=list)  # the file's, not an article's
    line_count: int = 0
    # Things the user should know about the file as a whole ("删除图片 3 张").
    notes: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A line or paragraph of a free-text document, as its format gives it."""

    number: int  # line (or paragraph) number in the file, for the dropped list
    text: str
    # "line": a line of plain text, which may be part of a paragraph broken over lines;
    # "paragraph": a whole paragraph, never joined to the next; "heading": a heading.
    kind: str = "line"
    level: int = 0  # heading level, 1 for the top


@dataclass
class PartialDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None


@dataclass
class Document:
    """A free-text file before layout: its blocks and what the format itself says about it."""

    blocks: list[Block]
    title: str = ""
    subtitle: str = ""
    author: str = ""
    publication: str = ""
    # The site a page was saved from: the publication when the text names no source of
    # its own (a page that says 来源：人民日报 reprints an article of that paper).
    site: str = ""
    date: PartialDate | None = None
    url: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    # Lines the format reader left out already (images, markup), with their reasons.
    dropped: list[DroppedLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line_count: int = 0
    # Whether the blocks may hold several articles (a compilation of plain text or a PDF);
    # a format with its own structure (HTML, a Word file with a title) holds one.
    may_be_compilation: bool = True


@dataclass
class ParseOptions:
    """What the user says about the whole import, on the command line or in the admin."""

    # Field name in the file -> field of ours, for tables (`--map body=content`).
    field_map: dict[str, str] = field(default_factory=dict)
    # The file's path as the user sees it, for a file-name title and a date in the path.
    path_hint: str = ""


class ImportFailed(Exception):
    """A file that cannot be imported; the message is one line that names the file."""


class Parser(Protocol):
    """One input format. Registered in archive.ingest.registry."""

    format: str  # short name, e.g. "markdown"
    label: str  # the name users know, e.g. "Markdown"
    extensions: frozenset[str]  # lower-case, with the dot: {".md", ".markdown"}
    # Whether accepts() recognises the format from the content alone (a magic number, the
    # tags of a reference export), so that a file with another extension is still read.
    by_content: bool

    def accepts(self, head: bytes) -> bool:
        """Whether a file that starts with these bytes (up to 8 KB) can be in this format."""
        ...

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        """The file's articles; raises ImportFailed with a clear message for a bad file."""
        ...


# Imported last: sources.py needs ImportFailed from this module.
from archive.ingest.sources import SourceFile  # noqa: E402
