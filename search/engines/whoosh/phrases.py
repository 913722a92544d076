"""Exact phrases: the documents whose folded text contains a folded string, found from
character grams (analysis.CharGramTokenizer) without any word segmentation."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher

from search.engines.whoosh.analysis import MAX_GRAM, SHORT_GRAM_SIZES
from search.engines.whoosh.memo import Memo
from search.engines.whoosh.ranking import DENSE_SELECTION
from search.folding import fold


@dataclass(frozen=True)
class ExactFields:
    """Where exact matches of a field are looked up: phrases of up to `short_max`
    characters are a term of `short`; longer ones use the MAX_GRAM-character grams of
    `long` (a prefix of one when shorter, a phrase of several when longer)."""

    short: str
    short_max: int
    long: str


EXACT_FIELDS = {
    None: ExactFields("exact", SHORT_GRAM_SIZES[-1], "exact_long"),
    "title": ExactFields("title_exact", MAX_GRAM, "title_exact"),
    "author": ExactFields("author_exact", MAX_GRAM, "author_exact"),
    "source": ExactFields("source_exact", MAX_GRAM, "source_exact"),
}


def _docs(searcher, query: wq.Query | None) -> set[int]:
    return set(query.docs(searcher)) if query is not None else set()


def exact_docs(searcher, fields: ExactFields, text: str, memo: Memo | None = None) -> array:
    """The documents whose folded field contains the folded text, ascending (an array:
    a tenth of a set's memory, while it is remembered)."""
    folded = fold(text)
    if not folded.strip():
        return array("i")
    if memo is not None:
        return memo.get(("exact", fields, folded), lambda: _exact_docs(searcher, fields, folded))
    return _exact_docs(searcher, fields, folded)


def _exact_docs(searcher, fields: ExactFields, folded: str) -> array:
    return array("i", sorted(_lookup(searcher, fields, folded)))


def _lookup(searcher, fields: ExactFields, folded: str) -> set[int]:
    if len(folded) <= fields.short_max:
        return _docs(searcher, wq.Term(fields.short, folded))
    if len(folded) < MAX_GRAM:
        # The start of a gram (grams at a segment's end are padded to be one).
        return prefix_docs(searcher, fields.long, folded)
    if len(folded) == MAX_GRAM:
        return _docs(searcher, wq.Term(fields.long, folded))
    return phrase_docs(searcher, fields.long, folded)


def _at_docs(matcher, docnums: list[int]) -> Iterator[int]:
    """Each of the ascending `docnums` that the matcher has, with the matcher on it."""
    if not matcher.is_active():
        return
    for docnum in docnums:
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum


def prefix_docs(searcher, field: str, prefix: str) -> set[int]:
    """Documents with a term starting with `prefix`: each posting list read whole and
    merged as sets (Whoosh's prefix query walks a tree of union matchers instead, one
    document at a time; a common three-character prefix has dozens of grams)."""
    found: set[int] = set()
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        for term in reader.expand_prefix(field, prefix):
            ids = reader.postings(field, term).all_ids()
            found.update(ids if not base else (base + docnum for docnum in ids))
    return found


def phrase_cover(folded: str) -> list[tuple[int, str]]:
    """(offset, gram): the fewest MAX_GRAM-character grams that cover the phrase."""
    last = len(folded) - MAX_GRAM
    offsets = list(range(0, last + 1, MAX_GRAM))
    if offsets[-1] != last:
        offsets.append(last)
    return [(offset, folded[offset : offset + MAX_GRAM]) for offset in offsets]


def phrase_docs(searcher, field: str, folded: str) -> set[int]:
    """Documents with the covering grams of the phrase at the phrase's offsets."""
    return set(phrase_starts(searcher, field, folded))


def phrase_starts(searcher, field: str, folded: str) -> dict[int, set[int]]:
    """Each document containing the phrase → the positions where it starts.

    Grams sit at the position of their first character, so the phrase occurs at p
    exactly when each covering gram (offset o) occurs at p + o. Whoosh's own phrase
    query would check every overlapping gram; the cover needs a quarter of them,
    and the rarest one first narrows the documents whose positions are read.
    """
    cover = phrase_cover(folded)
    found: dict[int, set[int]] = {}
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        if any((field, gram) not in reader for _, gram in cover):
            continue
        candidates: set[int] | None = None
        for _, gram in sorted(cover, key=lambda item: reader.doc_frequency(field, item[1])):
            ids = set(reader.postings(field, gram).all_ids())
            candidates = ids if candidates is None else candidates & ids
            if not candidates:
                break
        if not candidates:
            continue
        starts: dict[int, set[int]] = {}
        for offset, gram in cover:
            matcher = reader.postings(field, gram)
            survivors: dict[int, set[int]] = {}
            dense = len(candidates) >= reader.doc_frequency(field, gram) * DENSE_SELECTION
            for docnum, positions in _positions(matcher, candidates, dense=dense):
                shifted = {position - offset for position in positions}
                if offset:
                    shifted &= starts[docnum]
                if shifted:
                    survivors[docnum] = shifted
            starts = survivors
            candidates = set(survivors)
            if not candidates:
                break
        found.update((base + docnum, positions) for docnum, positions in starts.items())
    return found


def _positions(matcher, docs: set[int], *, dense: bool) -> Iterator[tuple[int, list[int]]]:
    """(document, positions) for each of `docs` in the matcher, in document order.

    When the documents are many of the matcher's, its blocks are read whole (ids and
    values at once) instead of skipping to each document, one posting at a time.
    """
    if dense and isinstance(matcher, W3LeafMatcher):
        decode = matcher.format.decoder("positions")
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_values()
            first = matcher._i
            for docnum, value in zip(matcher._ids[first:], matcher._values[first:], strict=True):
                if docnum in docs:
                    yield docnum, decode(value)
            matcher._next_block()
        return
    for docnum in _at_docs(matcher, sorted(docs)):
        yield docnum, matcher.value_as("positions")
