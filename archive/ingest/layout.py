"""One article out of a free-text document: title, subtitle, metadata, paragraphs.

Every free-text format (plain text, Markdown, HTML, Word, PDF) gives a Document of blocks;
these rules decide the rest the same way for all of them:

- Lines broken in the middle of a sentence are joined back (see `continues`).
- Noise goes to the dropped list with its reason: page numbers, page counters glued to a
  paragraph, running heads (a short line repeated on every page), site boilerplate.
- The title is the format's own (a Markdown heading, <h1>, a Word Title), else the
  newspaper layout at the top of the text (引题 / headline / 副题, followed by a byline,
  a date or a source line: the headline is the title, the others the subtitle), else the
  first line when it reads as a title, else the file's name without a site suffix.
- Metadata is read from the first and last lines: bylines, source lines, dates, a
  signature under a speech, a dateline at the start of the text (month and day, the year
  from elsewhere in the file or its path).

A document that clearly holds several articles (a compilation) goes to the compilation
rules instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from archive.ingest import paragraphs
from archive.ingest.base import (
    REASON_PAGE_MARKER,
    REASON_RUNNING_HEAD,
    REASON_SITE_COUNTER,
    REASON_TITLE_ECHO,
    Block,
    Document,
    DroppedLine,
    ParsedArticle,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.formats.compilation import (
    MetadataRun,
    is_compilation,
    parse_lines,
    read_abstract_label,
    read_metadata_run,
    split_abstract_keywords,
)
from archive.ingest.metadata import (
    MAX_METADATA_LINE,
    date_in_path,
    join_names,
    person_name,
    read_dateline,
    read_metadata_line,
    read_title_label,
    year_in_text,
)
from archive.ingest.noise import (
    PAGE_MARKER,
    PAGE_MARKER_AT_END,
    PAGE_MARKER_AT_START,
    remove_boilerplate,
    whole_line_noise,
)
from archive.ingest.sources import SourceFile
from archive.ingest.titles import strip_site_suffix
from archive.text import CJK, NUMBERED_ITEM, has_cjk, heading_line, squeeze, strip_space

# A headline, 引题 or 副题 is at most this long; longer lines are text.
MAX_TITLE_CHARS = 60
# The newspaper head: at most this many display lines above the byline.
MAX_HEAD_LINES = 3
# Metadata lines are looked for among this many lines after the title, and before the end.
HEAD_METADATA_WINDOW = 6
FOOT_METADATA_WINDOW = 4
# A short line seen this often is a running head or foot of the printed pages.
RUNNING_HEAD_REPEATS = 3
MAX_RUNNING_HEAD_CHARS = 40
UNTITLED_CHARS = 40
# A paper's author, unit, abstract and keywords come within this many lines of its title.
PAPER_HEAD_WINDOW = 8

# Punctuation a title does not end with (a title may end with ！ or ？).
_NOT_TITLE_END = "。，、；：,;:"
_DASH = re.compile(r"^[—–－-]{1,2}\s*")
_DIGITS = re.compile(r"\d+")
_KEYWORD_START = re.compile(r"^[【\[［]?\s*(?:关\s*键\s*[词字]|标\s*签)")
# （中共东江县委党校，东江 123456）: the unit under an author's name.
_AFFILIATION = re.compile(r"^[（(][^（）()]{2,80}[）)]$")
_WORDLESS = re.compile(rf"^[^{CJK}A-Za-z0-9]*$")


@dataclass
class _Unit:
    """A paragraph or heading being laid out, with the lines it came from."""

    numbers: list[int]
    text: str
    kind: str  # "paragraph" or "heading"
    level: int = 0


@dataclass
class _Found:
    authors: list[str] = field(default_factory=list)
    publication: str = ""
    date: PartialDate | None = None


def lay_out(document: Document, source: SourceFile, options: ParseOptions) -> ParseResult:
    """The articles of a free-text document (one, unless it is clearly a compilation)."""
    texts = [(block.number, block.text) for block in document.blocks if block.kind != "blank"]
    if document.may_be_compilation and not document.title and is_compilation(t for _, t in texts):
        result = parse_lines(texts)
        result.dropped = sorted([*document.dropped, *result.dropped], key=lambda d: d.number)
        result.line_count = document.line_count or result.line_count
        result.notes = [*document.notes, *result.notes]
        return result
    return _OneArticle(document, source, options).result()


def continues(previous: str, following: str, *, soft_breaks: bool) -> bool:
    """Whether `following` carries on the sentence that `previous` leaves open.

    Visibly so (see archive.ingest.paragraphs.continues), or as a long line broken by the
    width of a page; where the text separates paragraphs by blank lines, every single line
    break inside a paragraph is such a break, except after the end of a sentence (lines of
    a poem or a short-line post).
    """
    if not previous or not following:
        return False
    if paragraphs.continues(previous, following):
        return True
    if soft_breaks:
        return not paragraphs.ends_sentence(previous) and previous[-1] not in "：:；;"
    return paragraphs.broken_mid_sentence(previous, following)


def title_from_name(name: str) -> str:
    """A title from the file's name: no folders, no extension, no site suffix."""
    stem = PurePosixPath(name).stem
    stem = strip_site_suffix(strip_space(stem)).replace("_", " ").strip()
    if not has_cjk(stem) or _DIGITS.sub("", squeeze(stem)) == "":
        return ""
    return stem


