"""Queries that name a filter: a year or a publication typed into the search box.

Readers type "2020", "2019年", "２０２０" or "商情", "《求知》" where they mean the filter. The
search itself stays exact (the phrase is searched as typed); the results page also offers the
filter, as a link that applies it to every article instead of searching for the words. The
link drops the query (the words named the filter) and keeps the other filters in force.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from archive.models import Publication
from search.facets import Facet, facet
from search.folding import fold
from search.query import QUOTE_CHARACTERS
from search.types import Equals, Filter, YearRange

# A year as a query: four digits (full-width ones fold to these), optionally 年.
_YEAR_QUERY = re.compile(r"^(\d{4})\s*年?$")
# Years that a query names; other four-digit numbers are only numbers.
MIN_YEAR, MAX_YEAR = 1900, 2100
# What may surround a publication's name: title marks and quotes.
_NAME_MARKS = "《》〈〉" + "".join(QUOTE_CHARACTERS)


@dataclass(frozen=True)
class FilterSuggestion:
    """A filter the query names: the facet and the value it would select (as in URLs)."""

    facet: Facet
    value: str


def filter_suggestions(query: str, filters: Mapping[str, Filter]) -> list[FilterSuggestion]:
    """The filters that `query`, as a whole, names and that are not already in force."""
    text = fold(query).strip()
    if not text:
        return []
    found = []
    year = _named_year(text)
    if year is not None and filters.get("year") != YearRange(start=year, end=year):
        found.append(FilterSuggestion(facet("year"), str(year)))
    name = _named_publication(text)
    if name is not None and filters.get("source") != Equals(name):
        found.append(FilterSuggestion(facet("source"), name))
    return found


def _named_year(text: str) -> int | None:
    match = _YEAR_QUERY.match(text)
    if match and MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        return int(match.group(1))
    return None


def _named_publication(text: str) -> str | None:
    """The publication whose name the folded text is, with or without 《》 or quotes."""
    wanted = text.strip(_NAME_MARKS).strip()
    if not wanted:
        return None
    for name in Publication.objects.values_list("name", flat=True).iterator():
        if fold(name).strip() == wanted:
            return name
    return None
