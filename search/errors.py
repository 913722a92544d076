"""What searching and indexing raise, whatever the engine."""

from __future__ import annotations


class IndexUnavailable(Exception):
    """The index cannot answer (missing, unreadable, damaged): searches say so, not fail."""


class IndexMissing(IndexUnavailable):
    """There is no index yet (a fresh data directory): it is to be created, not repaired."""


class IndexLocked(Exception):
    """Another writer held the index for longer than the engine waits for it."""


class PageOutOfRange(Exception):
    """A page past the last page of results."""
