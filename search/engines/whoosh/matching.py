"""Which documents match a query and its filters, with facet counts, and the page asked
for in order: the engine's search, from the phrase lookups, columns and scores."""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from dataclasses import dataclass

from whoosh import query as wq

from search.engines.whoosh.columns import columns_of
from search.engines.whoosh.memo import SET_BYTES, Memo
from search.engines.whoosh.phrases import EXACT_FIELDS, exact_docs
from search.engines.whoosh.ranking import best, document_scores, scoring_terms, scoring_words
from search.folding import fold
from search.query import ParsedQuery
from search.types import EngineQuery, EngineResults, YearRange
from search.words import query_words


def _words_query(text: str) -> wq.Query | None:
    words = query_words(fold(text))
    if not words:
        return None
    return wq.And([wq.Term("text", word) for word in words])


def _match(searcher, memo: Memo, query: ParsedQuery) -> tuple[set[int] | None, set[int] | None]:
    """(articles matching the required terms, those matching every term as typed).

    Each exact phrase is looked up once; None when there are no required terms, or
    (second value) when every term is exact anyway.
    """
    matched: set[int] | None = None
    as_typed: set[int] | None = None
    any_loose = False
    for group in query.required:
        group_all: set[int] = set()
        group_typed: set[int] = set()
        for term in group:
            exact = exact_docs(searcher, EXACT_FIELDS[term.field], term.text, memo)
            group_typed.update(exact)
            group_all.update(exact)
            if not term.phrase and term.field is None:
                any_loose = True
                words = _words_query(term.text)
                if words is not None:
                    group_all.update(
                        memo.get(
                            ("words", term.text),
                            lambda q=words: array("i", sorted(q.docs(searcher))),
                        )
                    )
        matched = group_all if matched is None else matched & group_all
        as_typed = group_typed if as_typed is None else as_typed & group_typed
    return matched, (as_typed if any_loose else None)


@dataclass(frozen=True)
class _Matches:
    """The documents matching a query's terms, whatever the filters."""

    docs: frozenset[int]
    as_typed: frozenset[int] | None  # those with every term as typed; None: all of them
    pairs: Counter  # (source, year) -> documents, for facet counts under any filter

    def approximate_bytes(self) -> int:
        sets = len(self.docs) + len(self.as_typed or ())
        return sets * SET_BYTES + len(self.pairs) * 200

    def facet_counts(self, source: str | None, years: YearRange | None) -> tuple[Counter, Counter]:
        source_counts: Counter = Counter()
        year_counts: Counter = Counter()
        for (doc_source, doc_year), count in self.pairs.items():
            if years is None or years.accepts(doc_year or None):
                source_counts[doc_source] += count
            if source is None or doc_source == source:
                year_counts[doc_year] += count
        return source_counts, year_counts


def _matches(searcher, memo: Memo, query: ParsedQuery) -> _Matches:
    columns = columns_of(searcher)
    required, as_typed = _match(searcher, memo, query)
    docs = columns.live if required is None else required
    if query.excluded:
        excluded: set[int] = set()
        for term in query.excluded:
            excluded.update(exact_docs(searcher, EXACT_FIELDS[term.field], term.text, memo))
        docs = docs - excluded
    sources, year_of = columns.source, columns.year
    return _Matches(
        docs=frozenset(docs),
        as_typed=None if as_typed is None else frozenset(as_typed),
        pairs=Counter((sources[d], year_of[d]) for d in docs),
    )


def search_documents(searcher, memo: Memo, request: EngineQuery) -> EngineResults:
    """Every article matching the query and filters, the slice asked for in order, and the
    facet counts. The documents matching each term and their scores are remembered until
    the index changes (memo.py)."""
    if searcher.doc_count_all() == 0:
        return EngineResults(total=0, article_ids=(), facet_counts={"source": {}, "year": {}})
    query = request.query
    columns = columns_of(searcher)
    matches = memo.get(
        ("matches", query.required, query.excluded), lambda: _matches(searcher, memo, query)
    )
    source_filter, years = request.filter("source"), request.filter("year")
    # Articles without a publication are stored with an empty one.
    source = None if source_filter is None else source_filter.value or ""
    selected = matches.docs
    if source is not None:
        selected = selected & columns.docs_of_source(source)
    if years is not None:
        selected = selected & columns.docs_in_years(years)
    source_counts, year_counts = matches.facet_counts(source, years)
    needed = request.offset + request.limit
    first = _first(searcher, memo, columns, matches, selected, query, request.sort, needed)
    return EngineResults(
        total=len(selected),
        article_ids=tuple(columns.article_id[docnum] for docnum in first[request.offset :]),
        facet_counts={
            "source": {name or None: n for name, n in source_counts.items()},
            "year": {year or None: n for year, n in year_counts.items()},
        },
    )


def _first(searcher, memo, columns, matches, selected, query, sort, needed) -> list[int]:
    """The `needed` first of the `selected` documents in result order."""
    if sort == "relevance" and query.required:
        scores = document_scores(searcher, memo, scoring_terms(scoring_words(query)), selected)
        if matches.as_typed is None:
            return best(scores, selected, needed)
        # Articles containing the words as typed come before those containing them
        # only as separate words.
        typed = selected & matches.as_typed
        first = best(scores, typed, needed)
        return first + best(scores, selected - typed, needed - len(first))
    return heapq.nsmallest(needed, selected, key=columns.date_rank(sort).__getitem__)
