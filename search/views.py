"""Search page and JSON API: validate parameters, call search_articles, render."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_safe

from archive.citations import LIST_FORMATS
from search.errors import (
    PAGE_OUT_OF_RANGE_MESSAGE,
    UNAVAILABLE_MESSAGE,
    IndexUnavailable,
    PageOutOfRange,
)
from search.export import CHOSEN_LIMIT, EXPORT_LIMIT, plan_export
from search.facets import FACETS
from search.forms import ExportForm, SearchForm
from search.query import QueryTooLong, message_text
from search.services import SearchOutcome, search_articles
from search.suggestions import filter_suggestions


def _run(form: SearchForm) -> SearchOutcome:
    data = form.cleaned_data
    return search_articles(
        query=data["q"], filters=form.filters(), sort=data["sort"] or None, page=data["page"]
    )


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context = {"form": form, "q": request.GET.get("q", "")[:1000]}
    if not form.is_valid():
        context["error"] = form.error_text()
        return render(request, "search/results.html", context, status=400)
    try:
        outcome = _run(form)
    except QueryTooLong as error:
        context["error"] = message_text(str(error))
        return render(request, "search/results.html", context, status=400)
    except PageOutOfRange as error:
        raise Http404(gettext_noop("没有这一页结果。")) from error
    context.update(
        outcome=outcome,
        q=form.cleaned_data["q"],
        filters=_active_filters(form, outcome),
        suggestions=filter_suggestions(form.cleaned_data["q"], form.filters()),
        export_formats=LIST_FORMATS.values(),
        export_count=min(outcome.total, EXPORT_LIMIT),
    )
    status = 503 if outcome.unavailable else 200
    return render(request, "search/results.html", context, status=status)


def _active_filters(form: SearchForm, outcome: SearchOutcome) -> list[dict]:
    """The filters in force, each with its facet, for the chips that remove them."""
    filters = []
    for facet in FACETS:
        raw = form.data.get(facet.name)
        if raw:
            values = outcome.facet_values(facet.name)
            label = next((f.label for f in values if f.value == raw), raw)
            filters.append({"name": facet.name, "facet": facet, "value": raw, "label": label})
    return filters


@require_safe
def api_search(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_text(), "fields": form.errors}, status=400)
    try:
        outcome = _run(form)
    except QueryTooLong as error:
        return JsonResponse({"error": str(error)}, status=400)
    except PageOutOfRange:
        return JsonResponse({"error": str(PAGE_OUT_OF_RANGE_MESSAGE)}, status=404)
    if outcome.unavailable:
        return JsonResponse({"error": str(UNAVAILABLE_MESSAGE)}, status=503)
    return JsonResponse(
        {
            "query": outcome.query.raw,
            "parsed": outcome.query.describe(),
            "notices": list(outcome.query.notices),
            "sort": outcome.sort,
            "count": outcome.total,
            "page": outcome.page,
            "num_pages": outcome.num_pages,
            "results": [
                {
                    "id": hit.article.pk,
                    "title": hit.article.title,
                    "title_html": str(hit.title_html),
                    "url": request.build_absolute_uri(hit.article.get_absolute_url()),
                    "author": hit.article.author,
                    "source": hit.article.publication.name if hit.article.publication else None,
                    "issue": hit.article.issue_label,
                    "year": hit.article.year,
                    "snippets": [str(s) for s in hit.snippets],
                }
                for hit in outcome.hits
            ],
            "facets": {
                group.facet.name: [
                    group.facet.api_item(value.value, value.label, value.count)
                    for value in group.values
                ]
                for group in outcome.facets
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _plain_text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_safe
def export_results(request: HttpRequest) -> HttpResponse:
    """A search's results, or the chosen ones among them (id=…), as one file to download."""
    form = ExportForm(request.GET, max_chosen=CHOSEN_LIMIT)
    if not form.is_valid():
        return _plain_text(form.error_text(), 400)
    data = form.cleaned_data
    try:
        export = plan_export(
            format=data["format"],
            query=data["q"],
            filters=form.filters(),
            sort=data["sort"] or None,
            chosen_ids=data["id"] if data["scope"] != "all" else (),
        )
    except QueryTooLong as error:
        return _plain_text(message_text(str(error)), 400)
    except IndexUnavailable:
        return _plain_text(str(UNAVAILABLE_MESSAGE), 503)
    response = StreamingHttpResponse(
        export.chunks(
            url_of=lambda article: request.build_absolute_uri(article.get_absolute_url()),
            accessed=timezone.localdate(),
        ),
        content_type=f"{export.format.content_type}; charset=utf-8",
    )
    # An ASCII name for every client, and the name with the query's words for those that
    # read RFC 6266's filename*.
    response["Content-Disposition"] = (
        f'attachment; filename="{export.ascii_filename()}"; '
        f"filename*=utf-8''{quote(export.filename())}"
    )
    response["X-Export-Count"] = str(len(export.article_ids))
    if export.truncated:
        response["X-Export-Truncated"] = "true"
        response["X-Export-Total"] = str(export.total)
    return response
