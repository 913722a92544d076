"""The research tools' views: the concordance page, its JSON API and CSV download, and the
trend API. They validate parameters, call concordance() or trend(), render."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django import forms
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from search import concordances
from search.concordances import (
    CONCORDANCE_SORTS,
    DEFAULT_WIDTH,
    MAX_WIDTH,
    MIN_WIDTH,
    SORT_LABELS,
    Concordance,
    ConcordanceLine,
    concordance,
    concordance_lines,
)
from search.errors import (
    PAGE_OUT_OF_RANGE_MESSAGE,
    UNAVAILABLE_MESSAGE,
    IndexUnavailable,
    PageOutOfRange,
)
from search.facets import FACETS
from search.forms import SearchForm
from search.query import NOTICE_PUNCTUATION_ONLY, QueryTooLong
from search.trends import MAX_SERIES, Trend, trend


class ConcordanceForm(SearchForm):
    """The search form's query and filters, with the concordance's orders and the context's
    width."""

    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in CONCORDANCE_SORTS])
    width = forms.IntegerField(required=False, min_value=MIN_WIDTH, max_value=MAX_WIDTH)
    format = forms.ChoiceField(required=False, choices=[("json", "json"), ("csv", "csv")])

    def clean_width(self) -> int:
        return self.cleaned_data["width"] or DEFAULT_WIDTH

    def error_text(self) -> str:
        labels = {
            "q": gettext("检索词"),
            "sort": gettext("排序"),
            "page": gettext("页码"),
            "width": gettext("语境宽度"),
            "format": gettext("格式"),
        }
        labels.update((facet.name, str(facet.label)) for facet in FACETS)
        return "；".join(
            f"{labels.get(name, name)}：{' '.join(errors)}" for name, errors in self.errors.items()
        )


def _run(form: ConcordanceForm, **options) -> Concordance:
    data = form.cleaned_data
    return concordance(
        query=data["q"],
        filters=form.filters(),
        sort=data["sort"] or None,
        width=data["width"],
        page=data["page"],
        **options,
    )


@require_safe
def concordance_page(request: HttpRequest) -> HttpResponse:
    form = ConcordanceForm(request.GET)
    context = {
        "form": form,
        "q": request.GET.get("q", "")[:1000],
        "sorts": SORT_LABELS,
        "min_width": MIN_WIDTH,
        "max_width": MAX_WIDTH,
        "default_width": DEFAULT_WIDTH,
        "sort": request.GET.get("sort", ""),
        "csv_lines": concordances.CSV_LINES,
        "context_sort_limit": concordances.CONTEXT_SORT_LIMIT,
    }
    if not form.is_valid():
        context["error"] = form.error_text()
        return render(request, "search/concordance.html", context, status=400)
    try:
        result = _run(form)
    except QueryTooLong as error:
        context["error"] = str(error)
        return render(request, "search/concordance.html", context, status=400)
    except PageOutOfRange as error:
        raise Http404(str(PAGE_OUT_OF_RANGE_MESSAGE)) from error
    context.update(result=result, q=form.cleaned_data["q"], width=result.width, sort=result.sort)
    if result.phrase is not None:
        context["search_q"] = f'"{result.phrase.text}"'
    status = 503 if result.unavailable else 200
    return render(request, "search/concordance.html", context, status=status)


def _line_json(request: HttpRequest, line: ConcordanceLine) -> dict:
    return {
        "article_id": line.article_id,
        "title": line.title,
        "url": request.build_absolute_uri(line.url),
        "year": line.year,
        "left": line.left,
        "match": line.match,
        "right": line.right,
    }


@require_safe
def api_concordance(request: HttpRequest) -> HttpResponse:
    form = ConcordanceForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_text()}, status=400)
    if not form.cleaned_data["q"]:
        return JsonResponse({"error": gettext("请给出要查的短语（q）。")}, status=400)
    if form.cleaned_data["format"] == "csv":
        return _csv(request, form)
    try:
        result = _run(form)
    except QueryTooLong as error:
        return JsonResponse({"error": str(error)}, status=400)
    except PageOutOfRange:
        return JsonResponse({"error": str(PAGE_OUT_OF_RANGE_MESSAGE)}, status=404)
    if result.unavailable:
        return JsonResponse({"error": str(UNAVAILABLE_MESSAGE)}, status=503)
    if result.phrase is None:
        return JsonResponse({"error": gettext(NOTICE_PUNCTUATION_ONLY)}, status=400)
    return JsonResponse(
        {
            "query": form.cleaned_data["q"],
            "phrase": result.phrase.text,
            "ignored": list(result.phrase.ignored),
            "sort": result.sort,
            "width": result.width,
            "occurrences": result.occurrences,
            "articles": result.articles,
            "page": result.page,
            "num_pages": result.num_pages,
            "results": [_line_json(request, line) for line in result.lines],
        },
        json_dumps_params={"ensure_ascii": False},
    )


class _Echo:
    """A file whose writes return what was written: csv.writer's rows, streamed."""

    def write(self, value: str) -> str:
        return value


