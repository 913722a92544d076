"""The archive's search, as views and the API call it: one function, whatever the engine."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from archive.models import Article
from search.engines import get_engine
from search.errors import IndexUnavailable, PageOutOfRange
from search.folding import fold
from search.highlighting import highlight, snippets
from search.pages import PageCache
from search.query import ParsedQuery, parse_query
from search.types import SORTS, EngineQuery, EngineResults, Equals, YearRange
from search.words import query_words

log = logging.getLogger("wencui.search")

UNKNOWN_SOURCE = "__none__"
UNKNOWN_YEAR = "none"
PER_PAGE = 20

# Pages of results and related-article lists, for the index version they came from.
pages = PageCache()


@dataclass
class FacetValue:
    value: str  # as used in the URL
    label: str
    count: int
    selected: bool


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
    source_facets: list[FacetValue] = field(default_factory=list)
    year_facets: list[FacetValue] = field(default_factory=list)
    elapsed_ms: float = 0.0
    unavailable: bool = False
    index_version: str = ""  # what the results came from: a key for caching their pages

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

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


def article_segments(article: Article) -> list[str]:
    return [article.abstract, *article.paragraphs] if article.abstract else article.paragraphs


@dataclass(frozen=True)
class _Page:
    """A page of results as the index and the articles gave it: kept until the index
    changes (an article's change reaches the index too)."""

    results: EngineResults
    hits: tuple[tuple[int, SafeString, tuple[SafeString, ...]], ...]  # id, title, snippets
    index_version: str  # the version it came from (remembered pages die with it)


def search_articles(
    *,
    query: str,
    source: str | None = None,
    years: YearRange | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchOutcome:
    """Articles matching `query` (search syntax, see search.query) and the filters.

    Raises QueryTooLong for an over-long query and PageOutOfRange for a page past
    the last; an unreadable index gives an outcome with `unavailable` set.
    """
    started = time.perf_counter()
    parsed = parse_query(query)
    if sort not in SORTS:
        sort = "relevance" if not parsed.is_empty else "newest"
    if sort == "relevance" and parsed.is_empty:
        sort = "newest"
    outcome = SearchOutcome(query=parsed, sort=sort, page=page, per_page=per_page, total=0)
    engine = get_engine()
    filters = []
    if source is not None:
        filters.append(("source", Equals(None if source == UNKNOWN_SOURCE else source)))
    if years is not None:
        filters.append(("year", years))
    request = EngineQuery(
        query=parsed,
        filters=tuple(filters),
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    try:
        # The version first: should the index change meanwhile, the page is newer than its
        # label, and a rendering cached under that label is never older than it says.
        version = engine.version()
        found = pages.get(version, request, lambda: _page(engine, request, version))
    except IndexUnavailable as error:
        log.error("search index unavailable: %s", error)
        outcome.unavailable = True
        return outcome
    results = found.results
    outcome.index_version = found.index_version
    outcome.total = results.total
    if page > outcome.num_pages:
        raise PageOutOfRange(page)

    # The articles are read each time: one deleted since the index was read is left out.
    articles = Article.objects.listed().in_bulk([article_id for article_id, _, _ in found.hits])
    for article_id, title_html, article_snippets in found.hits:
        article = articles.get(article_id)
        if article is not None:
            outcome.hits.append(Hit(article, title_html, list(article_snippets)))

    outcome.source_facets = [
        FacetValue(
            value=name or UNKNOWN_SOURCE,
            label=name or "未注明刊物",
            count=count,
            selected=(name or UNKNOWN_SOURCE) == source,
        )
        for name, count in sorted(
            results.facet_counts["source"].items(), key=lambda i: (-i[1], i[0] is None, i[0] or "")
        )
    ]
    selected_year = _year_param(years)
    outcome.year_facets = [
        FacetValue(
            value=str(year) if year else UNKNOWN_YEAR,
            label=f"{year}年" if year else "未注明年份",
            count=count,
            selected=(str(year) if year else UNKNOWN_YEAR) == selected_year,
        )
        for year, count in sorted(
            results.facet_counts["year"].items(), key=lambda i: (i[0] is None, -(i[0] or 0))
        )
    ]
    outcome.elapsed_ms = (time.perf_counter() - started) * 1000
    return outcome


def _page(engine, request: EngineQuery, version: str) -> _Page:
    results = engine.search(request)
    articles = Article.objects.select_related("publication").in_bulk(results.article_ids)
    hits = []
    for article_id in results.article_ids:
        article = articles.get(article_id)
        if article is not None:  # deleted since the index was read
            hit = build_hit(article, request.query)
            hits.append((article_id, hit.title_html, tuple(hit.snippets)))
    return _Page(results=results, hits=tuple(hits), index_version=version)


def _year_param(years: YearRange | None) -> str | None:
    if years is None:
        return None
    if years.unknown:
        return UNKNOWN_YEAR
    if years.start == years.end:
        return str(years.start)
    return None


def build_hit(article: Article, parsed: ParsedQuery) -> Hit:
    segments = article_segments(article)
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
