"""What the engine remembers per index version (matches, scores): bounded, and kept compact."""

from __future__ import annotations

from array import array

from search import YearRange, get_engine, search_articles
from search.engines.whoosh.columns import columns_of
from search.engines.whoosh.memo import Memo, approximate_bytes
from search.facets import facet


def test_memo_computes_once_and_counts_hits():
    memo = Memo(budget=10)
    calls = []
    for _ in range(3):
        assert memo.get("k", lambda: calls.append(1) or "v") == "v"
    assert calls == [1]
    assert (memo.hits, memo.misses) == (2, 1)


def test_memo_drops_the_least_recently_used_first():
    memo = Memo(budget=3)
    for key in "abc":
        memo.get(key, lambda key=key: key)
    memo.get("a", lambda: "again")  # a is now the most recent
    memo.get("d", lambda: "d")
    assert "b" not in memo
    assert all(key in memo for key in "acd")
    assert memo.used == 3


def test_memo_measures_entries_and_keeps_none_larger_than_its_budget():
    memo = Memo(budget=100, measure=len)
    memo.get("small", lambda: "x" * 60)
    memo.get("medium", lambda: "y" * 50)  # 60 + 50 > 100: small goes
    assert "small" not in memo and "medium" in memo
    assert memo.get("huge", lambda: "z" * 101) == "z" * 101  # answered, not kept
    assert "huge" not in memo and "medium" in memo
    assert Memo(budget=0).get("k", lambda: 1) == 1


def test_arrays_are_counted_smaller_than_sets():
    docs = range(10_000)
    assert approximate_bytes(array("i", docs)) * 8 < approximate_bytes(frozenset(docs))
    assert approximate_bytes((array("i", docs), array("d", [0.0] * 10_000))) < 130_000


def test_year_groups_are_kept_one_per_year_whatever_ranges_are_asked(corpus_db):
    for start, end in [(2018, 2020), (2019, 2020), (2000, 2019), (2020, 2020), (1990, 2000)]:
        search_articles(query="党", filters={"year": YearRange(start=start, end=end)})
    with get_engine().backend.searcher() as searcher:
        columns = columns_of(searcher)
        assert set(columns.groups(facet("year"))) == set(columns.facet["year"])
