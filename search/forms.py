"""Validation of search parameters, shared by the search page and the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from archive.citations import LIST_FORMATS
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
        labels = {"q": gettext("检索词"), "sort": gettext("排序"), "page": gettext("页码")}
        labels.update((name, str(f.label)) for name, f in self.fields.items() if f.label)
        # "年份：……；页码：……" / "Year: …; Page: …"
        field_error = pgettext("form error", "%(field)s：%(errors)s")
        return pgettext("form errors", "；").join(
            " ".join(errors)
            if name == NON_FIELD_ERRORS
            else field_error % {"field": labels.get(name, name), "errors": " ".join(errors)}
            for name, errors in self.errors.items()
        )


class ArticleIdsField(forms.Field):
    """Article ids given as a repeated parameter (?id=3&id=7): a list of positive integers."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, max_count: int, **kwargs) -> None:
        self.max_count = max_count
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        ids = []
        for raw in value or []:
            text = str(raw).strip()
            if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
                raise ValidationError(gettext("文章编号应为正整数。"))
            ids.append(int(text))
        if len(ids) > self.max_count:
            raise ValidationError(
                gettext("一次最多导出 %(count)s 篇文章。") % {"count": self.max_count}
            )
        return ids


class ExportForm(SearchForm):
    """A search's parameters, the export's format and, optionally, the chosen articles."""

    def __init__(self, *args, max_chosen: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = ", ".join(LIST_FORMATS)
        self.fields["format"] = forms.ChoiceField(
            label=_("格式"),
            choices=[(f.name, f.label) for f in LIST_FORMATS.values()],
            error_messages={
                "required": gettext("请选择导出格式（%(names)s）。") % {"names": names},
                "invalid_choice": gettext("没有这种导出格式；可用：%(names)s。") % {"names": names},
            },
        )
        self.fields["id"] = ArticleIdsField(
            label=_("文章编号"), required=False, max_count=max_chosen
        )
        # Which button of the results page sent the form: "all" exports the whole list
        # whatever is ticked; "chosen" (or none, with ids) only the ticked articles.
        self.fields["scope"] = forms.ChoiceField(
            label=_("导出范围"), required=False, choices=[("all", "all"), ("chosen", "chosen")]
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("scope") == "chosen" and not data.get("id"):
            raise ValidationError(gettext("没有勾选文章：请先勾选要导出的文章，或导出全部结果。"))
        return data