def first_sentence(text: str) -> str:
    first = re.split(r"[。！？!?；;]", text, maxsplit=1)[0].strip(" ，,、：:")
    return first[:UNTITLED_CHARS]


class _OneArticle:
    def __init__(self, document: Document, source: SourceFile, options: ParseOptions) -> None:
        self.document = document
        self.source = source
        self.options = options
        self.dropped: list[DroppedLine] = list(document.dropped)
        self.found = _Found()
        self.title = strip_space(document.title)
        self.subtitle_parts: list[str] = [document.subtitle] if document.subtitle else []
        self.abstract = document.abstract
        self.keywords = list(document.keywords)
        self.issue = MetadataRun("", "", "", None, None, 0)

    # -- the steps

    def result(self) -> ParseResult:
        units = self._units()
        units = self._take_head(units)
        units = self._take_paper_head(units)
        units = self._take_foot(units)
        paragraphs = self._body(units)
        article = self._article(paragraphs)
        if article is None:
            return ParseResult(
                articles=[],
                dropped=sorted(self.dropped, key=lambda d: d.number),
                line_count=self.document.line_count,
                notes=list(self.document.notes),
            )
        return ParseResult(
            articles=[article],
            line_count=self.document.line_count,
            notes=list(self.document.notes),
        )

    def _drop(self, number: int, text: str, reason: str) -> None:
        self.dropped.append(DroppedLine(number, text, reason))

    def _running_heads(self, blocks: list[Block]) -> set[str]:
        counts = Counter(
            _DIGITS.sub("#", squeeze(block.text))
            for block in blocks
            if block.kind != "heading" and 0 < len(squeeze(block.text)) <= MAX_RUNNING_HEAD_CHARS
        )
        return {key for key, count in counts.items() if count >= RUNNING_HEAD_REPEATS}

    def _units(self) -> list[_Unit]:
        """Blocks cleaned of noise, broken lines joined into paragraphs."""
        blocks = self.document.blocks
        running = self._running_heads(blocks)
        soft_breaks = _uses_blank_lines(blocks)
        head = _head_lines(blocks)
        units: list[_Unit] = []
        open_line = False  # whether the last unit is a line that may go on
        for block in blocks:
            if block.kind == "blank":
                open_line = False
                continue
            text = strip_space(block.text)
            if not text:
                continue
            key = _DIGITS.sub("#", squeeze(text))
            if key in running:
                self._drop(block.number, text, REASON_RUNNING_HEAD)
                continue
            last = units[-1] if units else None
            if (
                block.kind == "line"
                and open_line
                and last is not None
                and (
                    _visibly_open(last.text, text)
                    or (
                        last.numbers[-1] not in head
                        and continues(last.text, text, soft_breaks=soft_breaks)
                        and not _metadata_pair(last.text, text)
                    )
                )
            ):
                last.text = paragraphs.join_two(last.text, text)
                last.numbers.append(block.number)
                continue
            noise = whole_line_noise(text)
            if noise:
                self._drop(block.number, text, noise)
                open_line = False
                continue
            if block.kind == "heading":
                units.append(_Unit([block.number], text, "heading", block.level))
                open_line = False
            else:
                units.append(_Unit([block.number], text, "paragraph"))
                open_line = block.kind == "line"
        for unit in units:
            unit.text = self._clean(unit, running)
        return [unit for unit in units if unit.text]

    def _clean(self, unit: _Unit, running: set[str]) -> str:
        number = unit.numbers[0]
        text = unit.text
        for pattern in (PAGE_MARKER_AT_START, PAGE_MARKER_AT_END):
            match = pattern.search(text)
            if match:
                self._drop(number, match.group().strip(), REASON_PAGE_MARKER)
                text = (text[: match.start()] + text[match.end() :]).strip()
        for match in reversed(list(PAGE_MARKER.finditer(text))):
            self._drop(number, match.group().strip(), REASON_PAGE_MARKER)
            text = text[: match.start()] + text[match.end() :]
        text, removed = remove_boilerplate(text)
        for fragment, reason in removed:
            self._drop(number, fragment, reason)
        return text.strip()

    def _take_head(self, units: list[_Unit]) -> list[_Unit]:
        """Title, subtitle and metadata lines at the top; what remains is the body."""
        index = self._take_labelled_head(units)
        if self.title:
            # The format named the title: its copies at the top are the title line.
            while index < len(units) and squeeze(units[index].text) == squeeze(self.title):
                index += 1
        else:
            display = []
            while (
                index + len(display) < len(units)
                and len(display) < MAX_HEAD_LINES
                and self._title_like(units[index + len(display)])
            ):
                display.append(units[index + len(display)])
            after = index + len(display)
            followed_by_metadata = after < len(units) and self._is_metadata(units[after], False)
            if len(display) > 1 and not followed_by_metadata:
                # Only a byline, date or source under them makes lines a newspaper head:
                # otherwise the first is the title and the next a heading of the text.
                display = display[:1]
            if display:
                headline = self._headline(display)
                self.title = headline.text
                self.subtitle_parts += [u.text for u in display if u is not headline]
                index += len(display)
        index = self._skip_metadata(units, index, window=HEAD_METADATA_WINDOW)
        if index < len(units) and self.title and units[index].kind == "paragraph":
            # Sites repeat the title at the start of the text: the rest is the text.
            unit = units[index]
            unit.text = self._strip_echo(unit.numbers[0], unit.text)
            if not unit.text:
                index += 1
        return units[index:]

    def _take_paper_head(self, units: list[_Unit]) -> list[_Unit]:
        """A paper's head under its title: the author's name and unit, an author/source run
        (作者:X来源:《Y》2020年第5期), the abstract and keywords (【摘要】…【关键词】…)."""
        window = units[:PAPER_HEAD_WINDOW]
        is_paper = any(
            read_abstract_label(u.text) is not None or _KEYWORD_START.match(u.text) for u in window
        )
        index = 0
        while index < len(units) and index < PAPER_HEAD_WINDOW:
            unit = units[index]
            if unit.kind == "heading":
                break
            run = None if self.issue.issue_label else read_metadata_run(unit.text)
            if run:
                self.found.authors = self.found.authors or ([run.author] if run.author else [])
                self.found.publication = self.found.publication or run.publication
                self.issue = run
                if run.year and self.found.date is None:
                    self.found.date = PartialDate(year=run.year)
                unit.text = self._strip_echo(unit.numbers[0], unit.text[run.end :].strip())
                if not unit.text:
                    index += 1
                continue
            if is_paper and not self.found.authors and person_name(unit.text):
                self.found.authors = [person_name(unit.text)]
                index += 1
                continue
            if is_paper and _AFFILIATION.match(unit.text):
                index += 1  # the author's unit: part of the byline, not of the text
                continue
            abstract = read_abstract_label(unit.text)
            keyword_start = _KEYWORD_START.match(unit.text)
            if abstract is None and not keyword_start:
                break
            context = [self.title, *self.abstract.split("。")]
            found = split_abstract_keywords(
                abstract if abstract is not None else unit.text, context
            )
            if abstract is not None and found is None:
                self.abstract = abstract
                index += 1
                continue
            before, keywords, tail = found
            if abstract is not None:
                self.abstract = before
            self.keywords = keywords
            if tail:
                unit.text = tail
                break
            index += 1
            break
        return units[index:]

    def _take_labelled_head(self, units: list[_Unit]) -> int:
        """Labelled head lines (标题：X, 副标题：X) and metadata lines at the very top."""
        index = 0
        while index < len(units) and index < HEAD_METADATA_WINDOW:
            unit = units[index]
            labelled = read_title_label(unit.text) if unit.kind != "heading" else None
            if labelled:
                role, value = labelled
                if role == "title" and not self.title:
                    self.title = value
                else:
                    self.subtitle_parts.append(value)
            elif unit.kind == "heading" or not self._is_metadata(unit, False, take=True):
                break
            index += 1
        return index

    def _take_foot(self, units: list[_Unit]) -> list[_Unit]:
        end = len(units)
        while end > 1 and len(units) - end < FOOT_METADATA_WINDOW:
            unit = units[end - 1]
            if unit.kind == "heading" or not self._is_metadata(unit, True, take=True):
                break
            end -= 1
        return units[:end]

    def _skip_metadata(self, units: list[_Unit], index: int, window: int = 2) -> int:
        start = index
        while index < len(units) and index - start < window:
            if units[index].kind == "heading" or not self._is_metadata(
                units[index], False, take=True
            ):
                break
            index += 1
        return index

    def _is_metadata(self, unit: _Unit, at_foot: bool, *, take: bool = False) -> bool:
        line = read_metadata_line(unit.text, at_foot=at_foot)
        if line is None:
            return False
        if take:
            if line.kind == "site":
                self._drop(unit.numbers[0], unit.text, REASON_SITE_COUNTER)
            self.found.authors += line.authors
            self.found.publication = self.found.publication or line.publication
            if line.date and (self.found.date is None or _fuller(line.date, self.found.date)):
                self.found.date = line.date
        return True

    def _title_like(self, unit: _Unit) -> bool:
        text = unit.text
        if unit.kind == "heading":
            return True
        if len(text) > MAX_TITLE_CHARS or text[-1] in _NOT_TITLE_END:
            return False
        if NUMBERED_ITEM.match(text) or _WORDLESS.match(text):
            return False
        if re.fullmatch(r"[（(].*[）)]", text) or read_dateline(text):
            return False
        return read_metadata_line(text) is None

    def _headline(self, display: list[_Unit]) -> _Unit:
        """The headline among the display lines of a newspaper head."""
        if len(display) == 1:
            return display[0]
        named = squeeze(title_from_name(self.source.name))
        for unit in display:
            if named and squeeze(unit.text) == named:
                return unit
        if len(display) == 3:
            return display[1]
        first, second = display
        if _DASH.match(second.text):
            return first  # ——副题
        if first.text[-1] in "：:，,":
            return second  # 引题：
        # The headline is set in the largest type and kept short; 引题 and 副题 explain it.
        return second if len(squeeze(second.text)) < len(squeeze(first.text)) else first

    def _body(self, units: list[_Unit]) -> list[str]:
        paragraphs = []
        for position, unit in enumerate(units):
            text = unit.text
            if position == 0 and self.title and unit.kind == "paragraph":
                text = self._strip_echo(unit.numbers[0], text)
                if not text:
                    continue
            if position == 0:
                dateline = read_dateline(text)
                if dateline:
                    date, authors, _ = dateline
                    if self.found.date is None:
                        self.found.date = date
                    self.found.authors = self.found.authors or authors
            if unit.kind == "heading":
                paragraphs.append(heading_line(text, unit.level + 1))
            else:
                paragraphs.append(text)
        return paragraphs

    def _strip_echo(self, number: int, text: str) -> str:
        title = self.title
        if len(title) >= 6 and text.startswith(title) and text[len(title) : len(title) + 1] != "，":
            self._drop(number, title, REASON_TITLE_ECHO)
            return text[len(title) :].strip()
        return text

    # -- the article

    def _date(self, paragraphs: list[str]) -> PartialDate:
        document = self.document
        date = document.date or self.found.date or PartialDate()
        date = PartialDate(date.year, date.month, date.day)
        if date.year is None and (date.month or date.day):
            # A dateline tells month and day; the year is elsewhere in the file or its path.
            text = "\n".join([self.title, *paragraphs[:3], *paragraphs[-3:]])
            path_date = date_in_path(self.options.path_hint or self.source.name)
            date.year = year_in_text(text) or (path_date.year if path_date else None)
        if date.year is None:
            return PartialDate()
        return date

    def _article(self, paragraphs: list[str]) -> ParsedArticle | None:
        document = self.document
        title = self.title
        if not title or len(title) > MAX_TITLE_CHARS * 3:
            title = title_from_name(self.options.path_hint or self.source.name)
        if not title and paragraphs:
            title = first_sentence(paragraphs[0])
        if not title and not paragraphs:
            return None
        date = self._date(paragraphs)
        return ParsedArticle(
            title=title,
            subtitle="\n".join(part for part in self.subtitle_parts if part),
            author=document.author or join_names(self.found.authors),
            publication=document.publication or self.found.publication or document.site,
            year=date.year,
            month=date.month if date.year else None,
            day=date.day if date.year and date.month else None,
            abstract=self.abstract,
            keywords=self.keywords,
            issue_label=self.issue.issue_label,
            issue_number=self.issue.issue_number,
            paragraphs=paragraphs,
            url=document.url,
            source_lines=[(b.number, b.text) for b in document.blocks if b.kind != "blank"],
            dropped=sorted(self.dropped, key=lambda d: d.number),
        )


