"""Concordance (KWIC): every occurrence of one phrase in the archive, each with its context.

An occurrence is a start position of the folded phrase in an article's folded searchable text
(search.text, search.folding): every start counts, overlapping ones too (哈哈 is twice in
哈哈哈), and a phrase never straddles two segments (two paragraphs, the title and the body),
as in search. The engine says which articles contain the phrase (in date order), their texts
say where. Counting needs the text of every matching article, so the occurrences of a phrase
under its filters are kept by the service's page cache for the index version; only the lines
of the page shown are cut from the articles as written.
"""

from __future__ import annotations

import bisect
import itertools
import math
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from archive.models import Article, ArticleKeyword
from search.engines import get_engine
from search.errors import IndexUnavailable, PageOutOfRange
from search.facets import FACETS
from search.folding import fold, fold_with_offsets
from search.query import parse_query
from search.services import pages
from search.text import text_segments
from search.types import Filter, PhraseCounts

# Orders of the lines: by the article's date, or alphabetically by the context before the
# match (read backwards from the match, as concordancers do) or after it.
CONCORDANCE_SORTS = ("newest", "oldest", "left", "right")
# Characters of context on each side of the match.
DEFAULT_WIDTH = 20
MIN_WIDTH, MAX_WIDTH = 5, 100
PER_PAGE = 50
# Lines a CSV download holds at most (the rest are counted, not written).
CSV_LINES = 10_000
# Characters of context that sort the lines by context; ties then go by date.
SORT_KEY_CHARACTERS = 20
# Occurrences that can be ordered by their context at most: the order needs the text of
# every matching article, and a key per occurrence (a phrase found more often is shown in
# date order, the page saying why).
CONTEXT_SORT_LIMIT = 100_000
# Articles whose texts are read per query.
READ_CHUNK = 500


@dataclass(frozen=True)
class ConcordancePhrase:
    """What a concordance looks for: one phrase as typed, and what of the input was left out."""

    text: str
    ignored: tuple[str, ...] = ()

    @property
    def folded(self) -> str:
        return fold(self.text)


def concordance_phrase(query: str) -> ConcordancePhrase | None:
    """The phrase of a concordance query: the input's first term, quoted or not, without its
    quotes and field; None for input without one. A concordance looks for one phrase: the
    other terms (and exclusions) are named in `ignored`, for the page to say so. Raises
    QueryTooLong."""
    parsed = parse_query(query)
    terms = [term.text for term in parsed.terms]
    if not terms:
        return None
    return ConcordancePhrase(
        text=terms[0], ignored=(*terms[1:], *(f"-{t.text}" for t in parsed.excluded))
    )


@dataclass(frozen=True)
class ConcordanceLine:
    """One occurrence: the context before it, the match and the context after, as written."""

    article_id: int
    title: str
    year: int | None
    date_label: str
    url: str  # the article's page, at the paragraph holding the occurrence
    left: str
    match: str
    right: str


@dataclass
class Concordance:
    phrase: ConcordancePhrase | None
    sort: str
    width: int
    page: int
    per_page: int
    occurrences: int = 0
    articles: int = 0
    lines: list[ConcordanceLine] = field(default_factory=list)
    unavailable: bool = False
    index_version: str = ""
    # Asked to be ordered by context, but found too often for that: in date order instead.
    sort_limited: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.occurrences / self.per_page))


@dataclass(frozen=True)
class _ByDate:
    """The articles containing a phrase in date order, as the engine counts them: where each
    article's occurrences end in the concordance (its own are in text order)."""

    article_ids: tuple[int, ...]
    ends: array

    def __len__(self) -> int:
        return self.ends[-1] if self.ends else 0

    @property
    def articles(self) -> int:
        return sum(1 for i, end in enumerate(self.ends) if end > (self.ends[i - 1] if i else 0))

    def lines(self, needle: str, width: int, start: int, stop: int) -> Iterator[ConcordanceLine]:
        """The lines of occurrences start…stop: only the articles holding them are read."""
        first = bisect.bisect_right(self.ends, start)
        last = bisect.bisect_right(self.ends, min(stop, len(self)) - 1)
        for chunk in range(first, last + 1, READ_CHUNK):
            numbers = range(chunk, min(chunk + READ_CHUNK, last + 1, len(self.article_ids)))
            texts = {
                article_id: (segments, body)
                for article_id, segments, body in article_texts(
                    self.article_ids[n] for n in numbers
                )
            }
            articles = Article.objects.listed().in_bulk(list(texts))
            for n in numbers:
                article_id = self.article_ids[n]
                article, text = articles.get(article_id), texts.get(article_id)
                if article is None or text is None:
                    continue
                segments, first_body = text
                begin = self.ends[n - 1] if n else 0
                for k, (number, at) in enumerate(_places(segments, needle), start=begin):
                    if start <= k < stop:
                        yield _line(article, segments, first_body, number, at, needle, width)


