"""Trends over the years: per year, how many articles match a query and what share of that
year's articles they are (a phrase can look common only because a year has many articles).

Both numbers come from the engine, for the same index version and under the same filters
(publication, author): the matching articles are the year facet's counts of the query, the
year's articles those of the empty query, so a share never exceeds one. The year filter
itself is left out: a trend shows every year, and each year links to the search filtered
to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from search.engines import get_engine
from search.facets import FACETS
from search.query import ParsedQuery, parse_query
from search.services import YEAR, pages, year_counts_key
from search.types import EngineQuery, Filter

# Phrases compared in one trend at most.
MAX_SERIES = 5


@dataclass(frozen=True)
class TrendYear:
    year: int
    articles: int  # matching the query
    total: int  # all articles of the year (under the same filters)

    @property
    def share(self) -> float:
        return self.articles / self.total if self.total else 0.0


@dataclass(frozen=True)
class TrendSeries:
    """One query's matching articles per year, with those that have no year."""

    query: str
    years: tuple[TrendYear, ...]
    undated: int

    @property
    def articles(self) -> int:
        return sum(y.articles for y in self.years) + self.undated


@dataclass(frozen=True)
class Trend:
    """A series per query over the same years: every year having articles under the filters,
    oldest first (years without any article are left out, as their share means nothing)."""

    series: tuple[TrendSeries, ...]
    years: tuple[int, ...]
    totals: tuple[int, ...]  # all articles of each year
    undated_total: int  # articles without a year
    index_version: str = ""

    @property
    def has_matches(self) -> bool:
        return any(series.articles for series in self.series)

    @property
    def undated(self) -> int:
        """Matching articles without a year (of the first series): shown nowhere on the chart."""
        return self.series[0].undated if self.series else 0


def trend(*, queries: Sequence[str], filters: Mapping[str, Filter] | None = None) -> Trend:
    """Per year, the articles matching each query (search syntax, as search_articles reads
    it) and all the year's articles, under the filters but the year's. Raises QueryTooLong;
    IndexUnavailable when the index cannot answer."""
    engine = get_engine()
    chosen = tuple(
        (f.name, filters[f.name])
        for f in FACETS
        if filters and f.name in filters and f.name != YEAR
    )
    version = engine.version()
    parsed = [parse_query(q) for q in queries[:MAX_SERIES]]
    totals = _year_counts(engine, version, ParsedQuery(raw=""), chosen)
    years = tuple(sorted(year for year, n in totals.items() if year is not None and n))
    series = []
    for query in parsed:
        counts = _year_counts(engine, version, query, chosen) if not query.is_empty else totals
        series.append(
            TrendSeries(
                query=query.raw,
                years=tuple(TrendYear(y, counts.get(y, 0), totals[y]) for y in years),
                undated=counts.get(None, 0),
            )
        )
    return Trend(
        series=tuple(series),
        years=years,
        totals=tuple(totals[y] for y in years),
        undated_total=totals.get(None, 0),
        index_version=version,
    )


def _year_counts(engine, version: str, query: ParsedQuery, chosen: tuple) -> Mapping:
    request = EngineQuery(query=query, filters=chosen, sort="newest", offset=0, limit=0)
    key = year_counts_key(query, chosen)
    return pages.get(version, key, lambda: dict(engine.search(request).facet_counts[YEAR]))