def _csv(request: HttpRequest, form: ConcordanceForm) -> HttpResponse:
    data = form.cleaned_data
    try:
        result, lines = concordance_lines(
            query=data["q"], filters=form.filters(), sort=data["sort"] or None, width=data["width"]
        )
    except QueryTooLong as error:
        return JsonResponse({"error": str(error)}, status=400)
    except IndexUnavailable:
        return JsonResponse({"error": str(UNAVAILABLE_MESSAGE)}, status=503)
    if result.unavailable:
        return JsonResponse({"error": str(UNAVAILABLE_MESSAGE)}, status=503)
    truncated = result.occurrences > concordances.CSV_LINES
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        # A byte-order mark: Excel then reads the file as UTF-8.
        yield "\ufeff"
        yield writer.writerow(["article_id", "title", "year", "url", "left", "match", "right"])
        for line in lines:
            yield writer.writerow(
                [
                    line.article_id,
                    line.title,
                    line.year or "",
                    request.build_absolute_uri(line.url),
                    line.left,
                    line.match,
                    line.right,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="concordance.csv"'
    response["X-Occurrences"] = str(result.occurrences)
    response["X-Lines"] = str(min(result.occurrences, concordances.CSV_LINES))
    if truncated:
        response["X-Truncated"] = f"first {concordances.CSV_LINES} of {result.occurrences} lines"
    return response


class TrendForm(SearchForm):
    """Several queries (q=…&q=…) and the search's filters."""

    def __init__(self, data, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.queries = [q.strip() for q in data.getlist("q")[:MAX_SERIES] if q.strip()]


TREND_NO_QUERY = _("请给出至少一个检索词（q）。")


@require_safe
def api_trend(request: HttpRequest) -> JsonResponse:
    form = TrendForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_text()}, status=400)
    if not form.queries:
        return JsonResponse({"error": str(TREND_NO_QUERY)}, status=400)
    try:
        found = trend(queries=form.queries, filters=form.filters())
    except QueryTooLong as error:
        return JsonResponse({"error": str(error)}, status=400)
    except IndexUnavailable:
        return JsonResponse({"error": str(UNAVAILABLE_MESSAGE)}, status=503)
    return JsonResponse(trend_json(found), json_dumps_params={"ensure_ascii": False})


def trend_json(found: Trend) -> dict:
    """The first query's years at the top level (as for one query), and every query's in
    `series`, in the order asked."""
    series = [
        {
            "query": s.query,
            "articles": s.articles,
            "undated": s.undated,
            "years": [
                {"year": y.year, "articles": y.articles, "total": y.total, "share": y.share}
                for y in s.years
            ],
        }
        for s in found.series
    ]
    return {
        "queries": [s.query for s in found.series],
        "years": series[0]["years"] if series else [],
        "undated": found.undated,
        "undated_total": found.undated_total,
        "series": series,
    }
