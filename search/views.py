"""Search page and JSON API: validate parameters, call search_articles, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from search.errors import PageOutOfRange
from search.facets import FACETS
from search.forms import SearchForm
from search.query import QueryTooLong
from search.services import SearchOutcome, search_articles


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
        context["error"] = str(error)
        return render(request, "search/results.html", context, status=400)
    except PageOutOfRange as error:
        raise Http404("没有这一页结果。") from error
    context.update(
        outcome=outcome, q=form.cleaned_data["q"], filters=_active_filters(form, outcome)
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
        return JsonResponse({"error": "没有这一页结果。"}, status=404)
    if outcome.unavailable:
        return JsonResponse({"error": "检索索引暂时不可用，请稍后再试。"}, status=503)
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
