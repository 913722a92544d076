"""Markdown: clippings and notes, with their YAML front matter, as a Document of blocks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core.normalize import NEWLINES_RE
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

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
from archive.ingest.layout import lay_out
from archive.ingest.metadata import URL, parse_date, split_keywords
from archive.ingest.paragraphs import join_lines
from archive.ingest.sniffing import is_binary, read_text
from archive.ingest.sources import SourceFile
from archive.text import CJK, squeeze, strip_space

# CommonMark with the two extensions clippers write: pipe tables and ~~struck~~ text.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _normalize_line_ends(state: StateCore) -> None:
    # CommonMark also turns NUL into U+FFFD, which would hide it: kept, so that the importer
    # removes it and reports its line, as for every format (importer.remove_unstorable).
    state.src = NEWLINES_RE.sub("\n", state.src)


_MARKDOWN.core.ruler.at("normalize", _normalize_line_ends)

# Front matter keys, lower-cased, in order of preference. Clippers and note apps name the
# same thing differently; Chinese keys are what people type by hand.
_TITLE_KEYS = ("title", "标题")
_AUTHOR_KEYS = ("author", "authors", "作者")
_DATE_KEYS = ("date", "published", "publish_date", "pubdate", "发布时间", "日期", "时间")
_PUBLICATION_KEYS = ("publication", "source", "site", "site_name", "来源", "出处")
_URL_KEYS = ("url", "link", "source_url", "original_url", "链接", "原文链接")
_KEYWORD_KEYS = ("tags", "keywords", "关键词", "标签")
_ABSTRACT_KEYS = ("description", "summary", "abstract", "摘要")
_SUBTITLE_KEYS = ("subtitle", "副标题")
# A wiki link, as note apps write people and tags: [[张三]], [[张三|笔名]].
_WIKI_LINK = re.compile(r"^\[\[(?:[^\]|]*\|)?([^\]]*)\]\]$")
# A first line of front matter that reads "key: value" makes broken YAML a front matter
# still; anything else between two --- lines is Markdown (a rule and a setext heading).
_KEY_LINE = re.compile(rf"^\s*[\w{CJK}-]+\s*[:：]")
_TAG_NAME = re.compile(r"^<\s*/?\s*([a-zA-Z][\w-]*)")
# HTML elements whose end starts a new block of text; the text of the rest runs on.
_HTML_BLOCKS = frozenset(
    "address article aside blockquote center dd div dl dt figcaption figure footer h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_HTML_HIDDEN = frozenset({"script", "style", "template"})


class MarkdownParser:
    format = "markdown"
    label = "Markdown"
    extensions = frozenset({".md", ".markdown", ".mdown"})
    by_content = False

    def accepts(self, head: bytes) -> bool:
        return not is_binary(head)

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        return lay_out(read_document(source), source, options)


def read_document(source: SourceFile) -> Document:
    """The file's blocks and what its front matter and first heading say about it."""
    lines = read_text(source).split("\n")
    document = Document(blocks=[], line_count=len(lines))
    body_start = _read_front_matter(lines, document)
    # Front matter lines blanked rather than cut, so that token line numbers are file lines.
    body = "\n".join([""] * body_start + lines[body_start:])
    _BodyReader(lines, document).read(_MARKDOWN.parse(body))
    images = sum(1 for dropped in document.dropped if dropped.reason == REASON_IMAGE)
    if images:
        document.notes.append(f"删除图片 {images} 张")
    document.dropped.sort(key=lambda dropped: dropped.number)
    document.may_be_compilation = not document.title
    return document


# --- Front matter ------------------------------------------------------------------------


