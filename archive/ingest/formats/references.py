"""Reference-manager exports (RIS, EndNote, RefWorks, NoteExpress, BibTeX): one record per article.

CNKI and the other databases export a search's hits in these formats: title, authors,
publication, date, issue, abstract and keywords, but never the text. Each record becomes an
article marked as a record. The four tagged formats ("tag value" per line) share one reader
driven by a table of each format's tags; BibTeX is read by bibtexparser.
"""

from __future__ import annotations

import calendar
import codecs
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

import bibtexparser
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import Entry, ImplicitComment, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from archive.ingest.base import (
    REASON_EMPTY_RECORD,
    REASON_OUTSIDE_RECORD,
    DroppedLine,
    ParsedArticle,
    ParseOptions,
    ParseResult,
)
from archive.ingest.metadata import split_keywords
from archive.ingest.sniffing import fail, iter_lines, read_text
from archive.ingest.sources import SourceFile
from archive.text import CJK, collapse_space, strip_space

__all__ = [
    "BibTexParser",
    "EndNoteParser",
    "NoteExpressParser",
    "RefWorksParser",
    "RisParser",
]

# A file is recognised by its first lines: the tag that opens a record must come among the
# first few, and three of them must be tags of the format.
_SNIFF_LINES = 20
_MAX_LEADING_LINES = 3
_MIN_TAG_LINES = 3

# Separators inside one field: CNKI writes "张三;李四;" and "党建;组织力;".
_AUTHOR_SEPARATORS = re.compile(r"[;；\n]")
# "2020", "2020-06-15", "2020/06/15/", "2020///", "2020.6", "2020年6月15日".
_DATE = re.compile(
    r"(?<!\d)([12]\d{3})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?)?(?!\d)"
)
# BibTeX months ("jun", "June"); not from the calendar module, whose names follow the locale.
_MONTHS = "january february march april may june july august september october november december"
_MONTH_NAMES = {
    name: number
    for number, month in enumerate(_MONTHS.split(), 1)
    for name in (month, month[:3], month[:4])
}
# An issue given as numbers ("06", "5-6", "第36期"), as opposed to "Z1" or "增刊1".
_NUMERIC_ISSUE = re.compile(r"\d+(?:\s*[-–—/+]\s*\d+)?")
_DOI_PREFIX = re.compile(r"^(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
# Record types whose "publisher" is the institution that awards the degree.
_THESIS = re.compile(r"thes|dissert|学位|硕士|博士", re.IGNORECASE)
# A line break inside a field: joined without a space between two Chinese characters.
# (CJK punctuation and full-width forms count as Chinese.)
_CHINESE = f"[{CJK}\u3000-\u303f\uff00-\uffef]"
_CJK_BREAK = re.compile(rf"(?<={_CHINESE})\s*\n\s*(?={_CHINESE})")
_BOOK_QUOTES = "《》〈〉"


# --- What a record says, whatever its format -------------------------------------------------


@dataclass
class _Fields:
    """A record's values under our names, each in the order the record gives them."""

    kind: str = ""
    titles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    publications: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    abstracts: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)


def _unwrap(text: str) -> str:
    """A field continued over several lines as one line."""
    return collapse_space(_CJK_BREAK.sub("", text))


def _first(values: Iterable[str]) -> str:
    return next((value for value in (_unwrap(v) for v in values) if value), "")


def _split(values: Iterable[str], separators: re.Pattern[str]) -> list[str]:
    """The items of several fields that may each hold several, in order, without repeats."""
    items: dict[str, None] = {}
    for value in values:
        for part in separators.split(value):
            item = collapse_space(part)
            if item:
                items.setdefault(item, None)
    return list(items)


def _publication(fields: _Fields) -> str:
    name = _first(fields.publications)
    if not name and _THESIS.search(fields.kind):
        name = _first(fields.institutions)
    if len(name) > 2 and name[0] in _BOOK_QUOTES and name[-1] in _BOOK_QUOTES:
        name = name[1:-1].strip()
    return name


def _month_of(text: str) -> int | None:
    text = strip_space(text).lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTH_NAMES.get(text)


