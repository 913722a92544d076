"""Which documents match a query and its filters, with facet counts, and the page asked
for in order: the engine's search, from the phrase lookups, columns and scores."""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from dataclasses import dataclass

from whoosh import query as wq

from search.engines.whoosh.columns import Columns, columns_of, facet_counts
from search.engines.whoosh.memo import SET_BYTES, Memo
from search.engines.whoosh.phrases import EXACT_FIELDS, exact_docs
from search.engines.whoosh.ranking import best, document_scores, scoring_terms, scoring_words
from search.facets import FACETS, Facet
from search.folding import fold
from search.query import ParsedQuery
from search.types import EngineQuery, EngineResults
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
    """The documents matching a query's terms, whatever the filters, and how many of them
    have each value of each facet."""

    docs: frozenset[int]
    as_typed: frozenset[int] | None  # those with every term as typed; None: all of them
    counts: dict[str, Counter]  # facet name → stored value → documents

    def approximate_bytes(self) -> int:
        sets = len(self.docs) + len(self.as_typed or ())
        return sets * SET_BYTES + sum(len(c) for c in self.counts.values()) * 200


def _matches(searcher, memo: Memo, query: ParsedQuery) -> _Matches:
    columns = columns_of(searcher)
    required, as_typed = _match(searcher, memo, query)
    docs = columns.live if required is None else required
    if query.excluded:
        excluded: set[int] = set()
        for term in query.excluded:
            excluded.update(exact_docs(searcher, EXACT_FIELDS[term.field], term.text, memo))
        docs = docs - excluded
    return _Matches(
        docs=frozenset(docs),
        as_typed=None if as_typed is None else frozenset(as_typed),
        counts={facet.name: columns.count(facet, docs) for facet in FACETS},
    )


def search_documents(searcher, memo: Memo, request: EngineQuery) -> EngineResults:
    """Every article matching the query and filters, the slice asked for in order, and the
    facet counts. The documents matching each term and their scores are remembered until
    the index changes (memo.py)."""
    if searcher.doc_count_all() == 0:
        return EngineResults(total=0, article_ids=(), facet_counts={f.name: {} for f in FACETS})
    query = request.query
    columns = columns_of(searcher)
    matches = memo.get(
        ("matches", query.required, query.excluded), lambda: _matches(searcher, memo, query)
    )
    # Facet name → the matching documents its filter lets through.
    passing = {
        facet.name: matches.docs & columns.docs_matching(facet, chosen)
        for facet in FACETS
        if (chosen := request.filter(facet.name)) is not None
    }
    selected = frozenset.intersection(*passing.values()) if passing else matches.docs
    needed = request.offset + request.limit
    first = _first(searcher, memo, columns, matches, selected, query, request.sort, needed)
    return EngineResults(
        total=len(selected),
        article_ids=tuple(columns.article_id[docnum] for docnum in first[request.offset :]),
        facet_counts={
            facet.name: facet_counts(_counts(facet, matches, columns, passing), facet)
            for facet in FACETS
        },
    )


def _counts(facet: Facet, matches: _Matches, columns: Columns, passing: dict) -> Counter:
    """The facet's counts over the matching documents that pass every other facet's filter
    (its own would leave only the value chosen)."""
    others = [docs for name, docs in passing.items() if name != facet.name]
    if not others:
        return matches.counts[facet.name]
    return columns.count(facet, frozenset.intersection(*others))


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
