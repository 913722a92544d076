"""How often each article contains a phrase, from the index alone: a gram's frequency in a
document is the number of places it starts there (analysis.CharGramTokenizer makes one gram
at every position), and a longer phrase's starts are those of its covering grams."""

from __future__ import annotations

from collections import Counter

from search.engines.whoosh.analysis import MAX_GRAM
from search.engines.whoosh.columns import columns_of
from search.engines.whoosh.memo import Memo
from search.engines.whoosh.phrases import EXACT_FIELDS, exact_docs, phrase_starts
from search.facets import facet
from search.folding import fold
from search.types import PhraseCounts


def phrase_occurrences(
    searcher, memo: Memo, phrase: str, filters: tuple, sort: str
) -> PhraseCounts:
    """The articles containing `phrase` under the filters, in `sort` date order, each with
    the number of places the phrase starts in it."""
    folded = fold(phrase)
    if searcher.doc_count_all() == 0 or not folded.strip():
        return PhraseCounts()
    columns = columns_of(searcher)
    docs = frozenset(exact_docs(searcher, EXACT_FIELDS[None], phrase, memo)) & columns.live
    for name, chosen in filters:
        docs &= columns.docs_matching(facet(name), chosen)
    order = sorted(docs, key=columns.date_rank(sort).__getitem__)
    counts = _counts(searcher, folded, docs)
    return PhraseCounts(
        article_ids=tuple(columns.article_id[docnum] for docnum in order),
        occurrences=tuple(counts[docnum] for docnum in order),
    )


def _counts(searcher, folded: str, docs: frozenset[int]) -> Counter:
    """Document → places the phrase starts in its text, for the documents in `docs`."""
    fields = EXACT_FIELDS[None]
    counts: Counter = Counter()
    if len(folded) > MAX_GRAM:
        for docnum, starts in phrase_starts(searcher, fields.long, folded).items():
            if docnum in docs:
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
            if (field, term) not in reader:
                continue
            matcher = reader.postings(field, term)
            while matcher.is_active():
                docnum = base + matcher.id()
                if docnum in docs:
                    counts[docnum] += round(matcher.weight())
                matcher.next()
    return counts
