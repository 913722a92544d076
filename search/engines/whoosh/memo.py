"""What one version of the index answered, remembered while that version is read.

A memo hangs on a Whoosh searcher. When the index changes, the backend's searcher is
replaced by a refreshed one and the memo goes with the old searcher, so nothing in it
can outlive the version it was computed from: no expiry times, no invalidation calls.
Each gunicorn worker has its own. A memo is bounded by what its entries cost (their
approximate size in bytes, or one each), least recently used first out.
"""

from __future__ import annotations

import os
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

# Document sets and score tables are counted by the memory they take (roughly, see
# approximate_bytes).
DOCUMENTS_MB = int(os.environ.get("WENCUI_SEARCH_MEMO_MB", "64"))

# What CPython takes per element, with the int objects: a set's table is kept at most
# 60% full at 16 bytes a slot, a dict adds its index and a float per value.
SET_BYTES = 80
DICT_BYTES = 110


def approximate_bytes(value: object) -> int:
    """Roughly what a value holds in memory (its own estimate when it has one)."""
    if hasattr(value, "approximate_bytes"):
        return value.approximate_bytes()
    if isinstance(value, array):
        return 64 + len(value) * value.itemsize
    if isinstance(value, tuple):
        return 64 + sum(approximate_bytes(item) for item in value)
    if isinstance(value, set | frozenset):
        return 200 + len(value) * SET_BYTES
    if isinstance(value, dict):
        return 200 + len(value) * DICT_BYTES
    return 1000


class Memo:
    def __init__(self, budget: int, measure: Callable[[object], int] = lambda value: 1) -> None:
        self.budget = budget
        self.measure = measure
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value remembered for `key`, else compute() remembered (if it fits).

        A value is shared by every caller that asks for its key: never mutate one.
        """
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]
        self.misses += 1
        value = compute()
        size = self.measure(value)
        if self.budget <= 0 or size > self.budget:
            return value
        while self._entries and self.used + size > self.budget:
            _, (_, freed) = self._entries.popitem(last=False)
            self.used -= freed
        self._entries[key] = (value, size)
        self.used += size
        return value


def searcher_memo(searcher) -> Memo:
    """The memo of this searcher (made on first use): matching documents, their scores."""
    memo = getattr(searcher, "_archive_memo", None)
    if memo is None:
        memo = searcher._archive_memo = Memo(DOCUMENTS_MB * 2**20, measure=approximate_bytes)
    return memo
