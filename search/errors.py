"""What searching and indexing raise, whatever the engine."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# What a reader is told, on pages and in the API alike.
UNAVAILABLE_MESSAGE = _("检索索引暂时不可用，请稍后再试。")
PAGE_OUT_OF_RANGE_MESSAGE = _("没有这一页结果。")


class IndexUnavailable(Exception):
    """The index cannot answer (missing, unreadable, damaged): searches say so, not fail."""


class IndexMissing(IndexUnavailable):
    """There is no index yet (a fresh data directory): it is to be created, not repaired."""


class IndexLocked(Exception):
    """Another writer held the index for longer than the engine waits for it."""


class PageOutOfRange(Exception):
    """A page past the last page of results."""
