"""The words of the engine contract: filters, what an engine is asked and what it answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from search.query import ParsedQuery

# Orders of results: by relevance, or by date (undated articles last either way).
SORTS = ("relevance", "newest", "oldest")

# A facet's value for one article: a name (a publication, an author) or a year; None for
# an article that does not record one.
FacetKey = str | int | None

# (articles done, articles in all): called while a long index operation runs.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Equals:
    """Articles whose value is exactly `value` (None: articles without one)."""

    value: str | None

    def accepts(self, value: FacetKey) -> bool:
        return value == self.value


@dataclass(frozen=True)
class YearRange:
    """Articles of the years from `start` to `end` (either open), or only undated ones."""

    start: int | None = None
    end: int | None = None
    unknown: bool = False  # only articles without a year

    def accepts(self, year: FacetKey) -> bool:
        if self.unknown:
            return year is None
        if year is None:
            return False
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


Filter = Equals | YearRange


@dataclass(frozen=True)
class EngineQuery:
    """What a search asks of an engine: the query, at most one filter per facet (by the
    facet's name, see search.facets), the order and the slice of results wanted."""

    query: ParsedQuery
    filters: tuple[tuple[str, Filter], ...] = ()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20

    def filter(self, facet: str) -> Filter | None:
        return next((f for name, f in self.filters if name == facet), None)


@dataclass(frozen=True)
class EngineResults:
    """How many articles match, the ids of the slice asked for in order, and per facet how
    many matching articles have each value (counted under the query and every filter but
    that facet's own, so that a reader sees what choosing another value would give)."""

    total: int
    article_ids: tuple[int, ...]
    facet_counts: Mapping[str, Mapping[FacetKey, int]]


@dataclass(frozen=True)
class IndexHealth:
    """Whether the index answers: with how many documents, or why not."""

    ok: bool
    documents: int | None = None
    error: str = ""


@dataclass(frozen=True)
class PhraseCounts:
    """The articles containing a phrase, in date order, and how often each contains it: every
    start position of the folded phrase in its folded searchable text (overlapping ones too,
    never across two segments)."""

    article_ids: tuple[int, ...] = ()
    occurrences: tuple[int, ...] = ()
