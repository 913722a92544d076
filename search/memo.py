"""What one version of the index answered, remembered while that version is read.

A memo hangs on a Whoosh searcher. When the index changes, the backend's searcher is
replaced by a refreshed one and the memo goes with the old searcher, so nothing in it
can outlive the version it was computed from: no expiry times, no invalidation calls.
Each gunicorn worker has its own; the memo is bounded by the number of documents its
entries hold (a set of 10,000 documents costs 10,000), least recently used first out.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sized
from typing import TypeVar

T = TypeVar("T")

# About 60 bytes per document held: the default keeps a worker's memo under ~60 MB.
DEFAULT_BUDGET = int(os.environ.get("WENCUI_SEARCH_MEMO", "1000000"))


def cost_of(value: object) -> int:
    """What an entry counts against the budget: its size if it has one, else 1."""
    return max(1, len(value)) if isinstance(value, Sized) else 1


class Memo:
    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable, compute: Callable[[], T], cost: int | None = None) -> T:
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
        size = cost_of(value) if cost is None else cost
        if self.budget <= 0 or size > self.budget:
            return value
        while self._entries and self.used + size > self.budget:
            _, (_, freed) = self._entries.popitem(last=False)
            self.used -= freed
        self._entries[key] = (value, size)
        self.used += size
        return value


def searcher_memo(searcher) -> Memo:
    """The memo of this searcher (made on first use)."""
    memo = getattr(searcher, "_archive_memo", None)
    if memo is None:
        memo = searcher._archive_memo = Memo()
    return memo
