"""How often each article contains a phrase, from the index alone: a gram's frequency in a
document is the number of places it starts there (analysis.CharGramTokenizer makes one gram
at every position), and a longer phrase's starts are those of its covering grams."""

from __future__ import annotations

from collections import Counter

from whoosh.codec.whoosh3 import W3LeafMatcher

from search.engines.whoosh.analysis import MAX_GRAM
from search.engines.whoosh.columns import columns_of
from search.engines.whoosh.phrases import EXACT_FIELDS, phrase_starts
from search.facets import facet
from search.folding import fold
from search.types import PhraseCounts


def phrase_occurrences(searcher, phrase: str, filters: tuple, sort: str) -> PhraseCounts:
    """The articles containing `phrase` under the filters, in `sort` date order, each with
    the number of places the phrase starts in it."""
    folded = fold(phrase)
    if searcher.doc_count_all() == 0 or not folded.strip():
        return PhraseCounts()
    columns = columns_of(searcher)
    counts = _counts(searcher, folded)
    docs = frozenset(counts) & columns.live
    for name, chosen in filters:
        docs &= columns.docs_matching(facet(name), chosen)
    order = sorted(docs, key=columns.date_rank(sort).__getitem__)
    return PhraseCounts(
        article_ids=tuple(columns.article_id[docnum] for docnum in order),
        occurrences=tuple(counts[docnum] for docnum in order),
    )


def _counts(searcher, folded: str) -> Counter:
    """Document → places the phrase starts in its text (documents without it left out)."""
    fields = EXACT_FIELDS[None]
    counts: Counter = Counter()
    if len(folded) > MAX_GRAM:
        for docnum, starts in phrase_starts(searcher, fields.long, folded).items():
            counts[docnum] = len(starts)
        return counts
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        if len(folded) <= fields.short_max:
            terms = [(fields.short, folded)]
        elif len(folded) < MAX_GRAM:
            # Each place a shorter phrase starts begins exactly one gram (padded at a
            # segment's end): the grams it begins, each as often as it occurs.
            terms = [(fields.long, term) for term in reader.expand_prefix(fields.long, folded)]
        else:
            terms = [(fields.long, folded)]
        for field, term in terms:
            if (field, term) in reader:
                for docnum, weight in _weights(reader.postings(field, term)):
                    counts[base + docnum] += round(weight)
    return counts


def _weights(matcher):
    """(document, weight) of each posting: a block at a time where the matcher allows (a
    common character's postings are most of the documents)."""
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            first = matcher._i
            yield from zip(matcher._ids[first:], matcher._weights[first:], strict=True)
            matcher._next_block()
        return
    while matcher.is_active():
        yield matcher.id(), matcher.weight()
        matcher.next()