def _read_front_matter(lines: list[str], document: Document) -> int:
    """Fill the document from the front matter; the number of lines it takes (0 if none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return 0
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        first = next((line for line in lines[1:end] if line.strip()), "")
        if not _KEY_LINE.match(first):
            return 0
        for number in range(1, end + 2):
            document.dropped.append(DroppedLine(number, lines[number - 1], REASON_MARKUP))
        where = getattr(error, "problem_mark", None)
        at = f"第 {where.line + 2} 行" if where is not None else ""
        document.notes.append(f"文件开头的 YAML 信息{at}有误，未能读取，已略去")
        return end + 1
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return 0
    _apply_front_matter({str(key).strip().lower(): value for key, value in data.items()}, document)
    return end + 1


def _apply_front_matter(data: dict[str, Any], document: Document) -> None:
    def first(keys: tuple[str, ...]) -> Any:
        return next((data[key] for key in keys if _text(data.get(key))), None)

    document.title = _text(first(_TITLE_KEYS))
    aliases = [_text(alias) for alias in _as_list(data.get("aliases", data.get("alias")))]
    aliases = [alias for alias in aliases if alias]
    if not document.title and aliases:
        document.title = aliases.pop(0)
    if aliases:
        document.notes.append("其他标题（aliases）：" + "；".join(aliases))
    document.subtitle = _text(first(_SUBTITLE_KEYS))
    authors = [_unwiki(_text(name)) for name in _as_list(first(_AUTHOR_KEYS))]
    document.author = "；".join(name for name in authors if name)
    document.date = _date(first(_DATE_KEYS))
    # Clippers write the page's address under "source"; a name there is the publication.
    for value in (_text(first(_URL_KEYS)), _text(data.get("source"))):
        if URL.match(value):
            document.url = value
            break
    names = [_text(data.get(key)) for key in _PUBLICATION_KEYS]
    document.publication = _unwiki(next((n for n in names if n and not URL.match(n)), ""))
    document.abstract = _text(first(_ABSTRACT_KEYS))
    keywords: list[str] = []
    for value in _as_list(first(_KEYWORD_KEYS)):
        parts = [value] if not isinstance(value, str) else split_keywords(value)
        for part in parts:
            keyword = _unwiki(_text(part)).lstrip("#")
            if keyword and keyword not in keywords:
                keywords.append(keyword)
    document.keywords = keywords


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list | tuple):
        return "；".join(text for text in (_text(item) for item in value) if text)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return strip_space(str(value))


def _unwiki(text: str) -> str:
    match = _WIKI_LINK.match(text)
    return strip_space(match.group(1)) if match else text


def _date(value: Any) -> PartialDate | None:
    """A date as YAML gives it: a date, a year, or text ("2024年6月3日", "2024-06")."""
    if isinstance(value, dt.date | dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return PartialDate(year=value) if 1000 <= value <= 2999 else None
    text = _text(value)
    return parse_date(text) if text else None


# --- Body --------------------------------------------------------------------------------


@dataclass
class _Piece:
    """Text of one source line (or of a part of it cut by <br>), with what was removed."""

    number: int
    text: str = ""
    markup: bool = False
    images: list[str] = field(default_factory=list)


class _BodyReader:
    def __init__(self, lines: list[str], document: Document) -> None:
        self.lines = lines
        self.document = document
        self.blocks = document.blocks
        self.front_title = document.title
        self.last_line = 0  # the last source line that gave a block
        self.prefix: str | None = None  # "3. " of an ordered list item, "" of a bullet
        self.ordered: list[bool] = []
        self.row: list[str] | None = None
        self.row_line = 0

    def read(self, tokens: list[Token]) -> None:
        heading: Token | None = None
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                heading = token
            elif kind == "inline" and heading is not None:
                self._heading(heading, token)
                heading = None
            elif kind == "inline" and self.row is not None:
                pieces = self._pieces(token)
                self._drop_removed(pieces)
                self.row.append(join_lines([piece.text for piece in pieces if piece.text]))
            elif kind == "inline":
                self._paragraph(token)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.ordered.append(kind == "ordered_list_open")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.ordered.pop()
            elif kind == "list_item_open":
                self.prefix = f"{token.info}{token.markup} " if self.ordered[-1] else ""
            elif kind == "list_item_close":
                self.prefix = None
            elif kind == "tr_open":
                self.row, self.row_line = [], _line(token)
            elif kind == "tr_close":
                self._row()
            elif kind == "fence":
                self._code(token, start=_line(token) + 1, kind="paragraph")
            elif kind == "code_block":
                # Indented "code" in a clipping is text indented by spaces.
                self._code(token, start=_line(token), kind="line")
            elif kind == "html_block":
                self._html_block(token)
            elif kind == "hr":
                self._drop(_line(token), self.lines[_line(token) - 1], REASON_MARKUP)

    # -- emitting

    def _emit(self, number: int, text: str, kind: str, level: int = 0) -> None:
        if self.blocks and number > self.last_line + 1:
            gap = range(self.last_line + 1, number)
            blank = next((n for n in gap if not self.lines[n - 1].strip()), None)
            if blank is not None:
                self.blocks.append(Block(blank, "", "blank"))
        self.blocks.append(Block(number, text, kind, level))
        self.last_line = max(self.last_line, number)

    def _drop(self, number: int, text: str, reason: str) -> None:
        self.document.dropped.append(DroppedLine(number, text, reason))

    def _emit_pieces(self, pieces: list[_Piece]) -> None:
        """A paragraph's lines: one block each, or one "paragraph" block if it has one."""
        self._drop_removed(pieces)
        texts = [piece for piece in pieces if piece.text]
        if not texts:
            return
        if self.prefix is not None:
            # A list item is one block, numbered as the list numbers it.
            text = self.prefix + join_lines([piece.text for piece in texts])
            self.prefix = None  # later paragraphs of the item are paragraphs of their own
            self._emit(texts[0].number, text, "paragraph")
            for piece in texts[1:]:
                self.last_line = max(self.last_line, piece.number)
            return
        kind = "paragraph" if len(texts) == 1 else "line"
        for piece in texts:
            self._emit(piece.number, piece.text, kind)

    def _drop_removed(self, pieces: list[_Piece]) -> None:
        by_line: dict[int, list[_Piece]] = {}
        for piece in pieces:
            by_line.setdefault(piece.number, []).append(piece)
            for image in piece.images:
                self._drop(piece.number, image, REASON_IMAGE)
        for number, parts in by_line.items():
            empty = not any(part.text or part.images for part in parts)
            if empty and any(part.markup for part in parts) and self.lines[number - 1].strip():
                self._drop(number, self.lines[number - 1].strip(), REASON_MARKUP)

    # -- block tokens

    def _heading(self, heading: Token, inline: Token) -> None:
        level = int(heading.tag[1:])
        pieces = self._pieces(inline)
        self._drop_removed(pieces)
        text = join_lines([piece.text for piece in pieces if piece.text])
        if not text:
            return
        number = _line(heading)
        if level == 1 and not self.blocks and not self.document.title:
            self.document.title = text
            self.document.url = self.document.url or _only_link(inline)
            self.last_line = number
            return
        if level == 1 and not self.blocks and squeeze(text) == squeeze(self.front_title):
            self.document.url = self.document.url or _only_link(inline)
            self._drop(number, self.lines[number - 1].strip(), REASON_REPEATED_TITLE)
            return
        self._emit(number, text, "heading", level)

    def _paragraph(self, inline: Token) -> None:
        self._emit_pieces(self._pieces(inline))

    def _row(self) -> None:
        cells, self.row = self.row or [], None
        if any(cells):
            self._emit(self.row_line, " | ".join(cells), "paragraph")

    def _code(self, token: Token, *, start: int, kind: str) -> None:
        for offset, text in enumerate(token.content.split("\n")):
            if strip_space(text):
                self._emit(start + offset, strip_space(text), kind)

    def _html_block(self, token: Token) -> None:
        reader = _HtmlText(_line(token))
        reader.feed(token.content)
        reader.close()
        for group, kind, level in reader.groups():
            if kind == "heading":
                self._drop_removed(group)
                text = join_lines([piece.text for piece in group if piece.text])
                if text:
                    self._emit(group[0].number, text, "heading", level)
            else:
                self._emit_pieces(group)
        given = {piece.number for group, _, _ in reader.groups() for piece in group}
        for number in range(_line(token), token.map[1] + 1 if token.map else 0):
            # Lines of only tags or a comment: the markup is all there was.
            if number not in given and self.lines[number - 1].strip():
                self._drop(number, self.lines[number - 1].strip(), REASON_MARKUP)

    # -- inline tokens

    def _pieces(self, inline: Token) -> list[_Piece]:
        """The inline text line by line: links as their text, images and tags removed."""
        piece = _Piece(_line(inline))
        pieces = [piece]

        def new(number: int) -> _Piece:
            nonlocal piece
            piece = _Piece(number)
            pieces.append(piece)
            return piece

        for child in inline.children or []:
            kind = child.type
            if kind in ("softbreak", "hardbreak"):
                new(piece.number + 1)
            elif kind == "image":
                piece.images.append(f"![{child.content}]({child.attrs.get('src', '')})")
            elif kind == "html_inline":
                name = _tag_name(child.content)
                if name == "br":
                    new(piece.number).markup = True
                elif name == "img":
                    piece.images.append(child.content)
                else:
                    piece.markup = True
                for _ in range(child.content.count("\n")):
                    new(piece.number + 1).markup = True
            elif kind in ("text", "code_inline"):
                piece.text += child.content
        for each in pieces:
            each.text = strip_space(each.text)
        return pieces


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def _only_link(inline: Token) -> str:
    """The address of a heading that is one link: # [标题](url)."""
    children = [c for c in inline.children or [] if c.type != "text" or c.content.strip()]
    if len(children) >= 2 and children[0].type == "link_open" and children[-1].type == "link_close":
        href = str(children[0].attrs.get("href", ""))
        return href if URL.match(href) else ""
    return ""


