"""Web pages saved from a browser: the article's text and metadata, without the page around it.

trafilatura decides which text on the page is the article (it knows navigation, sidebars,
footers, comments and ads when it sees them) and reads the page's metadata. The blocks are
then read from the page itself, inside the stretch trafilatura kept: so headings, line
breaks, list items and table rows keep their shape and source lines, and short lines that
repeat (the refrain of a post) are not merged into one, whichever way trafilatura got there.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from archive.ingest.base import (
    REASON_REPEATED_TITLE,
    Block,
    Document,
    DroppedLine,
    ParseOptions,
    ParseResult,
)
from archive.ingest.layout import lay_out
from archive.ingest.metadata import URL, parse_date, read_metadata_line, split_keywords
from archive.ingest.sniffing import SNIFF_BYTES, fail, is_binary, plausibly_chinese
from archive.ingest.sources import SourceFile
from archive.ingest.titles import MAX_SITE_CHARS, split_site_suffix, strip_site_suffix
from archive.text import CJK, squeeze, strip_space

logger = logging.getLogger(__name__)

# How far into the file the markers of a page are looked for.
HEAD_CHARS = 1024
# Metadata lines (来源：X 作者：Y 发布时间：Z) just above the text are looked for this far back.
MAX_HEAD_METADATA = 3
# A block of text this long found in the extracted text marks where the article is; shorter
# ones ("首页", "党建") may be navigation that happens to share words with it.
MIN_ANCHOR_CHARS = 8
# A block of the page mostly made of links is navigation ("相关阅读", "上一篇").
MAX_LINK_SHARE = 0.5
# A page title is at most this long; a longer <h1> is not one.
MAX_TITLE_CHARS = 180

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# Names pages give Chinese encodings; GB18030 reads all of them (and what they left out).
_GB_NAMES = frozenset({"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "gb18030", "euc-cn"})
_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_MARK = re.compile(r"<html[\s>]|<!doctype\s+html", re.IGNORECASE)
# What may come before the <html> of a page: a BOM, an XML declaration, comments (browsers
# write "saved from url" there).
_PROLOGUE = re.compile(r"^(?:[\ufeff\s]+|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)
_HTML_START = re.compile(r"^<(?:head|body|div|p|table|meta|title)\b", re.IGNORECASE)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)
# What pages put between a title and the site's name.
_SEPARATORS = frozenset("-_|｜–—")
# A line break inside Chinese text in the page's source is no space on the screen.
_CJK_BREAK = re.compile(rf"(?<=[{CJK}，。、；：！？”’）》])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[{CJK}])")
_ASCII_SPACE = re.compile(r"[ \t\r\n\f]+")
_MATCH_NOISE = re.compile(r"[\s|\u200b-\u200d\ufeff]")

# Elements whose start and end break the text into blocks; the rest is inline.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table "
    "tbody td tfoot th thead tr ul".split()
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Elements with no text of the article in them.
_HIDDEN_TAGS = frozenset(
    "audio button canvas embed head iframe input map noscript object option script select "
    "style svg template textarea title video".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CELL_BLOCKS = "p div table ul ol br h1 h2 h3 h4 h5 h6 blockquote pre".split()

# Removed before trafilatura reads the page: what browsers show without scripts, and lists
# and tables that hold nothing but links (menus, "related articles") with separators.
_LINK_ONLY = (
    "[.//a][not(.//text()[not(ancestor::a)]"
    "[normalize-space(translate(., '|｜·•/／>»›<«‹-–—:：[]【】', '')) != ''])]"
)
_PRUNE = ["//noscript", f"//ul{_LINK_ONLY}", f"//ol{_LINK_ONLY}", f"//table{_LINK_ONLY}"]


class HtmlParser:
    format = "html"
    label = "网页"
    extensions = frozenset({".html", ".htm", ".xhtml", ".shtml"})
    by_content = True

    def accepts(self, head: bytes) -> bool:
        if is_binary(head):
            return False
        start = _PROLOGUE.sub("", _lenient(head)[:HEAD_CHARS])
        return _HTML_MARK.match(start) is not None or _HTML_START.match(start) is not None

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        return lay_out(read_document(source), source, options)


def read_document(source: SourceFile) -> Document:
    """The article of a saved web page as blocks, with the page's title and metadata."""
    notes: list[str] = []
    text = decode_page(source, notes)
    # lxml refuses text that still declares the encoding of its bytes.
    text = _XML_DECLARATION.sub(lambda m: "\n" * m.group().count("\n"), text)
    try:
        tree = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise fail(source, "不是有效的网页（没有可以读取的内容）") from None
    page = _Page(tree)
    try:
        extracted = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            # Dates from the page's markup and address only: the extensive search guesses
            # a year from any number on the page and gives it as 1 January.
            date_extraction_params={"extensive_search": False, "original_date": True},
            prune_xpath=_PRUNE,
        )
    except Exception:  # a page the extractor trips over still has its paragraphs
        logger.warning("trafilatura failed on %s", source.label, exc_info=True)
        extracted = None
    document = Document(blocks=[], line_count=text.count("\n") + 1, notes=notes)
    document.may_be_compilation = False
    _metadata(document, page, extracted)
    segments = list(page.segments())
    kept = _article_segments(segments, extracted)
    if not kept:
        kept = [s for s in segments if s.tag == "p" and s.kind != "heading"]
    if not kept:
        raise fail(source, "网页中没有找到正文")
    _choose_title(document, page, segments, kept, extracted)
    _fill_blocks(document, kept)
    if not any(block.kind != "blank" for block in document.blocks):
        raise fail(source, "网页中没有找到正文")
    return document


