"""Validation of search parameters, shared by the search page and the API."""

from __future__ import annotations

import re

from django import forms

from search.query import MAX_QUERY_LENGTH
from search.services import UNKNOWN_YEAR
from search.types import SORTS, YearRange

_YEAR = re.compile(r"^\s*(\d{4})\s*(?:(-|–|—|~|至)\s*(\d{4})?)?\s*$")
MIN_YEAR, MAX_YEAR = 1000, 2999
MAX_PAGE = 10_000


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True, max_length=MAX_QUERY_LENGTH * 2)
    source = forms.CharField(required=False, max_length=200)
    year = forms.CharField(required=False, max_length=20)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_q(self) -> str:
        return self.cleaned_data["q"] or ""

    def clean_source(self) -> str | None:
        return self.cleaned_data["source"] or None

    def clean_year(self) -> YearRange | None:
        value = self.cleaned_data["year"]
        if not value:
            return None
        if value == UNKNOWN_YEAR:
            return YearRange(unknown=True)
        match = _YEAR.match(value)
        if not match:
            raise forms.ValidationError("年份应为四位数字（如 2020）或范围（如 2018-2020）。")
        start = int(match.group(1))
        end = int(match.group(3)) if match.group(3) else (None if match.group(2) else start)
        if not MIN_YEAR <= start <= MAX_YEAR or (
            end is not None and not MIN_YEAR <= end <= MAX_YEAR
        ):
            raise forms.ValidationError("年份超出范围。")
        if end is not None and end < start:
            start, end = end, start
        return YearRange(start=start, end=end)

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 1

    def error_text(self) -> str:
        labels = {"q": "检索词", "source": "刊物", "year": "年份", "sort": "排序", "page": "页码"}
        return "；".join(
            f"{labels.get(name, name)}：{' '.join(errors)}" for name, errors in self.errors.items()
        )
