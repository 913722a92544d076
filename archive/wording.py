"""How the interface writes years and lists in the reader's language, written once here.

"2020年" and "刊物、年份和作者" in Chinese; "2020" and "Publication, Year and Author" in
English. Pages, facets and notices use these instead of joining words themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext


def year_label(year: int) -> str:
    """A year as the interface writes it: "2020年" in Chinese, "2020" in English."""
    return gettext("%(year)s年") % {"year": year}


# For labels made once and shown to readers of either language (kept pages of results).
year_label_lazy = lazy(year_label, str)


def listing(items: Sequence[str]) -> str:
    """Items as one phrase: "甲、乙和丙" in Chinese, "A, B and C" in English."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    separator = pgettext("between items of a list", "、")
    return gettext("%(items)s和%(last)s") % {
        "items": separator.join(items[:-1]),
        "last": items[-1],
    }