# --- Reading the bytes -------------------------------------------------------------------


def decode_page(source: SourceFile, notes: list[str]) -> str:
    """The page as text: by its BOM, else the charset its <meta> declares, else UTF-8, else
    GB18030 (pages saved on Chinese Windows declare nothing)."""
    data = source.read_bytes()
    if not data.strip():
        raise fail(source, "文件是空的")
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise fail(source, f"以 {codec.upper()} 标记开头，但内容不是有效的该编码") from None
    declared = _declared_charset(data[:SNIFF_BYTES])
    order = (declared, "utf-8", "gb18030")
    if declared in _WESTERN:
        # Chinese pages that declare a Western encoding (an editor's default) are not
        # Western: any byte decodes as one, so the declaration is tried last.
        order = ("utf-8", "gb18030", declared)
    for codec in dict.fromkeys(c for c in order if c):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec != "gb18030" or codec == declared or plausibly_chinese(text):
            return text
        if not declared:
            raise fail(
                source,
                "网页没有声明编码，不是 UTF-8，按 GB18030 读又不像简体中文（也许是 Big5、"
                "Shift-JIS 等编码），请先转换为 UTF-8",
            )
    # A page with a few stray bytes in its declared encoding is still worth reading; the
    # note says so rather than the page being refused.
    codec = declared or "utf-8"
    text = data.decode(codec, errors="replace")
    notes.append(f"网页中有 {text.count(chr(0xFFFD))} 处无法按 {codec} 解码的字节，已替换为 �")
    return text


