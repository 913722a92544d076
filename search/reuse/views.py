"""The reuse pages and API: a passage checked against the archive, two articles side by side,
an article's overlaps as JSON."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from archive.models import Article
from search.reuse.forms import MinLengthForm, ReuseForm
from search.reuse.marking import in_context, marked, marked_segments
from search.reuse.overlaps import article_overlaps, compare_articles, overlap_min
from search.reuse.passages import (
    HIGHEST_MIN_LENGTH,
    LOWEST_MIN_LENGTH,
    MAX_PASSAGE,
    MIN_LENGTH,
    ReuseReport,
    find_reuse,
)

_JSON = {"json_dumps_params": {"ensure_ascii": False}}


def _limits() -> dict:
    return {
        "max_passage": MAX_PASSAGE,
        "lowest_min": LOWEST_MIN_LENGTH,
        "highest_min": HIGHEST_MIN_LENGTH,
        "default_min": MIN_LENGTH,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def reuse_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "search/reuse.html", {"form": ReuseForm(), **_limits()})
    form = ReuseForm(request.POST, request.FILES)
    context = {"form": form, **_limits()}
    if not form.is_valid():
        context["error"] = form.error_text()
        return render(request, "search/reuse.html", context, status=400)
    data = form.cleaned_data
    report = find_reuse(text=data["passage"], min_length=data["min"])
    context.update(report=report, rows=_report_rows(report))
    return render(request, "search/reuse.html", context)


def _report_rows(report: ReuseReport) -> dict:
    """What the page shows: the passage with every span marked, and per article its spans in
    context on both sides."""
    passage_html = marked(report.text, [(s.start, s.end) for a in report.articles for s in a.spans])
    articles = [
        {
            "item": item,
            "spans": [
                {
                    "span": span,
                    "passage_html": in_context(report.text, span.start, span.end),
                    "article_html": in_context(
                        item.text.text, span.article_start, span.article_end
                    ),
                }
                for span in item.spans
            ],
        }
        for item in report.articles
    ]
    return {"passage_html": passage_html, "articles": articles}


def _payload(request: HttpRequest) -> tuple[QueryDict | dict, dict]:
    """The request's fields: a JSON object's, else the form's (with its files)."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ValueError(gettext("请求体不是有效的 JSON。")) from None
        if not isinstance(body, dict):
            raise ValueError(gettext('JSON 应是一个对象，如 {"text": "…", "min": 13}。'))
        if not isinstance(body.get("text", ""), str):
            raise ValueError(gettext("text 应是字符串。"))
        return {key: body[key] for key in ("text", "min") if body.get(key) is not None}, {}
    return request.POST, request.FILES


@csrf_exempt  # a public JSON endpoint: no session, nothing changes
@require_POST
def api_reuse(request: HttpRequest) -> JsonResponse:
    try:
        data, files = _payload(request)
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400, **_JSON)
    form = ReuseForm(data, files)
    if not form.is_valid():
        return JsonResponse(
            {"error": form.error_text(), "fields": form.errors}, status=400, **_JSON
        )
    report = find_reuse(text=form.cleaned_data["passage"], min_length=form.cleaned_data["min"])
    return JsonResponse(
        {
            "length": report.length,
            "matched_chars": report.matched_chars,
            "share": round(report.share, 4),
            "min": report.min_length,
            "article_count": report.article_count,
            "articles": [
                {
                    "id": item.article.pk,
                    "title": item.article.title,
                    "url": request.build_absolute_uri(item.article.get_absolute_url()),
                    "matched_chars": item.matched_chars,
                    "share": round(item.share, 4),
                    "spans": [
                        {
                            "start": span.start,
                            "end": span.end,
                            "article_start": span.article_start,
                            "article_end": span.article_end,
                            "length": span.length,
                            "text": span.text,
                        }
                        for span in item.spans
                    ],
                }
                for item in report.articles
            ],
        },
        **_JSON,
    )


@require_safe
def compare_page(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    if pk == other_pk:
        raise Http404(gettext("一篇文章不与自己比较。"))
    article = get_object_or_404(Article, pk=pk)
    other = get_object_or_404(Article, pk=other_pk)
    form = MinLengthForm(request.GET)
    if not form.is_valid():
        context = {"article": article, "other": other, "error": form.error_text(), **_limits()}
        return render(request, "search/reuse_compare.html", context, status=400)
    comparison = compare_articles(
        article, other, min_length=form.cleaned_data["min"] or overlap_min()
    )
    spans = [
        {
            "span": span,
            "paragraph": comparison.text.paragraph_at(span.start),
            "html": in_context(comparison.text.text, span.start, span.end),
            "other_html": in_context(
                comparison.other_text.text, span.article_start, span.article_end
            ),
        }
        for span in comparison.spans
    ]
    context = {
        "article": article,
        "other": other,
        "comparison": comparison,
        "spans": spans,
        "segments": marked_segments(comparison.text, [(s.start, s.end) for s in comparison.spans]),
        "other_segments": marked_segments(
            comparison.other_text, [(s.article_start, s.article_end) for s in comparison.spans]
        ),
        "default_overlap_min": overlap_min(),
        **_limits(),
    }
    return render(request, "search/reuse_compare.html", context)


@require_safe
def api_overlaps(request: HttpRequest, pk: int) -> JsonResponse:
    article = Article.objects.filter(pk=pk).only("pk", "title").first()
    if article is None:
        return JsonResponse({"error": gettext("没有这篇文章。")}, status=404, **_JSON)
    return JsonResponse(
        {
            "id": article.pk,
            "title": article.title,
            "min": overlap_min(),
            "overlaps": [
                {
                    "id": overlap.other.pk,
                    "title": overlap.other.title,
                    "url": request.build_absolute_uri(overlap.other.get_absolute_url()),
                    "compare_url": request.build_absolute_uri(
                        reverse("reuse:compare", args=[article.pk, overlap.other.pk])
                    ),
                    "other_version": overlap.is_version,
                    "shared_chars": overlap.shared_chars,
                    "share": round(overlap.share, 4),
                    "other_shared_chars": overlap.other_shared_chars,
                    "other_share": round(overlap.other_share, 4),
                    "longest": overlap.longest,
                }
                for overlap in article_overlaps(article)
            ],
        },
        **_JSON,
    )