class _HtmlText(HTMLParser):
    """The text of a block of HTML in Markdown, line by line, grouped by its elements."""

    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self._groups: list[tuple[list[_Piece], str, int]] = []
        self._hidden = 0
        self._start_group()

    def _start_group(self, kind: str = "", level: int = 0) -> None:
        self._groups.append(([], kind, level))

    def _piece(self, number: int) -> _Piece:
        group = self._groups[-1][0]
        if not group or group[-1].number != number:
            group.append(_Piece(number))
        return group[-1]

    def _number(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_HIDDEN:
            self._hidden += 1
        elif tag == "img":
            self._piece(self._number()).images.append(self.get_starttag_text() or "<img>")
        elif tag == "br":
            self._groups[-1][0].append(_Piece(self._number()))
        elif tag in _HTML_BLOCKS:
            heading = re.fullmatch(r"h([1-6])", tag)
            if heading:
                self._start_group("heading", int(heading.group(1)))
            else:
                self._start_group()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _HTML_BLOCKS:
            self._start_group()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        number = self._number()
        for offset, part in enumerate(data.split("\n")):
            if strip_space(part):
                self._piece(number + offset).text += part

    def groups(self) -> list[tuple[list[_Piece], str, int]]:
        for pieces, _, _ in self._groups:
            for piece in pieces:
                piece.text = strip_space(piece.text)
        return [(pieces, kind, level) for pieces, kind, level in self._groups if pieces]