@dataclass(frozen=True)
class _ByContext:
    """Every occurrence of a phrase, ordered by its context: the article, the segment of its
    searchable text and the start in the folded segment (parallel arrays)."""

    articles: int
    article_ids: array
    segments: array
    starts: array

    def __len__(self) -> int:
        return len(self.starts)

    def lines(self, needle: str, width: int, start: int, stop: int) -> Iterator[ConcordanceLine]:
        stop = min(stop, len(self))
        for first in range(start, stop, READ_CHUNK):
            last = min(first + READ_CHUNK, stop)
            wanted = dict.fromkeys(self.article_ids[first:last])
            texts = {
                article_id: (segments, body) for article_id, segments, body in article_texts(wanted)
            }
            articles = Article.objects.listed().in_bulk(list(texts))
            for k in range(first, last):
                article_id = self.article_ids[k]
                article, text = articles.get(article_id), texts.get(article_id)
                if article is None or text is None:
                    continue
                segments, first_body = text
                yield _line(
                    article, segments, first_body, self.segments[k], self.starts[k], needle, width
                )


def concordance(
    *,
    query: str,
    filters: Mapping[str, Filter] | None = None,
    sort: str | None = None,
    width: int = DEFAULT_WIDTH,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Concordance:
    """The occurrences of the phrase of `query` (concordance_phrase) in the articles passing
    the filters (by facet name, as in search_articles), counted, and the lines of one page.

    Raises QueryTooLong and PageOutOfRange; an unreadable index gives `unavailable`.
    """
    sort = sort if sort in CONCORDANCE_SORTS else CONCORDANCE_SORTS[0]
    width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    phrase = concordance_phrase(query)
    result = Concordance(phrase=phrase, sort=sort, width=width, page=page, per_page=per_page)
    if phrase is None or not phrase.folded.strip():
        if page > 1:
            raise PageOutOfRange(page)
        return result
    try:
        found, version = _find(phrase, filters or {}, sort)
    except IndexUnavailable:
        result.unavailable = True
        return result
    result.index_version = version
    if sort in ("left", "right") and isinstance(found, _ByDate):
        result.sort, result.sort_limited = "newest", True
    result.occurrences, result.articles = len(found), found.articles
    if page > result.num_pages:
        raise PageOutOfRange(page)
    start = (page - 1) * per_page
    result.lines = list(found.lines(phrase.folded, width, start, start + per_page))
    return result


def concordance_lines(
    *,
    query: str,
    filters: Mapping[str, Filter] | None = None,
    sort: str | None = None,
    width: int = DEFAULT_WIDTH,
    limit: int | None = None,
) -> tuple[Concordance, Iterator[ConcordanceLine]]:
    """The concordance (without a page of lines) and its first `limit` lines (CSV_LINES),
    read lazily in order: for downloads."""
    limit = CSV_LINES if limit is None else limit
    result = concordance(query=query, filters=filters, sort=sort, width=width, per_page=1)
    result.lines = []
    if not result.occurrences:
        return result, iter(())
    found, _ = _find(result.phrase, filters or {}, result.sort)
    return result, found.lines(result.phrase.folded, result.width, 0, limit)


def _find(
    phrase: ConcordancePhrase, filters: Mapping[str, Filter], sort: str
) -> tuple[_ByDate | _ByContext, str]:
    engine = get_engine()
    chosen = tuple((f.name, filters[f.name]) for f in FACETS if f.name in filters)
    version = engine.version()
    date_order = sort if sort in ("newest", "oldest") else "newest"
    by_date = pages.get(
        version,
        ("concordance", phrase.folded, chosen, date_order),
        lambda: _by_date(
            engine.phrase_occurrences(phrase=phrase.text, filters=chosen, sort=date_order)
        ),
    )
    if sort == date_order or len(by_date) > CONTEXT_SORT_LIMIT:
        return by_date, version
    found = pages.get(
        version,
        ("concordance", phrase.folded, chosen, sort),
        lambda: _by_context(by_date.article_ids, phrase.folded, sort),
    )
    return found, version


def _by_date(counts: PhraseCounts) -> _ByDate:
    return _ByDate(
        article_ids=counts.article_ids, ends=array("q", itertools.accumulate(counts.occurrences))
    )


def _places(segments: list[str], needle: str) -> Iterator[tuple[int, int]]:
    """(segment, start in the folded segment) of every occurrence, in text order."""
    for number, text in enumerate(segments):
        folded = fold(text)
        at = folded.find(needle)
        while at != -1:
            yield number, at
            at = folded.find(needle, at + 1)


def _by_context(ids: Iterable[int], needle: str, sort: str) -> _ByContext:
    """Every occurrence in the articles, ordered by the context before it (read backwards) or
    after it: each article is read."""
    article_ids, segments, starts = array("q"), array("i"), array("i")
    keys: list[str] = []
    articles = 0
    for article_id, texts, _first_body in article_texts(ids):
        before = len(starts)
        folded = [fold(text) for text in texts]
        for number, at in _places(texts, needle):
            article_ids.append(article_id)
            segments.append(number)
            starts.append(at)
            if sort == "left":
                keys.append(folded[number][max(0, at - SORT_KEY_CHARACTERS) : at][::-1])
            else:
                end = at + len(needle)
                keys.append(folded[number][end : end + SORT_KEY_CHARACTERS])
        articles += len(starts) > before
    # Stable: lines with the same context stay in date order.
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return _ByContext(
        articles=articles,
        article_ids=array("q", (article_ids[i] for i in order)),
        segments=array("i", (segments[i] for i in order)),
        starts=array("i", (starts[i] for i in order)),
    )


def article_texts(ids: Iterable[int]) -> Iterator[tuple[int, list[str], int]]:
    """(id, searchable segments, the index of the first body paragraph's) of each article
    still in the database, in the order given: only the fields searched are read, a chunk of
    articles at a time."""
    ids = list(ids)
    for first in range(0, len(ids), READ_CHUNK):
        chunk = ids[first : first + READ_CHUNK]
        rows = {
            row[0]: row
            for row in Article.objects.filter(pk__in=chunk).values_list(
                "pk", "title", "subtitle", "author", "publication__name", "abstract", "body"
            )
        }
        keywords: dict[int, list[str]] = {}
        for article_id, name in (
            ArticleKeyword.objects.filter(article_id__in=chunk)
            .order_by("article_id", "position", "pk")
            .values_list("article_id", "keyword__name")
        ):
            keywords.setdefault(article_id, []).append(name)
        for article_id in chunk:
            row = rows.get(article_id)
            if row is None:  # deleted since the index was read
                continue
            _, title, subtitle, author, publication, abstract, body = row
            # As searchable_segments(), in two parts: the body's segments are its paragraphs.
            head = text_segments(
                title=title,
                subtitle=subtitle,
                author=author,
                publication=publication or "",
                abstract=abstract,
                keywords=keywords.get(article_id, ()),
            )
            yield article_id, head + text_segments(title="", body=body), len(head)


def _line(
    article: Article,
    segments: list[str],
    first_body: int,
    number: int,
    at: int,
    needle: str,
    width: int,
) -> ConcordanceLine:
    """The line of the occurrence at `at` in the folded segment `number`, with `width`
    characters of context each side (within the segment), linked to its paragraph (the body's
    segments, from `first_body`, are its paragraphs) with the phrase marked."""
    text = segments[number]
    anchor = f"#p{number - first_body + 1}" if number >= first_body else ""
    _, offsets = fold_with_offsets(text)
    begin = offsets[at]
    end = offsets[at + len(needle) - 1] + 1
    marked = urlencode({"hl": f'"{needle}"'})
    return ConcordanceLine(
        article_id=article.pk,
        title=article.title,
        year=article.year,
        date_label=article.date_label,
        url=f"{article.get_absolute_url()}?{marked}{anchor}",
        left=text[max(0, begin - width) : begin],
        match=text[begin:end],
        right=text[end : end + width],
    )


SORT_LABELS = {
    "newest": _("最新在前"),
    "oldest": _("最早在前"),
    "left": _("按左侧语境"),
    "right": _("按右侧语境"),
}
