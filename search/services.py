"""The archive's search, as views and the API call it: one function, whatever the engine."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from archive.models import Article
from search.engines import get_engine
from search.errors import IndexUnavailable, PageOutOfRange
from search.facets import FACETS, Facet, Kind
from search.folding import fold
from search.highlighting import highlight, snippets
from search.pages import PageCache
from search.query import ParsedQuery, parse_query
from search.types import SORTS, EngineQuery, Filter
from search.words import query_words

log = logging.getLogger("wencui.search")

PER_PAGE = 20

# The facet of years: its counts are also a trend's (search.trends).
YEAR = next(f.name for f in FACETS if f.kind is Kind.YEAR)

# Pages of results and related-article lists, for the index version they came from.
pages = PageCache()


@dataclass
class FacetValue:
    value: str  # as used in the URL
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    """A facet's values for the matching articles, in the order they are listed."""

    facet: Facet
    values: list[FacetValue]


@dataclass
class Hit:
    article: Article
    title_html: SafeString
    snippets: list[SafeString]


@dataclass
class SearchOutcome:
    query: ParsedQuery
    sort: str
    page: int
    per_page: int
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: list[FacetGroup] = field(default_factory=list)  # as search.facets declares them
    elapsed_ms: float = 0.0
    unavailable: bool = False
    index_version: str = ""  # what the results came from: a key for caching their pages

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def facet_values(self, name: str) -> list[FacetValue]:
        return next((group.values for group in self.facets if group.facet.name == name), [])

    @property
    def words(self) -> list[str]:
        """How the query was split into words, for the empty-results help."""
        return [w for term in self.query.terms for w in query_words(fold(term.text))]


def highlight_needles(query: ParsedQuery, texts: list[str]) -> list[str]:
    """The folded strings to mark in an article: each term as typed where the article
    contains it so, else (for unquoted terms) its words."""
    folded_texts = [fold(text) for text in texts]
    needles: list[str] = []
    for term in query.terms:
        folded = fold(term.text)
        if term.phrase or any(folded in text for text in folded_texts):
            needles.append(folded)
        else:
            needles.extend(query_words(folded))
    return needles


def _snippet_sources(article: Article) -> list[str]:
    """Where a hit's snippets come from: the abstract, then the body's paragraphs."""
    return [article.abstract, *article.paragraphs] if article.abstract else article.paragraphs


@dataclass(frozen=True)
class _Page:
    """A page of results as the index and the articles gave it, with its facets: kept
    until the index changes (an article's change reaches the index too)."""

    total: int
    hits: tuple[tuple[int, SafeString, tuple[SafeString, ...]], ...]  # id, title, snippets
    facets: tuple[FacetGroup, ...]
    index_version: str  # the version it came from (kept pages go with it)