def _date(fields: _Fields) -> tuple[int | None, int | None, int | None]:
    """Year, month and day: the year of the first date given, the month and day of the
    first date in that year that has them (RIS gives "PY 2020" and "DA 2020/06/15")."""
    found = [match for match in (_DATE.search(value) for value in fields.dates) if match]
    if not found:
        return None, None, None
    year = int(found[0].group(1))
    month = day = None
    for match in found:
        if int(match.group(1)) != year or not match.group(2):
            continue
        month = int(match.group(2))
        if not 1 <= month <= 12:
            month = None
            continue
        if match.group(3):
            day = int(match.group(3))
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                day = None
        break
    if month is None:
        month = next((m for m in map(_month_of, fields.months) if m), None)
    if month is not None and day is None:
        for value in fields.days:
            value = strip_space(value)
            if value.isdigit() and 1 <= int(value) <= calendar.monthrange(year, month)[1]:
                day = int(value)
                break
    return year, month, day


def _issue(text: str, year: int | None) -> tuple[str, int | None]:
    """The issue label ("2020年第36期") and number of an issue field ("36", "第36期")."""
    text = strip_space(text).removeprefix("第").removesuffix("期").strip()
    if not text:
        return "", None
    prefix = f"{year}年" if year else ""
    if _NUMERIC_ISSUE.fullmatch(text):
        parts = re.split(r"\s*[-–—/+]\s*", text)
        label = "-".join(str(int(part)) for part in parts)
        return f"{prefix}第{label}期", int(parts[0])
    return f"{prefix}{text}期", None


def _url(fields: _Fields) -> str:
    for value in fields.urls:
        match = _URL.search(value)
        if match:
            return match.group(0).rstrip(";；,，")
    doi = _first(fields.dois)
    doi = _DOI_PREFIX.sub("", doi).strip()
    return f"https://doi.org/{doi}" if doi else ""


def _article(fields: _Fields, lines: list[tuple[int, str]]) -> ParsedArticle | None:
    title = _first(fields.titles)
    if not title:
        return None
    year, month, day = _date(fields)
    issue_label, issue_number = _issue(_first(fields.issues), year)
    return ParsedArticle(
        title=title,
        author="；".join(_split(fields.authors, _AUTHOR_SEPARATORS)),
        publication=_publication(fields),
        issue_label=issue_label,
        issue_number=issue_number,
        year=year,
        month=month,
        day=day,
        abstract=_first(fields.abstracts),
        keywords=split_keywords("；".join(fields.keywords)),
        url=_url(fields),
        is_record=True,
        source_lines=lines,
    )


class _Records:
    """Collects a file's records into articles, and the lines that did not make one."""

    def __init__(self) -> None:
        self.articles: list[ParsedArticle] = []
        self.dropped: list[DroppedLine] = []
        self.untitled = 0

    def add(self, fields: _Fields, lines: list[tuple[int, str]]) -> None:
        article = _article(fields, lines)
        if article is not None:
            self.articles.append(article)
            return
        self.untitled += 1
        self.drop(lines, REASON_EMPTY_RECORD)

    def drop(self, lines: Iterable[tuple[int, str]], reason: str) -> None:
        self.dropped += [DroppedLine(n, text, reason) for n, text in lines if strip_space(text)]

    def result(self, line_count: int) -> ParseResult:
        notes = [f"{self.untitled} 条记录没有标题，未导入"] if self.untitled else []
        self.dropped.sort(key=lambda line: line.number)
        return ParseResult(self.articles, self.dropped, line_count, notes)


