"""The facets of a search, declared once: what each one counts and filters, how it is shown.

Each facet is a dimension of the archive's articles (a publication, a year, an author). The
form, the view, the template, the API and every engine read this list: a new facet is one
more entry here. Its name is the URL parameter (`?author=…`), the form field, the API's
key and the engine's name for the value it keeps of each article.
"""

from __future__ import annotations

import enum
import heapq
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive.wording import listing, year_label_lazy
from search.types import Equals, FacetKey, Filter, YearRange


class Kind(enum.Enum):
    NAME = "name"  # a string, filtered by equality
    YEAR = "year"  # a year, filtered by one year or a range


class FilterInvalid(ValueError):
    """A filter value that means nothing for its facet (the message says why, for readers)."""


_YEAR = re.compile(r"^\s*(\d{4})\s*(?:(-|–|—|~|至)\s*(\d{4})?)?\s*$")
MIN_YEAR, MAX_YEAR = 1000, 2999


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    kind: Kind
    # The article's value (None when it records none); the article comes with its publication.
    value_of: Callable[[object], FacetKey]
    # Articles without a value: how they are listed, and their value in URLs.
    unknown_label: str
    unknown_value: str
    # Only the most frequent values are listed (None: every value).
    limit: int | None = None
    # The longest value a URL may give.
    max_length: int = 200

    def __reduce__(self):
        # Pages kept in a shared cache are pickled: a facet travels as its name (its value_of
        # may be a lambda) and is the declared one again on the other side.
        return (facet, (self.name,))

    def url_value(self, value: FacetKey) -> str:
        return self.unknown_value if value is None else str(value)

    def value_label(self, value: FacetKey) -> str:
        if value is None:
            # Left lazy: the service keeps pages for readers of every language, and the label
            # is put in the reader's language only when a page shows it.
            return self.unknown_label
        if self.kind is Kind.YEAR:
            # Lazy as well: "2020年" in Chinese, "2020" in English, when a page shows it.
            return year_label_lazy(value)
        return str(value)

    def parse(self, raw: str) -> Filter:
        """The filter a URL value asks for; FilterInvalid when it asks for nothing."""
        if self.kind is Kind.NAME:
            return Equals(None if raw == self.unknown_value else raw)
        if raw == self.unknown_value:
            return YearRange(unknown=True)
        match = _YEAR.match(raw)
        if not match:
            raise FilterInvalid(gettext("年份应为四位数字（如 2020）或范围（如 2018-2020）。"))
        start = int(match.group(1))
        end = int(match.group(3)) if match.group(3) else (None if match.group(2) else start)
        if not MIN_YEAR <= start <= MAX_YEAR or (
            end is not None and not MIN_YEAR <= end <= MAX_YEAR
        ):
            raise FilterInvalid(gettext("年份超出范围。"))
        if end is not None and end < start:
            start, end = end, start
        return YearRange(start=start, end=end)

    def selected_value(self, chosen: Filter | None) -> str | None:
        """The URL value of the one value `chosen` selects (None for none, or a range)."""
        if isinstance(chosen, Equals):
            return self.url_value(chosen.value)
        if isinstance(chosen, YearRange):
            if chosen.unknown:
                return self.unknown_value
            if chosen.start is not None and chosen.start == chosen.end:
                return str(chosen.start)
        return None

    def ordered(self, counts: Mapping[FacetKey, int]) -> list[tuple[FacetKey, int]]:
        """The values to list with their counts: names by count (then name, articles without
        one last among equals), years newest first (undated last)."""
        if self.kind is Kind.YEAR:
            return sorted(counts.items(), key=lambda item: (item[0] is None, -(item[0] or 0)))

        def order(item: tuple[FacetKey, int]) -> tuple:
            return (-item[1], item[0] is None, item[0] or "")

        if self.limit is None or len(counts) <= self.limit:
            return sorted(counts.items(), key=order)
        # The values counted more often than the limit-th most frequent, then as many of
        # those counted as often as it needs, by name: without a Python call per value (an
        # author facet has thousands, most of them counted alike).
        least = heapq.nlargest(self.limit, counts.values())[-1]
        above = sorted(((v, n) for v, n in counts.items() if n > least), key=order)
        wanted = self.limit - len(above)
        names = heapq.nsmallest(
            wanted, [v for v, n in counts.items() if n == least and v is not None]
        )
        if len(names) < wanted and counts.get(None) == least:
            names.append(None)
        return above + [(name, least) for name in names]

    def api_item(self, value: str, label: str, count: int) -> dict:
        # Names are listed under "name", years with their "label" ("2020年").
        if self.kind is Kind.NAME:
            return {"name": label, "value": value, "count": count}
        return {"value": value, "label": label, "count": count}


def _publication(article) -> str | None:
    return article.publication.name if article.publication_id else None


FACETS: tuple[Facet, ...] = (
    Facet(
        name="source",
        label=_("刊物"),
        kind=Kind.NAME,
        value_of=_publication,
        unknown_label=_("未注明刊物"),
        unknown_value="__none__",
        max_length=200,
    ),
    Facet(
        name="year",
        label=_("年份"),
        kind=Kind.YEAR,
        value_of=lambda article: article.year or None,
        unknown_label=_("未注明年份"),
        unknown_value="none",
        max_length=20,
    ),
    Facet(
        name="author",
        label=_("作者"),
        kind=Kind.NAME,
        value_of=lambda article: article.author or None,
        unknown_label=_("未注明作者"),
        unknown_value="__none__",
        limit=10,
        max_length=300,
    ),
)


def facet(name: str) -> Facet:
    return next(f for f in FACETS if f.name == name)


def listed_labels() -> str:
    """The facets' labels as one phrase: "刊物、年份和作者" ("Publication, Year and Author")."""
    return listing([f.label for f in FACETS])
