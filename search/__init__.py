"""Searching the archive: the public surface; everything else in the package is its own business.

- `search_articles(query=…, filters=…, sort=…, page=…)` → SearchOutcome (hits, facets, totals),
  `matching_article_ids(…, limit=…)` (ids only, for exports and feeds) and
  `related_articles(article)`: the services, cached per index version;
- a search's results as one file (`plan_export`, `EXPORT_LIMIT`), as an Atom feed
  (`SearchFeed`), and the filters a query names (`filter_suggestions`);
- filters (`Equals`, `YearRange`) by facet name, as `FACETS` declares the facets (`facet`);
  `SearchForm` validates a request's parameters into them;
- the query syntax (`parse_query`, `ParsedQuery`, `Term`) and its limits;
- errors: `IndexUnavailable` (`IndexMissing` before the first build), `IndexLocked`,
  `PageOutOfRange`, `QueryTooLong`;
- the engine contract (`SearchEngine`, `EngineQuery`, `EngineResults`, `IndexHealth`) and the
  engine in use (`get_engine`, `use_engine`, `engine_at`, `ENGINES`); `index_health`;
- keeping the index true to the database: `rebuild_index`, `check_index`, `repair_index`,
  `flush_index_queue`, the queue's model `PendingIndexUpdate`;
- research tools: `concordance(query=…, filters=…, sort=…, width=…, page=…)` → Concordance
  (every occurrence of one phrase with its context; `concordance_lines` for downloads), and
  `trend(queries=[…], filters=…)` → Trend (matching articles and their share per year);
- text reuse (查重): `find_reuse(text=…, min_length=13)` → ReuseReport, the overlaps between
  articles (`article_overlaps`, `compare_articles`, `compute_overlaps`, `refresh_reuse`);
- what is searched and how it is matched and marked: `searchable_segments` (`text_segments`
  for an article's fields), `fold` (`forget_folds`), `query_words`, `highlight`, `snippets`.
"""

from importlib import import_module

# Where each public name lives. Loaded on first use (PEP 562): the query syntax, folding
# and the types work without Django's settings (the benchmark's peers, the load test).
_HOMES = {
    "CONCORDANCE_SORTS": "search.concordances",
    "Concordance": "search.concordances",
    "ConcordanceLine": "search.concordances",
    "ConcordancePhrase": "search.concordances",
    "concordance": "search.concordances",
    "concordance_lines": "search.concordances",
    "concordance_phrase": "search.concordances",
    "ENGINES": "search.engines",
    "engine_at": "search.engines",
    "get_engine": "search.engines",
    "use_engine": "search.engines",
    "IndexLocked": "search.errors",
    "IndexMissing": "search.errors",
    "IndexUnavailable": "search.errors",
    "PageOutOfRange": "search.errors",
    "FACETS": "search.facets",
    "Facet": "search.facets",
    "facet": "search.facets",
    "fold": "search.folding",
    "forget_folds": "search.folding",
    "index_health": "search.health",
    "ExportForm": "search.forms",
    "SearchForm": "search.forms",
    "highlight": "search.highlighting",
    "snippets": "search.highlighting",
    "IndexReport": "search.indexing",
    "check_index": "search.indexing",
    "flush_index_queue": "search.indexing",
    "rebuild_index": "search.indexing",
    "repair_index": "search.indexing",
    "PendingIndexUpdate": "search.models",
    "MAX_QUERY_LENGTH": "search.query",
    "MAX_TERMS": "search.query",
    "QUOTE_CHARACTERS": "search.query",
    "ParsedQuery": "search.query",
    "QueryTooLong": "search.query",
    "Term": "search.query",
    "parse_query": "search.query",
    "SearchEngine": "search.contract",
    "EXPORT_LIMIT": "search.export",
    "Export": "search.export",
    "plan_export": "search.export",
    "SearchFeed": "search.feeds",
    "FilterSuggestion": "search.suggestions",
    "filter_suggestions": "search.suggestions",
    "FacetGroup": "search.services",
    "FacetValue": "search.services",
    "Hit": "search.services",
    "MatchingIds": "search.services",
    "PER_PAGE": "search.services",
    "SearchOutcome": "search.services",
    "matching_article_ids": "search.services",
    "related_articles": "search.services",
    "related_text": "search.services",
    "search_articles": "search.services",
    "searchable_segments": "search.text",
    "text_segments": "search.text",
    "SORTS": "search.types",
    "EngineQuery": "search.types",
    "EngineResults": "search.types",
    "Equals": "search.types",
    "IndexHealth": "search.types",
    "YearRange": "search.types",
    "Trend": "search.trends",
    "TrendSeries": "search.trends",
    "TrendYear": "search.trends",
    "trend": "search.trends",
    "query_words": "search.words",
    # Text reuse (查重), a package of its own (search.reuse).
    "ArticleOverlap": "search.reuse",
    "ArticleReuse": "search.reuse",
    "ReuseReport": "search.reuse",
    "SharedSpan": "search.reuse",
    "article_overlaps": "search.reuse",
    "compare_articles": "search.reuse",
    "compute_overlaps": "search.reuse",
    "find_reuse": "search.reuse",
    "refresh_reuse": "search.reuse",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)


__all__ = sorted(_HOMES)
