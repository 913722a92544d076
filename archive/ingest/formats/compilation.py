"""Compilations: one text holding many articles, as scraped from document sites.

Pure rules over lines: where an article starts (a title line, an inline metadata run), its
metadata, abstract and keywords, printed page headers and markers, site boilerplate,
repeated paragraphs, and copies of the same article merged into the fullest one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from archive.ingest.base import (
    REASON_AUTHOR_ECHO,
    REASON_DUPLICATE_ARTICLE,
    REASON_HEADER,
    REASON_NO_BODY,
    REASON_NO_BODY_CONTENT,
    REASON_PAGE_MARKER,
    REASON_REPEATED_PARAGRAPH,
    REASON_REPEATED_TITLE,
    REASON_TITLE_ECHO,
    DroppedLine,
    ParsedArticle,
    ParseResult,
)
from archive.ingest.metadata import KEYWORD_TRIM, split_keywords
from archive.ingest.noise import (
    PAGE_MARKER,
    match_page_header,
    remove_boilerplate,
    whole_line_noise,
)
from archive.text import CJK_CHAR as _CJK_CHAR
from archive.text import NUMERALS as _NUMERAL
from archive.text import jieba_module
from archive.text import squeeze as _norm
from archive.text import strip_space as _clean_ws

__all__ = [
    "DuplicateMerger",
    "iter_raw_articles",
    "parse_raw_text",
    "split_keywords",
]


# --- Character classes and small helpers ---------------------------------------------------

# A line ending in one of these is a sentence (body text), never a title.
_END_PUNCT = frozenset("。！？!?；;：:，,、”」』…．.")

_MAX_TITLE_LEN = 60
# Echo stripping of very short titles would eat ordinary sentence openings ("党建工作…").
_MIN_ECHO_LEN = 6
# A truncated echo is only recognised when it keeps most of the title.
_TRUNCATED_ECHO_RATIO = 0.75
# Title echoes are looked for only at the start of the first few content lines of an article.
_ECHO_WINDOW = 6
# An abstract may run over this many further lines, provided a keyword line then closes it.
_ABSTRACT_LOOKAHEAD = 4
# A keyword longer than this is taken to be a keyword glued to body text.
_MAX_KEYWORD_LEN = 10
_UNTITLED_TITLE_LEN = 40


# --- Line classification -------------------------------------------------------------------

# Enumeration markers that open a sub-heading or list item, never an article title.
_ENUM_RE = re.compile(
    r"^(?:"
    rf"[{_NUMERAL}]{{1,3}}\s*[、.．]"
    rf"|[（(]\s*[{_NUMERAL}\d]{{1,3}}\s*[）)]"
    r"|\d{1,3}\s*[、.．](?!\d)"
    r"|\d{1,2}(?:\.\d{1,2})+(?![\d万亿千百元%.])"
    r"|[①-⑳]"
    r"|[\[［【]\s*\d{1,3}\s*[\]］】]"
    rf"|第[{_NUMERAL}\d]{{1,3}}(?:[章节条款点篇部]|部分|[、，,.．：:])"
    rf"|[{_NUMERAL[:-1]}]{{1,2}}[是要]"
    r")"
)
# Lines opening with a field label belong to the article head, never a title.
_LABEL_START = re.compile(
    r"^[【\[［]?\s*(?:内容)?(?:摘\s*要|提\s*要|关\s*键\s*[词字]|标\s*签|作\s*者|来\s*源|"
    r"责任编辑|参考文献)"
)
_META_ANYWHERE = re.compile(r"(?:作\s*者|来\s*源)\s*[:：]")
# Section headings inside an article that happen to have no punctuation.
_STRUCTURAL_HEADING = re.compile(
    r"^(?:引\s*言|前\s*言|结\s*语|结\s*束\s*语|结\s*论|绪\s*论|参考文献|注\s*释|致\s*谢|"
    r"正\s*文|导\s*语|附\s*录)\s*[:：]?$"
)

# A note in brackets ("（作者单位：…）") is not a title.
_PARENTHESISED = re.compile(r"^[（(].*[）)]$")

# A line that opens an article with its own metadata: "TITLE作者:…来源:…".
_INLINE_TITLE_RE = re.compile(r"^(?P<title>[^。！？!?；;]{4,80}?)\s*作\s*者\s*[:：]")
_SOURCE_LABEL = re.compile(r"来\s*源\s*[:：]")


def _looks_like_title(s: str) -> bool:
    """A title is a short line without sentence punctuation at its end and no list marker."""
    if not s or len(s) > _MAX_TITLE_LEN or s[-1] in _END_PUNCT:
        return False
    if len(_CJK_CHAR.findall(s)) < 2:
        return False
    if _ENUM_RE.match(s) or _LABEL_START.match(s) or _STRUCTURAL_HEADING.match(s):
        return False
    if _META_ANYWHERE.search(s) or _PARENTHESISED.match(s):
        return False
    return not match_page_header(s)


# --- Metadata, abstract and keywords -------------------------------------------------------

_ISSUE = (
    r"(?P<issue>(?P<year>(?:19|20)\d{2})\s*年\s*(?:第\s*)?(?P<num>\d{1,3})\s*期"
    r"|(?P<year2>(?:19|20)\d{2})\s*[（(]\s*(?P<num2>\d{1,3})\s*[）)])"
)
# The same issue pattern, with its groups renamed for the bare-publication alternative.
_ISSUE_BARE = _ISSUE.replace("?P<", "?P<b_")
_META_RE = re.compile(
    r"^(?:作\s*者\s*[:：]\s*(?P<author>[^:：]{1,60}?)\s*)?"
    r"来\s*源\s*[:：]\s*"
    # With 《》 the issue is optional; a bare publication name needs the issue to end it.
    rf"(?:《(?P<pub>[^《》]{{1,40}})》\s*(?:{_ISSUE})?"
    rf"|(?P<pub_bare>[^\s《》\d:：，,。]{{2,30}}?)\s*(?:{_ISSUE_BARE}))"
)


@dataclass
class MetadataRun:
    """What a run such as 作者:杨姿姮来源:《商情》2020年第36期 says, and where it ends."""

    author: str
    publication: str
    issue_label: str
    year: int | None
    issue_number: int | None
    end: int


def read_metadata_run(text: str) -> MetadataRun | None:
    """The author/source run at the start of the text, if there is one."""
    m = _META_RE.match(text)
    if not m:
        return None
    prefix = "" if m.group("pub") else "b_"
    issue = m.group(prefix + "issue")
    year = m.group(prefix + "year") or m.group(prefix + "year2")
    number = m.group(prefix + "num") or m.group(prefix + "num2")
    return MetadataRun(
        author=_clean_ws(m.group("author") or ""),
        publication=_clean_ws(m.group("pub") or m.group("pub_bare") or ""),
        issue_label=_norm(issue) if issue else "",
        year=int(year) if issue else None,
        issue_number=int(number) if issue else None,
        end=m.end(),
    )


def read_abstract_label(text: str) -> str | None:
    """The text after an abstract label (【摘要】, 摘要：…), or None."""
    m = _ABSTRACT_LABEL.match(text)
    return text[m.end() :].strip() if m else None


def split_abstract_keywords(text: str, context: list[str]) -> tuple[str, list[str], str] | None:
    """(text before, keywords, body glued after) where a keyword label (关键词：…) appears
    in the text; None without one."""
    k = _KEYWORD_LABEL_ANYWHERE.search(text)
    if not k:
        return None
    keywords, tail = _split_keyword_run(text[k.end() :], context)
    return text[: k.start()].strip(), keywords, tail


_AUTHOR_ONLY_RE = re.compile(r"^作\s*者\s*[:：]\s*(?P<author>[^:：。，,]{1,40})$")
_ABSTRACT_LABEL = re.compile(
    r"^(?:[【\[［]\s*(?:内容)?(?:摘\s*要|提\s*要)\s*[】\]］]\s*[:：]?|(?:内容)?(?:摘\s*要|提\s*要)\s*[:：])\s*"
)
_KEYWORD_LABEL_BODY = (
    r"(?:[【\[［]\s*关\s*键\s*[词字]\s*[】\]］]\s*[:：]?"
    r"|关\s*键\s*[词字]\s*[:：]|标\s*签\s*[:：])\s*"
)
_KEYWORD_LABEL = re.compile("^" + _KEYWORD_LABEL_BODY)
_KEYWORD_LABEL_ANYWHERE = re.compile(_KEYWORD_LABEL_BODY)
# The first separator of a keyword run decides how the run is split.
_KEYWORD_SEPS = {
    "semicolon": re.compile(r"\s*[;；]\s*"),
    "comma": re.compile(r"\s*[,，、]\s*"),
    "space": re.compile(r"\s+"),
}
_FIRST_KEYWORD_SEP = re.compile(r"(?P<semicolon>\s*[;；])|(?P<comma>\s*[,，、])|(?P<space>\s+)")
_SENTENCE_PUNCT = re.compile(r"[。！？!?，,：:“”\"]")
# Where body text visibly starts after the last keyword.
_TAIL_MARKER = re.compile(
    rf"[{_NUMERAL[:-1]}]{{1,3}}[、．.]"
    rf"|[（(][{_NUMERAL}\d]{{1,3}}[）)]"
    r"|\d{1,2}[、．.](?!\d)"
    r"|\d{1,2}\.\d{1,2}"
    r"|[①-⑳]"
    r"|引\s*言|前\s*言|导\s*语|绪\s*论|正\s*文"
)


def _split_glued_keyword(rest: str, context: list[str]) -> int:
    """Length of the keyword at the start of `rest`, which runs straight into body text."""
    m = _TAIL_MARKER.search(rest, 1)
    if m and m.start() <= _MAX_KEYWORD_LEN:
        return m.start()
    # No visible marker: prefer the longest word-aligned prefix that the article itself uses
    # elsewhere (title, abstract, other keywords); otherwise take the first word.
    words = jieba_module().lcut(rest[: _MAX_KEYWORD_LEN * 3])
    bounds: list[int] = []
    pos = 0
    for w in words:
        pos += len(w)
        if pos > _MAX_KEYWORD_LEN:
            break
        bounds.append(pos)
    for b in reversed(bounds):
        prefix = rest[:b]
        if any(prefix in c for c in context):
            return b
    return bounds[0] if bounds else min(len(rest), _MAX_KEYWORD_LEN)


def _split_keyword_run(s: str, context: list[str]) -> tuple[list[str], str]:
    """Keywords of a keyword line, and the body text glued after the last one."""
    s = s.strip()
    first = _FIRST_KEYWORD_SEP.search(s)
    sep = _KEYWORD_SEPS[first.lastgroup] if first and first.lastgroup else _KEYWORD_SEPS["space"]
    keywords: list[str] = []
    pos = 0
    while pos < len(s):
        m = sep.search(s, pos)
        end = m.start() if m else len(s)
        segment = s[pos:end]
        is_last = m is None
        if (
            len(segment.strip(KEYWORD_TRIM)) <= _MAX_KEYWORD_LEN
            and not _SENTENCE_PUNCT.search(segment.rstrip("。."))
            and (not is_last or len(segment) <= _MAX_KEYWORD_LEN)
        ):
            if segment.strip(KEYWORD_TRIM):
                keywords.append(segment.strip(KEYWORD_TRIM))
            if m is None:
                return keywords, ""
            pos = m.end()
            continue
        # This segment is the last keyword with the body glued to it.
        rest = s[pos:]
        cut = _split_glued_keyword(rest, [*context, *keywords])
        keyword = rest[:cut].strip(KEYWORD_TRIM)
        if keyword:
            keywords.append(keyword)
        return keywords, rest[cut:].strip()
    return keywords, ""


def _derive_title(text: str) -> str:
    """Title for a block with no title line: its first sentence, cut to a sensible length."""
    first = re.split(r"[。！？!?；;]", text, maxsplit=1)[0].strip(" ，,、：:")
    return first[:_UNTITLED_TITLE_LEN]


# --- One article under construction --------------------------------------------------------


class _ArticleBuilder:
    """Accumulates the lines of one article; holds at most a few lines of look-ahead."""

    def __init__(self, title: str) -> None:
        self.title = title  # "" while the block has no title line
        self.title_lines: set[int] = set()
        self.source_lines: list[tuple[int, str]] = []
        self.dropped: list[DroppedLine] = []
        self.paragraphs: list[str] = []
        self.author = ""
        self.publication = ""
        self.issue_label = ""
        self.issue_number: int | None = None
        self.year: int | None = None
        self.header_year: int | None = None
        self.header_month: int | None = None
        self.abstract = ""
        self.keywords: list[str] = []
        self._abstract_seen = False
        self._keywords_seen = False
        self._collecting_abstract = False
        self._abstract_first = ""
        self._abstract_pending: list[tuple[int, str]] = []
        self._content_lines = 0
        self._last_para_norm = ""

    # -- state queries

    def has_text(self) -> bool:
        if self.paragraphs or self.abstract:
            return True
        return self._collecting_abstract and bool(self._abstract_first or self._abstract_pending)

    def is_author_echo(self, s: str) -> bool:
        return bool(self.author) and not self.paragraphs and _norm(s) == _norm(self.author)

    # -- line intake

    def add_title_line(self, n: int, raw: str) -> None:
        self.source_lines.append((n, raw))
        self.title_lines.add(n)

    def add_repeated_title(self, n: int, raw: str) -> None:
        self.source_lines.append((n, raw))
        self.title_lines.add(n)
        self.dropped.append(DroppedLine(n, raw, REASON_REPEATED_TITLE))

    def add_blank(self, n: int, raw: str) -> None:
        self.source_lines.append((n, raw))

    def drop_line(self, n: int, raw: str, reason: str) -> None:
        self.source_lines.append((n, raw))
        self.dropped.append(DroppedLine(n, raw, reason))

    def add_line(self, n: int, raw: str, text: str) -> None:
        self.source_lines.append((n, raw))
        self._content_lines += 1
        text = self._clean(n, text)
        if not text:
            return
        if self._collecting_abstract:
            self._continue_abstract(n, text)
        else:
            self._structure(n, text)

    # -- cleaning of one line

    def _drop(self, n: int, fragment: str, reason: str) -> None:
        self.dropped.append(DroppedLine(n, fragment, reason))

    def _echo_allowed(self) -> bool:
        return (
            len(self.title) >= _MIN_ECHO_LEN
            and not self.paragraphs
            and self._content_lines <= _ECHO_WINDOW
        )

    def _strip_title_echo(self, n: int, text: str) -> str:
        title = self.title
        if len(title) < _MIN_ECHO_LEN:
            return text
        stripped_full = False
        while text.startswith(title) and _echo_boundary(text[len(title) :]):
            self._drop(n, title, REASON_TITLE_ECHO)
            text = text[len(title) :].lstrip()
            stripped_full = True
        if stripped_full:
            # Sites sometimes repeat the title once more, cut short by a few characters.
            shortest = math.ceil(len(title) * _TRUNCATED_ECHO_RATIO)
            for k in range(len(title) - 1, shortest - 1, -1):
                if text.startswith(title[:k]) and _echo_boundary(text[k:]):
                    self._drop(n, title[:k], REASON_TITLE_ECHO)
                    text = text[k:].lstrip()
                    break
        return text

    def _clean(self, n: int, text: str) -> str:
        echo = self._echo_allowed()
        if echo:
            text = self._strip_title_echo(n, text)
        header = match_page_header(text)
        if header:
            length, year, month = header
            self._drop(n, text[:length].strip(), REASON_HEADER)
            if self.header_year is None:
                self.header_year, self.header_month = year, month
            text = text[length:].lstrip()
            if echo:
                text = self._strip_title_echo(n, text)
        in_head = not self.paragraphs and self._content_lines <= _ECHO_WINDOW
        if in_head and not self._keywords_seen:
            text = self._take_metadata(n, text)
        for m in reversed(list(PAGE_MARKER.finditer(text))):
            self._drop(n, m.group().strip(), REASON_PAGE_MARKER)
            text = text[: m.start()] + text[m.end() :]
        text, removed = remove_boilerplate(text)
        for fragment, reason in removed:
            self._drop(n, fragment, reason)
        return text.strip()

    def _take_metadata(self, n: int, text: str) -> str:
        """Take an author/source run from the start of a head line (at most one of each)."""
        run = None if self.publication or self.issue_label else read_metadata_run(text)
        if run and run.author and self.author:
            run = None
        if run:
            if run.author:
                self.author = run.author
            self.publication = run.publication
            if run.issue_label:
                self.issue_label = run.issue_label
                self.year, self.issue_number = run.year, run.issue_number
            text = text[run.end :].lstrip()
            if self.author and text.startswith(self.author):
                self._drop(n, self.author, REASON_AUTHOR_ECHO)
                text = text[len(self.author) :].lstrip()
            return self._strip_title_echo(n, text)
        m = None if self.author else _AUTHOR_ONLY_RE.match(text)
        if m:
            self.author = _clean_ws(m.group("author"))
            return ""
        return text

    # -- structure: abstract, keywords, paragraphs

    def _structure(self, n: int, text: str) -> None:
        if not self._abstract_seen and not self._keywords_seen:
            m = _ABSTRACT_LABEL.match(text)
            if m:
                self._abstract_seen = True
                rest = text[m.end() :]
                k = _KEYWORD_LABEL_ANYWHERE.search(rest)
                if k:
                    self.abstract = rest[: k.start()].strip()
                    self._take_keywords(n, rest[k.end() :])
                else:
                    self._collecting_abstract = True
                    self._abstract_first = rest.strip()
                return
        if not self._keywords_seen:
            m = _KEYWORD_LABEL.match(text)
            if m:
                self._take_keywords(n, text[m.end() :])
                return
        self._add_paragraph(n, text)

    def _continue_abstract(self, n: int, text: str) -> None:
        k = _KEYWORD_LABEL_ANYWHERE.search(text)
        if k:
            before = text[: k.start()].strip()
            if before:
                self._abstract_pending.append((n, before))
            self._finish_abstract(keep_pending=True)
            self._take_keywords(n, text[k.end() :])
            return
        self._abstract_pending.append((n, text))
        if len(self._abstract_pending) > _ABSTRACT_LOOKAHEAD:
            self._finish_abstract(keep_pending=False)

    def _finish_abstract(self, *, keep_pending: bool) -> None:
        """Close the abstract: with the buffered lines (a keyword line closed it) or without."""
        self._collecting_abstract = False
        pending, self._abstract_pending = self._abstract_pending, []
        first = self._abstract_first
        if keep_pending:
            self.abstract = "".join([first, *(t for _, t in pending)]).strip()
            return
        if not first and pending:
            first = pending.pop(0)[1]
        self.abstract = first
        for n, text in pending:
            self._structure(n, text)

    def _take_keywords(self, n: int, s: str) -> None:
        self._keywords_seen = True
        keywords, tail = _split_keyword_run(s, [self.title, *self.abstract.split("。")])
        self.keywords = keywords
        if tail:
            self._add_paragraph(n, tail)

    def _add_paragraph(self, n: int, text: str) -> None:
        norm = _norm(text)
        repeats_abstract = (
            not self.paragraphs and bool(self.abstract) and norm == _norm(self.abstract)
        )
        if norm == self._last_para_norm or repeats_abstract:
            self._drop(n, text, REASON_REPEATED_PARAGRAPH)
        else:
            self.paragraphs.append(text)
        self._last_para_norm = norm

    # -- completion

    def finish(self) -> Iterator[ParsedArticle | DroppedLine]:
        if self._collecting_abstract:
            self._finish_abstract(keep_pending=False)
        if not self.has_text():
            yield from self._orphans()
            return
        year = self.year if self.year is not None else self.header_year
        month = self.header_month if year is not None and year == self.header_year else None
        yield ParsedArticle(
            title=self.title
            or _derive_title(self.paragraphs[0] if self.paragraphs else self.abstract),
            author=self.author,
            publication=self.publication,
            issue_label=self.issue_label,
            issue_number=self.issue_number,
            year=year,
            month=month,
            abstract=self.abstract,
            keywords=self.keywords,
            paragraphs=self.paragraphs,
            source_lines=self.source_lines,
            dropped=sorted(self.dropped, key=lambda d: d.number),
        )

    def _orphans(self) -> Iterator[DroppedLine]:
        """A block without any text: every non-blank line of it is reported as dropped."""
        reasons: dict[int, str] = {}
        for d in self.dropped:
            reasons.setdefault(d.number, d.reason)
        for n, raw in self.source_lines:
            if not _clean_ws(raw):
                continue
            if n in self.title_lines:
                reason = REASON_NO_BODY
            else:
                reason = reasons.get(n, REASON_NO_BODY_CONTENT)
            yield DroppedLine(n, raw, reason)


def _echo_boundary(rest: str) -> bool:
    # "TITLE，…" uses the title as the subject of a sentence: that is text, not an echo.
    return not rest or rest[0] not in "，,、"


# --- Public API ----------------------------------------------------------------------------


def iter_raw_articles(lines: Iterable[str]) -> Iterator[ParsedArticle | DroppedLine]:
    """Stream articles out of lines (no duplicate merging), one article in memory at a time.

    Each non-blank line is one paragraph; blank lines only separate and are kept in the
    source_lines of the article they fall in. A line's trailing "\\n", "\\r\\n" or "\\r" is not
    part of its raw text. Text before the first title line (or a file with no title at all)
    becomes an article whose title is its first sentence, cut to 40 characters; a block made
    only of noise yields DroppedLines instead.
    """
    builder: _ArticleBuilder | None = None
    for n, line in enumerate(lines, 1):
        raw = line.rstrip("\r\n")
        s = _clean_ws(raw)
        if not s:
            if builder is not None:
                builder.add_blank(n, raw)
            continue
        noise = whole_line_noise(s)
        if noise:
            if builder is None:
                builder = _ArticleBuilder("")
            builder.drop_line(n, raw, noise)
            continue
        if builder is not None and builder.is_author_echo(s):
            builder.drop_line(n, raw, REASON_AUTHOR_ECHO)
            continue
        if _looks_like_title(s):
            if (
                builder is not None
                and builder.title
                and not builder.has_text()
                and _norm(s) == _norm(builder.title)
            ):
                builder.add_repeated_title(n, raw)
                continue
            if builder is not None:
                yield from builder.finish()
            builder = _ArticleBuilder(s)
            builder.add_title_line(n, raw)
            continue
        m = _INLINE_TITLE_RE.match(s)
        if m and _SOURCE_LABEL.search(s, m.end()):
            title = m.group("title").strip()
            own_metadata = (
                builder is not None
                and bool(builder.title)
                and not builder.has_text()
                and not _strip_repeats(title, builder.title)
            )
            if not own_metadata:
                if builder is not None:
                    yield from builder.finish()
                builder = _ArticleBuilder(title)
        if builder is None:
            builder = _ArticleBuilder("")
        builder.add_line(n, raw, s)
    if builder is not None:
        yield from builder.finish()


def _strip_repeats(text: str, title: str) -> str:
    while title and text.startswith(title):
        text = text[len(title) :].strip()
    return text


def _body_chars(article: ParsedArticle) -> int:
    return sum(len(_norm(p)) for p in article.paragraphs)


def _body_units(article: ParsedArticle) -> list[str]:
    units = [_norm(p) for p in article.paragraphs]
    return units or ([_norm(article.abstract)] if article.abstract else [])


def _conflicts(a: ParsedArticle, b: ParsedArticle) -> bool:
    pairs: list[tuple[object, object]] = [
        (_norm(a.author), _norm(b.author)),
        (_norm(a.publication), _norm(b.publication)),
        (a.year, b.year),
        (a.issue_number, b.issue_number),
    ]
    return any(x not in (None, "") and y not in (None, "") and x != y for x, y in pairs)


# Share of the shorter copy's paragraphs that must occur in the longer one.
_OVERLAP_RATIO = 0.6
# A truncated copy often ends mid-paragraph; a long enough cut paragraph still counts.
_MIN_PREFIX_PARAGRAPH = 20


def _bodies_overlap(a: ParsedArticle, b: ParsedArticle) -> bool:
    short, long = sorted((_body_units(a), _body_units(b)), key=lambda u: sum(map(len, u)))
    if not short:
        return False
    if "".join(long).startswith("".join(short)):
        return True
    long_set = set(long)
    hits = sum(
        1
        for p in short
        if p in long_set or (len(p) >= _MIN_PREFIX_PARAGRAPH and any(q.startswith(p) for q in long))
    )
    return hits / len(short) >= _OVERLAP_RATIO


def _merge(fuller: ParsedArticle, lesser: ParsedArticle) -> ParsedArticle:
    """The fuller copy, with metadata it lacks taken from the other and all lines of both."""
    updates: dict[str, Any] = {}
    for name in ("author", "publication", "abstract"):
        if not getattr(fuller, name) and getattr(lesser, name):
            updates[name] = getattr(lesser, name)
    if fuller.issue_number is None and lesser.issue_number is not None:
        updates["issue_number"] = lesser.issue_number
        updates["issue_label"] = lesser.issue_label
    if fuller.year is None and lesser.year is not None:
        updates["year"] = lesser.year
        updates["month"] = lesser.month
    elif fuller.month is None and lesser.month is not None and fuller.year == lesser.year:
        updates["month"] = lesser.month
    if not fuller.keywords and lesser.keywords:
        updates["keywords"] = list(lesser.keywords)
    lines = dict(lesser.source_lines)
    lines.update(dict(fuller.source_lines))
    updates["source_lines"] = sorted(lines.items())
    kept = {n for n, _ in fuller.source_lines}
    dropped = list(fuller.dropped) + [
        DroppedLine(n, raw, REASON_DUPLICATE_ARTICLE)
        for n, raw in lesser.source_lines
        if n not in kept and _clean_ws(raw)
    ]
    updates["dropped"] = sorted(dropped, key=lambda d: d.number)
    return replace(fuller, **updates)


class DuplicateMerger:
    """Streaming duplicate detection. add(article) -> tuple[str, int | None]:

    ("new", index) — a new article, stored at position `index` of self.articles;
    ("replace", index) — duplicate of the article at `index`, and this one is fuller:
    self.articles[index] is now the merged article;
    ("skip", index) — duplicate of the article at `index`, which is already the fuller one
    (merged metadata/source_lines kept there).
    Duplicates have the same title (ignoring whitespace), no conflicting author, publication,
    year or issue number, and bodies that overlap (one a prefix of the other, or most
    paragraphs of the shorter found in the longer). The merged article keeps the fullest text
    (more body characters), fills metadata missing in one from the other, and has the union of
    both source_lines (sorted by line number) so nothing is lost. One note per merge is kept
    in self.notes.
    """

    def __init__(self) -> None:
        self.articles: list[ParsedArticle] = []
        self.notes: list[DroppedLine] = []
        self._by_title: dict[str, list[int]] = {}

    def add(self, article: ParsedArticle) -> tuple[str, int | None]:
        key = _norm(article.title)
        for index in self._by_title.get(key, []):
            stored = self.articles[index]
            if _conflicts(stored, article) or not _bodies_overlap(stored, article):
                continue
            if _body_chars(article) > _body_chars(stored):
                action, fuller, lesser = "replace", article, stored
            else:
                action, fuller, lesser = "skip", stored, article
            self.articles[index] = _merge(fuller, lesser)
            first_line = lesser.source_lines[0][0] if lesser.source_lines else 0
            self.notes.append(DroppedLine(first_line, lesser.title, REASON_DUPLICATE_ARTICLE))
            return action, index
        self.articles.append(article)
        index = len(self.articles) - 1
        self._by_title.setdefault(key, []).append(index)
        return "new", index


# Articles with signs of a compilation (a title repeated at the start of its text, its own
# metadata run, an abstract or keywords) that make a text a compilation of several.
COMPILATION_SIGNS = 2


def _has_compilation_signs(article: ParsedArticle) -> bool:
    echoed = any(line.reason == REASON_TITLE_ECHO for line in article.dropped)
    return echoed or bool(article.publication or article.abstract or article.keywords)


def is_compilation(lines: Iterable[str]) -> bool:
    """Whether the text clearly holds several articles, each marked as compilations mark
    them; a one-article text with short lines (headings, bylines) does not."""
    signs = 0
    for item in iter_raw_articles(lines):
        if isinstance(item, ParsedArticle) and _has_compilation_signs(item):
            signs += 1
            if signs >= COMPILATION_SIGNS:
                return True
    return False


def parse_lines(lines: Iterable[tuple[int, str]]) -> ParseResult:
    """iter_raw_articles + DuplicateMerger over numbered lines, streamed (line numbers need
    not be consecutive: blocks of a PDF or a Word file are numbered by paragraph)."""
    numbers: list[int] = []

    def texts() -> Iterator[str]:
        for number, text in lines:
            numbers.append(number)
            yield text

    merger = DuplicateMerger()
    dropped: list[DroppedLine] = []
    for item in iter_raw_articles(texts()):
        if isinstance(item, DroppedLine):
            dropped.append(item)
        else:
            merger.add(item)
    dropped.extend(merger.notes)
    result = ParseResult(articles=merger.articles, dropped=dropped, line_count=len(numbers))
    if numbers != list(range(1, len(numbers) + 1)):
        _renumber(result, numbers)
    result.dropped.sort(key=lambda line: line.number)
    return result


def _renumber(result: ParseResult, numbers: list[int]) -> None:
    def real(n: int) -> int:
        return numbers[n - 1] if 0 < n <= len(numbers) else n

    for line in result.dropped:
        line.number = real(line.number)
    for article in result.articles:
        article.source_lines = [(real(n), text) for n, text in article.source_lines]


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def parse_raw_text(text: str) -> ParseResult:
    """iter_raw_articles + DuplicateMerger over the whole text."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start a new one
    merger = DuplicateMerger()
    dropped: list[DroppedLine] = []
    for item in iter_raw_articles(lines):
        if isinstance(item, DroppedLine):
            dropped.append(item)
        else:
            merger.add(item)
    dropped.extend(merger.notes)
    dropped.sort(key=lambda d: d.number)
    return ParseResult(articles=merger.articles, dropped=dropped)