def _declared_charset(head: bytes) -> str:
    match = _META_CHARSET.search(head)
    if not match:
        return ""
    name = match.group(1).decode("ascii", "ignore").lower()
    if name in _GB_NAMES:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _lenient(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


# --- The page's own text -----------------------------------------------------------------


@dataclass
class _Segment:
    """A run of text between block boundaries (or <br>) of the page."""

    number: int
    text: str
    kind: str  # "paragraph", "line" (one of several lines of a block cut by <br>), "heading"
    level: int
    tag: str  # the element whose text it is: p, li, td, h2 ...
    group: int  # segments of one element, cut by <br>, share the group
    linked: float = 0.0  # the share of its text that is the text of links


class _Page:
    """The page's elements read in order as segments of text."""

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self.tree = tree
        self._segments: list[_Segment] = []
        self._pieces: list[tuple[str, int, bool]] = []
        self._links = 0  # depth of <a> elements around the text being read
        self._group: list[_Segment] = []
        self._groups = 0
        self._tags: list[str] = []

    def segments(self) -> list[_Segment]:
        if not self._segments:
            body = self.tree.find("body")
            self._visit(body if body is not None else self.tree)
            self._end_group()
        return self._segments

    def meta(self, *names: str) -> str:
        for name in names:
            for element in self.tree.iter("meta"):
                if name in (element.get("property"), element.get("name")):
                    content = strip_space(element.get("content") or "")
                    if content:
                        return content
        return ""

    def canonical_url(self) -> str:
        for element in self.tree.iter("link"):
            if "canonical" in (element.get("rel") or "").lower().split():
                return strip_space(element.get("href") or "")
        return ""

    def title_text(self) -> str:
        title = self.tree.find(".//title")
        return _normalise(title.text_content()) if title is not None else ""

    # -- walking

    def _visit(self, element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in _HIDDEN_TAGS or _HIDDEN_STYLE.search(element.get("style") or ""):
            self._add(element.tail, _line_of(element))
            return
        if tag == "br":
            self._flush(broken=True)
        elif tag in _HEADINGS:
            self._flush()
            text = _normalise(_visible_text(element))
            if text:
                number, level = _line_of(element), _HEADINGS[tag]
                linked = _link_share(element, text)
                self._segments.append(_Segment(number, text, "heading", level, tag, -1, linked))
        elif tag == "tr" and _is_data_row(element):
            self._flush()
            cells = [_normalise(_visible_text(cell)) for cell in element if _is_cell(cell)]
            if any(cells):
                text = " | ".join(cells) if len(cells) > 1 else cells[0]
                linked = _link_share(element, text)
                self._segments.append(
                    _Segment(_line_of(element), text, "paragraph", 0, "tr", -1, linked)
                )
        elif tag == "pre":
            self._flush()
            for offset, line in enumerate(_visible_text(element).split("\n")):
                if strip_space(line):
                    number = _line_of(element) + offset
                    self._segments.append(
                        _Segment(number, strip_space(line), "paragraph", 0, "pre", -1)
                    )
        else:
            block = tag in _BLOCK_TAGS
            if block:
                self._flush()
                self._tags.append(tag)
            self._links += tag == "a"
            self._add(element.text, _line_of(element))
            for child in element:
                self._visit(child)
            self._links -= tag == "a"
            if block:
                self._flush()
                self._tags.pop()
        self._add(element.tail, _line_of(element))

    def _add(self, text: str | None, number: int) -> None:
        if text:
            # The text starts on the element's line, or below it after line breaks.
            lead = len(text) - len(text.lstrip())
            number += text.count("\n", 0, lead)
            self._pieces.append((text, number, self._links > 0))

    def _flush(self, *, broken: bool = False) -> None:
        """End the text run at a block boundary, or at a <br> when `broken`."""
        pieces, self._pieces = self._pieces, []
        text = _normalise("".join(text for text, _, _ in pieces))
        if text:
            number = next(n for t, n, _ in pieces if strip_space(t))
            tag = self._tags[-1] if self._tags else ""
            linked = len(_key("".join(t for t, _, link in pieces if link))) / len(_key(text) or "-")
            self._group.append(
                _Segment(number, text, "paragraph", 0, tag, self._groups, linked=linked)
            )
        if not broken or not text:
            # Two <br> in a row separate paragraphs, as a block boundary does.
            self._end_group()

    def _end_group(self) -> None:
        if len(self._group) > 1:
            for segment in self._group:
                segment.kind = "line"
        self._segments.extend(self._group)
        self._group = []
        self._groups += 1


def _line_of(element: etree._Element) -> int:
    return element.sourceline or 0


def _visible_text(element: etree._Element) -> str:
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag and tag not in _HIDDEN_TAGS and not _HIDDEN_STYLE.search(node.get("style") or ""):
            if tag == "br":
                parts.append("\n")
            parts.append(node.text or "")
            for child in node:
                visit(child)
        parts.append(node.tail or "" if node is not element else "")

    visit(element)
    return "".join(parts)


def _link_share(element: etree._Element, text: str) -> float:
    linked = "".join(_visible_text(link) for link in element.iter("a"))
    return len(_key(linked)) / max(1, len(_key(text)))


def _normalise(text: str) -> str:
    text = _CJK_BREAK.sub("", text)
    return strip_space(_ASCII_SPACE.sub(" ", text))


def _is_cell(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() in ("td", "th")


def _is_data_row(row: etree._Element) -> bool:
    """A row of a table of data, not of a table that lays out the page."""
    cells = [cell for cell in row if _is_cell(cell)]
    if not cells:
        return False
    return not any(cell.find(f".//{tag}") is not None for cell in cells for tag in _CELL_BLOCKS)


# --- Where the article is ----------------------------------------------------------------


def _key(text: str) -> str:
    return _MATCH_NOISE.sub("", text)


def _article_segments(segments: list[_Segment], extracted: object) -> list[_Segment]:
    """The segments in the stretch of the page that trafilatura took for the article.

    Inside the stretch, from the first to the last block of the extracted text found on the
    page, everything but links is kept: what trafilatura's own reading of the page may lose
    there (a heading, a list, a short line that repeats) is text of the article, and what it
    may keep there (a "相关阅读" box) is not. Outside, only metadata lines just above it (a
    byline trafilatura left out) are kept.
    """
    extracted_text = getattr(extracted, "text", None) or ""
    lines = {_key(line) for line in extracted_text.split("\n")} - {""}
    if not lines:
        return []
    whole = "\n".join(_key(line) for line in extracted_text.split("\n"))

    def anchors(segment: _Segment) -> bool:
        key = _key(segment.text)
        return key in lines or len(key) >= MIN_ANCHOR_CHARS and key in whole

    found = [index for index, segment in enumerate(segments) if anchors(segment)]
    if not found:
        return []
    first, last = found[0], found[-1]
    kept = [
        segment
        for segment in segments[first : last + 1]
        if segment.kind == "heading" or segment.linked < MAX_LINK_SHARE
    ]
    head: list[_Segment] = []
    for segment in reversed(segments[max(0, first - MAX_HEAD_METADATA) : first]):
        if segment.kind == "heading" or read_metadata_line(segment.text) is None:
            break
        head.insert(0, segment)
    return head + kept


# --- Title and metadata ------------------------------------------------------------------


def _metadata(document: Document, page: _Page, extracted: object) -> None:
    site = _account_name(page) or _site_name(
        getattr(extracted, "sitename", None) or page.meta("og:site_name")
    )
    # trafilatura's title may have lost the suffix already: the site is read off <title>.
    _, suffix_site = split_site_suffix(page.title_text(), site)
    document.site = site or _site_name(suffix_site)
    document.author = strip_space(getattr(extracted, "author", None) or "")
    date = getattr(extracted, "date", None)
    document.date = parse_date(date) if date else None
    document.url = next(
        (
            url
            for url in (
                page.canonical_url(),
                page.meta("og:url"),
                getattr(extracted, "url", None) or "",
                _saved_from(page),
            )
            if URL.match(url)
        ),
        "",
    )
    tags = "；".join(getattr(extracted, "tags", None) or [])
    document.keywords = [k for k in split_keywords(tags) if squeeze(k) != squeeze(site)]


# Where a post on a publishing platform (a WeChat official account's page) names the account
# that published it: the account, not the platform, is the publication.
_ACCOUNT_NAME = (
    '//*[@id="js_name"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " profile_nickname ")]',
)


def _account_name(page: _Page) -> str:
    for path in _ACCOUNT_NAME:
        for element in page.tree.xpath(path):
            name = strip_space(element.text_content())
            if name:
                return name
    return ""


def _site_name(name: str) -> str:
    """The site's name as the page gives it; a bare domain is no name."""
    name = strip_space(name)
    return "" if _DOMAIN.match(name) else name


def _saved_from(page: _Page) -> str:
    """The address browsers note in a saved page: <!-- saved from url=(0042)https://… -->."""
    for comment in page.tree.getroottree().getroot().itersiblings(preceding=True):
        match = _SAVED_FROM.search(str(comment))
        if match:
            return match.group(1)
    for comment in page.tree.iter(etree.Comment):
        match = _SAVED_FROM.search(str(comment))
        if match:
            return match.group(1)
    return ""


def _choose_title(
    document: Document,
    page: _Page,
    segments: list[_Segment],
    kept: list[_Segment],
    extracted: object,
) -> None:
    """The page's <h1> above or at the start of the text, else the page's title without the
    site's name. An <h1> that is neither the title nor part of it (a logo, a column's name)
    is not the title, unless the page's title is only the site's name."""
    site = document.site
    # The page's own title: trafilatura's prefers a lone <h1>, which is what is in question.
    named = page.meta("og:title") or page.title_text() or getattr(extracted, "title", None)
    title = strip_site_suffix(named or "", site)
    start = next(index for index, segment in enumerate(segments) if segment is kept[0])
    chosen = ""
    for segment in segments[: start + 1]:
        if segment.kind != "heading" or segment.level != 1:
            continue
        key, title_key = _key(segment.text), _key(title)
        if not key or key == _key(site) or len(segment.text) > MAX_TITLE_CHARS:
            continue
        if title_key not in ("", _key(site)) and key not in title_key and title_key not in key:
            continue
        chosen = segment.text
    if not chosen and named:
        # A line at the top of the text that the page's title starts with, followed by a
        # separator, is the title as the page shows it: the rest is the site, whatever
        # its name ends with ("通知--某某学院党委").
        around = segments[max(0, start - MAX_HEAD_METADATA - 1) : start] + kept[:3]
        whole = squeeze(named)
        for segment in around:
            shown = squeeze(segment.text)
            rest = whole[len(shown) :]
            if shown and whole.startswith(shown) and rest[:1] in _SEPARATORS:
                chosen = segment.text
                named_site = rest.lstrip("".join(_SEPARATORS))
                if not document.site and len(named_site) <= MAX_SITE_CHARS:
                    document.site = _site_name(named_site)
                break
    document.title = chosen or title
    abstract = getattr(extracted, "description", None) or ""
    body = _key("".join(segment.text for segment in kept))
    short = _key(abstract).rstrip(".…")
    if abstract and short and short not in body and _key(abstract) != _key(document.title):
        document.abstract = strip_space(abstract)


def _fill_blocks(document: Document, kept: list[_Segment]) -> None:
    title_key = _key(document.title)
    previous: _Segment | None = None
    number = 0
    for segment in kept:
        # Source lines where lxml knows them, else a running count.
        number = segment.number = segment.number or number + 1
        if not document.blocks and title_key and _key(segment.text) == title_key:
            # The title shown again above the text (an <h1> inside the article).
            document.dropped.append(
                DroppedLine(segment.number, segment.text, REASON_REPEATED_TITLE)
            )
            continue
        if (
            previous is not None
            and previous.kind == "line"
            and segment.kind == "line"
            and previous.group != segment.group
        ):
            # Lines of two elements: a blank between keeps them apart.
            document.blocks.append(Block(segment.number, "", "blank"))
        document.blocks.append(Block(segment.number, segment.text, segment.kind, segment.level))
        previous = segment