def _head_lines(blocks: list[Block]) -> set[int]:
    """Numbers of the lines at the top that are a title or a newspaper head: the first
    line, and every line above a byline, date or source line near the top. However long
    and unpunctuated, they are not sentences broken in two."""
    lines = [block for block in blocks if block.kind == "line" and strip_space(block.text)]
    head = {lines[0].number} if lines else set()
    for position, block in enumerate(lines[: MAX_HEAD_LINES + 2]):
        if read_metadata_line(block.text) is not None:
            head.update(line.number for line in lines[:position])
            break
    return head


def _visibly_open(previous: str, following: str) -> bool:
    return paragraphs.continues(previous, following)


def _metadata_pair(previous: str, following: str) -> bool:
    # A byline, date or source line stands alone even when it does not end a sentence;
    # only a short previous line could be one (a long one is text).
    if len(previous) <= MAX_METADATA_LINE and read_metadata_line(previous, at_foot=True):
        return True
    return read_metadata_line(following, at_foot=True) is not None


def _fuller(new: PartialDate, old: PartialDate) -> bool:
    def parts(date: PartialDate) -> int:
        return sum(value is not None for value in (date.year, date.month, date.day))

    return parts(new) > parts(old)


def _uses_blank_lines(blocks: Iterable[Block]) -> bool:
    """Whether the text separates its paragraphs by blank lines (then a single line break
    inside a paragraph is only a break of the line)."""
    kinds = [block.kind for block in blocks]
    lines = kinds.count("line")
    return lines > 2 and kinds.count("blank") * 2 >= lines