def search_articles(
    *,
    query: str,
    filters: Mapping[str, Filter] | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchOutcome:
    """Articles matching `query` (search syntax, see search.query) and the filters, by
    facet name (search.facets: e.g. {"year": YearRange(2018, 2020)}).

    Raises QueryTooLong for an over-long query and PageOutOfRange for a page past
    the last; an unreadable index gives an outcome with `unavailable` set.
    """
    started = time.perf_counter()
    parsed = parse_query(query)
    sort = _sort_for(parsed, sort)
    outcome = SearchOutcome(query=parsed, sort=sort, page=page, per_page=per_page, total=0)
    engine = get_engine()
    request = _engine_query(parsed, filters, sort, offset=(page - 1) * per_page, limit=per_page)
    try:
        # The version first: should the index change meanwhile, the page is newer than its
        # label, and a rendering cached under that label is never older than it says.
        version = engine.version()
        found = pages.get(version, request, lambda: _page(engine, request, version))
    except IndexUnavailable as error:
        log.error("search index unavailable: %s", error)
        outcome.unavailable = True
        return outcome
    outcome.index_version = found.index_version
    outcome.total = found.total
    if page > outcome.num_pages:
        raise PageOutOfRange(page)

    # The articles are read each time: one deleted since the index was read is left out.
    articles = Article.objects.listed().in_bulk([article_id for article_id, _, _ in found.hits])
    for article_id, title_html, article_snippets in found.hits:
        article = articles.get(article_id)
        if article is not None:
            outcome.hits.append(Hit(article, title_html, list(article_snippets)))
    outcome.facets = list(found.facets)
    outcome.elapsed_ms = (time.perf_counter() - started) * 1000
    return outcome


def _sort_for(parsed: ParsedQuery, sort: str | None) -> str:
    """The order asked for; by default relevance, and newest first without a query."""
    if sort not in SORTS or (sort == "relevance" and parsed.is_empty):
        return "newest" if parsed.is_empty else "relevance"
    return sort


def _engine_query(
    parsed: ParsedQuery, filters: Mapping[str, Filter] | None, sort: str, *, offset: int, limit: int
) -> EngineQuery:
    filters = filters or {}
    return EngineQuery(
        query=parsed,
        filters=tuple((f.name, filters[f.name]) for f in FACETS if f.name in filters),
        sort=sort,
        offset=offset,
        limit=limit,
    )


@dataclass(frozen=True)
class MatchingIds:
    """The first `limit` matching articles' ids in the search's order, and how many match."""

    total: int
    article_ids: tuple[int, ...]
    sort: str


def matching_article_ids(
    *,
    query: str,
    filters: Mapping[str, Filter] | None = None,
    sort: str | None = None,
    limit: int,
) -> MatchingIds:
    """The ids of the first `limit` articles that search_articles would list, in its order,
    without building pages (for exports and feeds). Raises QueryTooLong, and IndexUnavailable
    when the index cannot answer."""
    parsed = parse_query(query)
    sort = _sort_for(parsed, sort)
    request = _engine_query(parsed, filters, sort, offset=0, limit=limit)
    engine = get_engine()
    results = pages.get(engine.version(), ("ids", request), lambda: engine.search(request))
    return MatchingIds(total=results.total, article_ids=tuple(results.article_ids), sort=sort)


def year_counts_key(query: ParsedQuery, filters: tuple[tuple[str, Filter], ...]) -> tuple:
    """The page cache's key for a query's matching articles per year under the filters but
    the year's own (what a trend draws, see search.trends)."""
    return (
        "year counts",
        query.required,
        query.excluded,
        tuple(f for f in filters if f[0] != YEAR),
    )


def _page(engine, request: EngineQuery, version: str) -> _Page:
    results = engine.search(request)
    # The year facet is counted under every filter but its own: the results page's trend
    # chart draws these counts, kept here instead of asking the engine again.
    if YEAR in results.facet_counts:
        year_counts = dict(results.facet_counts[YEAR])
        pages.get(version, year_counts_key(request.query, request.filters), lambda: year_counts)
    articles = Article.objects.select_related("publication").in_bulk(results.article_ids)
    hits = []
    for article_id in results.article_ids:
        article = articles.get(article_id)
        if article is not None:  # deleted since the index was read
            hit = _build_hit(article, request.query)
            hits.append((article_id, hit.title_html, tuple(hit.snippets)))
    facets = tuple(
        _facet_group(facet, results.facet_counts.get(facet.name, {}), request.filter(facet.name))
        for facet in FACETS
    )
    return _Page(total=results.total, hits=tuple(hits), facets=facets, index_version=version)


def _facet_group(facet: Facet, counts: Mapping, chosen: Filter | None) -> FacetGroup:
    selected = facet.selected_value(chosen)
    listed = facet.ordered(counts)
    if selected is not None and all(facet.url_value(value) != selected for value, _ in listed):
        # The value a reader chose stays in the list, however few articles it has.
        listed += [(value, n) for value, n in counts.items() if facet.url_value(value) == selected]
    return FacetGroup(
        facet=facet,
        values=[
            FacetValue(
                value=facet.url_value(value),
                label=facet.value_label(value),
                count=count,
                selected=facet.url_value(value) == selected,
            )
            for value, count in listed
        ],
    )


def _build_hit(article: Article, parsed: ParsedQuery) -> Hit:
    segments = _snippet_sources(article)
    if parsed.is_empty:
        lead = (article.abstract or (segments[0] if segments else ""))[:120]
        return Hit(
            article=article, title_html=highlight(article.title, []), snippets=[highlight(lead, [])]
        )
    needles = highlight_needles(parsed, [article.title, *segments])
    return Hit(
        article=article,
        title_html=highlight(article.title, needles),
        snippets=snippets(segments, needles),
    )


# How much of the body, after the title, keywords and abstract, picks related articles:
# the words of an article's opening say what it is about, and each word costs a lookup.
RELATED_BODY_CHARS = 300


def related_text(article: Article) -> str:
    return "\n".join(
        [article.title, *article.keyword_names, article.abstract, article.body[:RELATED_BODY_CHARS]]
    )


def related_articles(article: Article, *, limit: int = 5) -> list[Article]:
    engine = get_engine()
    text = related_text(article)
    try:
        ids = pages.get(
            engine.version(),
            ("related", article.pk, text, limit),
            lambda: engine.related(article_id=article.pk, text=text, limit=limit),
        )
    except IndexUnavailable:
        return []
    found = Article.objects.listed().in_bulk(ids)
    return [found[i] for i in ids if i in found]
