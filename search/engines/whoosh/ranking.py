"""Relevance and related articles: BM25F as Whoosh computes it, bit for bit, read faster.

Whoosh's scorer looks up the length of the field for every document it scores, one
column read each (a seek and a read, without memory maps): most of the cost of ranking
thousands of matching articles. The lengths are read into a list once per segment
reader and field, and reused while the reader is (a refreshed searcher keeps the
readers of unchanged segments). Each term's scores are read block by block into compact
arrays, remembered for the index version, and summed per document.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping

from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25FScorer, bm25
from whoosh.util.numeric import byte_to_length

from search.engines.whoosh.codec import read_numbers
from search.engines.whoosh.columns import columns_of
from search.engines.whoosh.memo import Memo
from search.folding import fold
from search.query import ParsedQuery
from search.words import query_words


def field_lengths(reader: SegmentReader, fieldname: str) -> list[int]:
    """The length of `fieldname` in every document of the segment (1 where unknown,
    as Whoosh's scorer assumes)."""
    cache = reader.__dict__.setdefault("_archive_field_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        # The lengths column of Whoosh's own per-document reader (its private name).
        column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None:
            lengths = [1] * reader.doc_count_all()
        else:
            stored = read_numbers(column, reader.doc_count_all())
            lengths = [byte_to_length(value) if value else 1 for value in stored]
        cache[fieldname] = lengths
    return lengths


class ArchiveBM25F(scoring.BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        reader = searcher.reader()
        if hasattr(scorer, "dfl") and isinstance(reader, SegmentReader):
            scorer.dfl = field_lengths(reader, fieldname).__getitem__
        return scorer


SCORED_FIELDS = ("text", "title")


def scoring_words(query: ParsedQuery) -> tuple[str, ...]:
    """Relevance is BM25 over the query's words in the body and (weighted) the title.

    Word terms need no positions, so scoring stays cheap when thousands of articles
    match; which articles match is decided exactly, elsewhere.
    """
    return tuple(sorted({w for term in query.terms for w in query_words(fold(term.text))}))


def scoring_terms(words: Iterable[str]) -> list[tuple[str, str]]:
    return [(field, word) for word in words for field in SCORED_FIELDS]


# Below this many selected documents per posting of the query's terms, the selected
# documents' scores are looked up one by one; above, every document's sum is made once.
DENSE_SELECTION = 1 / 8


def document_scores(
    searcher, memo: Memo, terms: list[tuple[str, str]], selected
) -> Mapping[int, float]:
    """The score the query Or(Term(field, text) for each term) gives at least every
    selected document that has one of the terms (the others score 0).

    Each term's scores are read once per index version and remembered; so is their sum
    over all documents, when the selection is a large part of them.
    """
    tables = [term_table(searcher, memo, term) for term in terms]
    postings = sum(len(docnums) for docnums, _ in tables)
    if len(selected) < postings * DENSE_SELECTION:
        return scores_of(tables, selected)
    return memo.get(("scores", tuple(terms)), lambda: sum_scores(tables))


def scores_of(tables: list[tuple[array, array]], docs: Iterable[int]) -> dict[int, float]:
    """The summed scores of `docs`, each found in the tables by bisection, added in the
    tables' order (as Whoosh adds a query's terms: the sums are bit for bit the same)."""
    scores = dict.fromkeys(docs, 0.0)
    for docnums, values in tables:
        count = len(docnums)
        for docnum in scores:
            at = bisect_left(docnums, docnum)
            if at < count and docnums[at] == docnum:
                scores[docnum] += values[at]
    return scores


def sum_scores(tables: list[tuple[array, array]]) -> dict[int, float]:
    """Per document, the sum of its scores in the tables, added in the tables' order."""
    total: dict[int, float] = {}
    get = total.get
    for docnums, scores in tables:
        for docnum, score in zip(docnums, scores, strict=True):
            total[docnum] = get(docnum, 0.0) + score
    return total


def term_table(searcher, memo: Memo, term: tuple[str, str]) -> tuple[array, array]:
    """packed_scores of the term, remembered for the index version."""
    return memo.get(("term scores", term), lambda: packed_scores(searcher, term))


def packed_scores(searcher, term: tuple[str, str]) -> tuple[array, array]:
    """Every document with the term and the score the term gives it, as (ascending
    document numbers, scores) arrays: a tenth of a dict's memory, for remembering."""
    docnums, scores = array("i"), array("d")
    fieldname, text = term
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        if term not in reader:
            continue
        scorer = searcher.weighting.scorer(leaf, fieldname, text)
        matcher = reader.postings(fieldname, text, scorer=scorer)
        if isinstance(matcher, W3LeafMatcher) and isinstance(scorer, BM25FScorer):
            # Block by block, with BM25 computed exactly as the scorer does, instead of
            # three method calls per posting.
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            lengths = field_lengths(reader, fieldname)
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                first = matcher._i
                ids, weights = matcher._ids[first:], matcher._weights[first:]
                docnums.extend(base + docnum for docnum in ids)
                scores.extend(
                    bm25(idf, weight, lengths[docnum], avgfl, b, k1)
                    for docnum, weight in zip(ids, weights, strict=True)
                )
                matcher._next_block()
        else:
            for docnum in _all_docs(matcher):
                docnums.append(base + docnum)
                scores.append(matcher.score())
    return docnums, scores


def _all_docs(matcher) -> Iterator[int]:
    """Each document of the matcher, with the matcher on it."""
    while matcher.is_active():
        yield matcher.id()
        matcher.next()


# How many of an article's most distinctive words pick its related articles (as
# Whoosh's more_like does by default).
RELATED_TERMS = 5


def related_documents(searcher, memo: Memo, article_id: int, text: str, limit: int) -> list[int]:
    """Whoosh's more_like(): the articles that score best for the article's key words,
    each word weighted by how distinctive it is. Scored from each word's remembered
    scores instead of running the query over every article that has one of them."""
    docnum = searcher.document_number(django_id=str(article_id))
    if docnum is None:
        return []
    key_terms = searcher.key_terms_from_text("text", text, numterms=RELATED_TERMS)
    total: dict[int, float] = {}
    get = total.get
    for word, weight in key_terms:
        docnums, scores = term_table(searcher, memo, ("text", word))
        for other, score in zip(docnums, scores, strict=True):
            total[other] = get(other, 0.0) + score * weight
    total.pop(docnum, None)
    chosen = heapq.nsmallest(limit, total, key=lambda d: (-total[d], d))
    ids = columns_of(searcher).article_id
    return [ids[d] for d in chosen]


def best(scores: dict[int, float], docs: frozenset[int], needed: int) -> list[int]:
    """The `needed` best-scoring docs, ties (and unscored documents) in index order."""
    if needed <= 0 or not docs:
        return []
    return heapq.nsmallest(needed, docs, key=lambda d: (-scores.get(d, 0.0), d))
