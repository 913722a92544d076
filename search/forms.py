"""Validation of search parameters, shared by the search page and the API."""

from __future__ import annotations

from django import forms

from search.facets import FACETS, FilterInvalid
from search.query import MAX_QUERY_LENGTH
from search.types import SORTS, Filter

MAX_PAGE = 10_000


class SearchForm(forms.Form):
    """The query, a filter per facet (search.facets: one field each), the order and the page."""

    q = forms.CharField(required=False, strip=True, max_length=MAX_QUERY_LENGTH * 2)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        self.fields = {"q": fields.pop("q")}
        for facet in FACETS:
            self.fields[facet.name] = forms.CharField(
                required=False, max_length=facet.max_length, label=facet.label
            )
        self.fields.update(fields)

    def clean_q(self) -> str:
        return self.cleaned_data["q"] or ""

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 1

    def clean(self) -> dict:
        data = super().clean()
        for facet in FACETS:
            raw = data.get(facet.name)
            if not raw:
                data[facet.name] = None
                continue
            try:
                data[facet.name] = facet.parse(raw)
            except FilterInvalid as error:
                self.add_error(facet.name, str(error))
        return data

    def filters(self) -> dict[str, Filter]:
        """The filters asked for, by facet name (after is_valid())."""
        chosen = ((f.name, self.cleaned_data[f.name]) for f in FACETS)
        return {name: value for name, value in chosen if value is not None}

    def error_text(self) -> str:
        labels = {"q": "检索词", "sort": "排序", "page": "页码"}
        labels.update((facet.name, str(facet.label)) for facet in FACETS)
        return "；".join(
            f"{labels.get(name, name)}：{' '.join(errors)}" for name, errors in self.errors.items()
        )
