"""The search service's own cache: pages of results and related-article lists, per index version.

Kept in each process and keyed by the engine's version(): when the index changes (an import,
an edit, a rebuild, a damaged file), the next request reads a new version and everything kept
for the old one goes at once, so nothing stale is served and nothing needs expiring. With a
shared cache (CACHE_URL), what one process made is also kept there under the version, for
the other workers and machines. What the engine remembers to compute answers (matches,
scores) is the engine's business.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")

# Pages and lists kept per process, least recently used first out (0: none).
PAGES_KEPT = int(os.environ.get("WENCUI_SEARCH_MEMO_ANSWERS", "2000"))


class PageCache:
    """Answers for one version of the index, at most `budget` of them."""

    def __init__(self, budget: int = PAGES_KEPT) -> None:
        self.budget = budget
        self.hits = 0
        self.misses = 0
        self._version: str | None = None
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: str, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for `key` in this version, else compute() kept (a value is shared
        by every caller that asks for its key: never mutate one)."""
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
        shared_key = _shared_key(version, key) if settings.CACHE_URL else None
        if shared_key is not None:
            value = cache.get(shared_key, _MISSING)
            if value is _MISSING:
                value = compute()
                cache.set(shared_key, value)
        else:
            value = compute()
        if self.budget <= 0:
            return value
        with self._lock:
            if version == self._version:
                self._entries[key] = value
                while len(self._entries) > self.budget:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None


_MISSING = object()


def _shared_key(version: str, key: Hashable) -> str:
    # Keys are tuples of strings, numbers and frozen dataclasses, whose repr is the same in
    # every process (no sets, whose order would vary with each process's hash seed).
    digest = hashlib.sha256(f"{version}\0{key!r}".encode()).hexdigest()
    return f"search-page:{digest}"