def _decode_head(head: bytes) -> str:
    """The first bytes of a file as text, leniently: they may end inside a character."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head)
    except UnicodeDecodeError:
        return head.decode("gb18030", errors="replace")


def _head_lines(head: bytes) -> list[str]:
    # The last line may be cut short, but a cut line still starts with its tag.
    lines = (line for line in _decode_head(head).splitlines() if strip_space(line))
    return list(islice(lines, _SNIFF_LINES))


# --- Tagged formats: one "tag value" per line ------------------------------------------------


@dataclass(frozen=True)
class _TagScheme:
    """How one tagged format writes its records."""

    line: re.Pattern[str]  # a tagged line; groups "tag" and "value"
    start: str  # the tag that opens a record (its value is the record type)
    end: str  # the tag that closes one (RIS's ER); "" when a blank line does
    fields: dict[str, tuple[str, ...]]  # our field -> the format's tags, most telling first
    # The format's other tags. Where a line of text could look like a tag (RefWorks: two
    # capitals and a space), only these are taken for tags; else any tag is one.
    other_tags: frozenset[str] = frozenset()
    only_known_tags: bool = False
    example: str = ""  # what a record looks like, for the message about a file without any

    @cached_property
    def known_tags(self) -> frozenset[str]:
        mapped = {tag for tags in self.fields.values() for tag in tags}
        return frozenset({self.start, self.end, *mapped, *self.other_tags} - {""})

    def tag_of(self, line: str) -> tuple[str, str] | None:
        match = self.line.match(line)
        if match is None:
            return None
        tag = match.group("tag").strip().casefold()
        if self.only_known_tags and tag not in self.known_tags:
            return None
        return tag, match.group("value") or ""


def _scheme(
    line: str,
    start: str,
    end: str,
    fields: dict[str, tuple[str, ...]],
    other_tags: Sequence[str] = (),
    *,
    only_known_tags: bool = False,
    example: str,
) -> _TagScheme:
    """A scheme with its tags compared case-insensitively."""
    return _TagScheme(
        line=re.compile(line),
        start=start.casefold(),
        end=end.casefold(),
        fields={name: tuple(tag.casefold() for tag in tags) for name, tags in fields.items()},
        other_tags=frozenset(tag.casefold() for tag in other_tags),
        only_known_tags=only_known_tags,
        example=example,
    )


RIS = _scheme(
    # "TI  - 标题"; the closing "ER  - " often loses its trailing space.
    r"^(?P<tag>[A-Z][A-Z0-9])\s{1,2}-\s?(?P<value>.*)$",
    start="TY",
    end="ER",
    fields={
        "titles": ("TI", "T1", "CT"),
        "authors": ("AU", "A1"),
        "publications": ("T2", "JF", "JO", "JA", "J2", "BT"),
        "institutions": ("PB",),
        # Not Y2: that is the date the record was accessed.
        "dates": ("PY", "Y1", "DA"),
        "issues": ("IS",),
        "abstracts": ("AB", "N2"),
        "keywords": ("KW",),
        "urls": ("UR",),
        "dois": ("DO",),
    },
    example="“TY  - ”开始、“ER  - ”结束的记录",
)

ENDNOTE = _scheme(
    r"^%(?P<tag>\S)(?:[ \t](?P<value>.*))?$",
    start="0",
    end="",
    fields={
        "titles": ("T",),
        "authors": ("A",),
        "publications": ("J", "B"),
        "institutions": ("I",),
        "dates": ("D", "8"),
        "issues": ("N",),
        "abstracts": ("X",),
        "keywords": ("K",),
        "urls": ("U",),
        "dois": ("R",),
    },
    other_tags="E V P C @ + W Y Z 9 L M F G S Q".split(),
    example="以“%0 ”“%T ”“%A ”等标记开头的行",
)

REFWORKS = _scheme(
    # "T1 标题": a RIS line ("TY  - ") is not one.
    r"^(?P<tag>[A-Z][A-Z0-9])(?: (?!\s*-\s)(?P<value>.*))?$",
    start="RT",
    end="",
    fields={
        "titles": ("T1",),
        "authors": ("A1",),
        "publications": ("JF", "JO", "T2"),
        "institutions": ("PB",),
        "dates": ("YR", "FD"),
        "issues": ("IS",),
        "abstracts": ("AB",),
        "keywords": ("K1",),
        "urls": ("LK", "UL"),
        "dois": ("DO",),
    },
    other_tags=(
        "SR ID VO SP OP NO A2 A3 A4 A5 T3 ED PP SN AV AD AN LA CL SF OT CN DB DS IP RD ST "
        "U1 U2 U3 U4 U5 WT WV WP FT"
    ).split(),
    only_known_tags=True,
    example="以“RT ”“T1 ”“A1 ”等标记开头的行",
)

NOTEEXPRESS = _scheme(
    r"^\{(?P<tag>[^{}]{1,40})\}\s*[:：](?:\s?(?P<value>.*))?$",
    start="Reference Type",
    end="",
    fields={
        "titles": ("Title",),
        "authors": ("Author",),
        "publications": ("Journal", "Secondary Title", "Newspaper"),
        "institutions": ("Publisher", "University", "Tertiary Title"),
        "dates": ("Year", "Date", "Publication Date"),
        "issues": ("Issue",),
        "abstracts": ("Abstract",),
        "keywords": ("Keywords",),
        "urls": ("URL",),
        "dois": ("DOI",),
    },
    other_tags=(
        "Volume|Pages|ISBN/ISSN|Notes|Author Address|Database Provider|Secondary Author|"
        "Tertiary Author|Place Published|Type of Work|Language"
    ).split("|"),
    example="以“{Reference Type}:”“{Title}:”等标记开头的行",
)


@dataclass
class _TaggedRecord:
    lines: list[tuple[int, str]] = field(default_factory=list)
    # [tag, value lines]: a field continued on untagged lines keeps them all.
    fields: list[tuple[str, list[str]]] = field(default_factory=list)

    def named(self, scheme: _TagScheme) -> _Fields:
        found = _Fields()
        by_tag = {tag: name for name, tags in scheme.fields.items() for tag in tags}
        order = {tag: rank for tags in scheme.fields.values() for rank, tag in enumerate(tags)}
        # Values in the order of the table's tags, then of the record.
        for tag, values in sorted(self.fields, key=lambda item: order.get(item[0], 0)):
            if tag == scheme.start:
                found.kind = found.kind or " ".join(values)
            elif tag in by_tag:
                getattr(found, by_tag[tag]).append("\n".join(values))
        return found


def _looks_tagged(scheme: _TagScheme, head: bytes) -> bool:
    lines = _head_lines(head)
    tags = [scheme.tag_of(line) for line in lines]
    first = next((i for i, tag in enumerate(tags) if tag is not None), None)
    if first is None or first > _MAX_LEADING_LINES or tags[first][0] != scheme.start:
        return False
    tagged = sum(1 for tag in tags if tag is not None and tag[0] in scheme.known_tags)
    # A short file needs two tagged lines: one line alone ("RT 转发") is no record.
    return tagged >= min(_MIN_TAG_LINES, max(len(lines), 2))


def _read_tagged(scheme: _TagScheme, lines: Iterable[str]) -> tuple[_Records, int, bool]:
    """The records of a tagged file, the number of lines read, and whether any record
    was opened at all (a file without one is not in this format)."""
    records = _Records()
    current: _TaggedRecord | None = None
    opened = False
    count = 0

    def close() -> None:
        nonlocal current
        if current is not None:
            records.add(current.named(scheme), current.lines)
            current = None

    for count, line in enumerate(lines, 1):
        if not strip_space(line):
            if not scheme.end:
                close()
            continue
        tagged = scheme.tag_of(line)
        if tagged is None:
            if current is not None and current.fields:
                # An untagged line continues the field above it (a long abstract).
                current.lines.append((count, line))
                current.fields[-1][1].append(line)
            else:
                records.drop([(count, line)], REASON_OUTSIDE_RECORD)
            continue
        tag, value = tagged
        if tag == scheme.start:
            close()
            current = _TaggedRecord()
            opened = True
        elif current is None:
            if scheme.end:
                records.drop([(count, line)], REASON_OUTSIDE_RECORD)
                continue
            # Records separated by blank lines: one without its type line is still a record.
            current = _TaggedRecord()
        current.lines.append((count, line))
        if tag == scheme.end:
            close()
        else:
            current.fields.append((tag, [value]))
    close()
    return records, count, opened


class _TaggedParser:
    format: str
    label: str
    extensions: frozenset[str]
    by_content = True
    scheme: _TagScheme

    def accepts(self, head: bytes) -> bool:
        return _looks_tagged(self.scheme, head)

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        records, count, opened = _read_tagged(self.scheme, iter_lines(source))
        if not opened and not records.articles:
            raise fail(source, f"不是有效的 {self.label} 文件：没有找到{self.scheme.example}")
        return records.result(count)


class RisParser(_TaggedParser):
    format = "ris"
    label = "RIS"
    extensions = frozenset({".ris", ".txt"})
    scheme = RIS


class EndNoteParser(_TaggedParser):
    format = "endnote"
    label = "EndNote"
    extensions = frozenset({".enw", ".txt"})
    scheme = ENDNOTE


class RefWorksParser(_TaggedParser):
    format = "refworks"
    label = "RefWorks"
    extensions = frozenset({".txt"})
    scheme = REFWORKS


class NoteExpressParser(_TaggedParser):
    format = "noteexpress"
    label = "NoteExpress"
    extensions = frozenset({".net", ".txt"})
    scheme = NOTEEXPRESS


# --- BibTeX ----------------------------------------------------------------------------------

# An entry opens the file, after blank lines and "%" comments: "@article{key,".
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
_BIBTEX_FIELDS = {
    "titles": ("title",),
    "authors": ("author",),
    "publications": ("journal", "journaltitle", "booktitle"),
    "institutions": ("school", "institution"),
    "dates": ("date", "year"),
    "months": ("month",),
    "days": ("day",),
    "issues": ("number", "issue"),
    "abstracts": ("abstract",),
    "keywords": ("keywords", "keyword"),
    "urls": ("url",),
    "dois": ("doi",),
}
# Fields written verbatim (biblatex): their "%" and "_" are not LaTeX.
_VERBATIM = frozenset({"url", "doi"})
# An unescaped "%" would start a LaTeX comment and swallow the rest of the line.
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_latex = LatexNodes2Text(math_mode="verbatim")


def _from_latex(text: str) -> str:
    if not re.search(r"[\\{}~$%]", text):
        return text
    return _latex.latex_to_text(_BARE_PERCENT.sub(r"\\%", text))


def _entry_fields(entry: Entry) -> _Fields:
    found = _Fields(kind=entry.entry_type)
    values: dict[str, object] = {}
    for item in entry.fields:
        values.setdefault(item.key.lower(), item.value)
    for name, keys in _BIBTEX_FIELDS.items():
        for key in keys:
            value = values.get(key)
            if not isinstance(value, str) or not value.strip():
                continue
            if key == "author":
                # Split before decoding: braces keep "{Simon and Schuster}" one name.
                found.authors += [_from_latex(n) for n in split_multiple_persons_names(value)]
            elif key in _VERBATIM:
                getattr(found, name).append(value.replace("{", "").replace("}", ""))
            else:
                getattr(found, name).append(_from_latex(value))
    return found


def _block_lines(raw: str, start: int) -> list[tuple[int, str]]:
    return [(start + offset, line) for offset, line in enumerate(raw.split("\n"))]


def _is_comment(line: str) -> bool:
    return strip_space(line).startswith("%")


class BibTexParser:
    format = "bibtex"
    label = "BibTeX"
    extensions = frozenset({".bib", ".txt"})
    by_content = True

    def accepts(self, head: bytes) -> bool:
        lines = [line for line in _head_lines(head) if not _is_comment(line)]
        return bool(lines) and _BIBTEX_ENTRY.match(lines[0]) is not None

    def parse(self, source: SourceFile, options: ParseOptions) -> ParseResult:
        text = read_text(source)
        line_count = text.count("\n") + 1
        library = bibtexparser.parse_string(text)
        records = _Records()
        entries = 0
        for block in library.blocks:
            # bibtexparser counts lines from 0.
            lines = _block_lines(block.raw, block.start_line + 1)
            if isinstance(block, ParsingFailedBlock) and isinstance(
                block.ignore_error_block, Entry
            ):
                # A key or a field given twice (merged exports): the entry itself is sound.
                block = block.ignore_error_block
            if isinstance(block, Entry):
                entries += 1
                records.add(_entry_fields(block), [(n, s) for n, s in lines if strip_space(s)])
            elif isinstance(block, ParsingFailedBlock):
                records.drop(lines, REASON_OUTSIDE_RECORD)
            elif isinstance(block, ImplicitComment):
                # Text between entries; "%" lines are comments by convention (JabRef's).
                text_lines = [(n, line) for n, line in lines if not _is_comment(line)]
                records.drop(text_lines, REASON_OUTSIDE_RECORD)
        if not entries:
            failed = library.failed_blocks
            where = f"第 {failed[0].start_line + 1} 行起的条目有语法错误" if failed else "没有条目"
            raise fail(source, f"不是有效的 BibTeX 文件：{where}")
        return records.result(line_count)
