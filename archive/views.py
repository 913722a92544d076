"""Browse pages: the latest articles, one article, and lists by publication, year and keyword."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from archive.models import Article, Keyword, Publication

SORTS = {"newest": "最新在前", "oldest": "最早在前", "title": "按标题"}


def _paginate(request: HttpRequest, queryset):
    paginator = Paginator(queryset, settings.ARTICLES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("没有这一页。") from error


def _sorted(request: HttpRequest, queryset):
    sort = request.GET.get("sort") or "newest"
    if sort not in SORTS:
        raise Http404("未知的排序方式。")
    if sort == "oldest":
        return queryset.oldest_first(), sort
    if sort == "title":
        return queryset.order_by("title", "id"), sort
    return queryset.newest_first(), sort


def publication_counts():
    return Publication.objects.annotate(count=Count("articles")).filter(count__gt=0).order_by("-count", "name")


def year_counts():
    return (
        Article.objects.exclude(year=None)
        .values("year")
        .annotate(count=Count("id"))
        .order_by("-year")
    )


def _article_list(request: HttpRequest, queryset, template: str, context: dict) -> HttpResponse:
    queryset, sort = _sorted(request, queryset.select_related("publication"))
    context.update(page_obj=_paginate(request, queryset), sort=sort, sorts=SORTS)
    return render(request, template, context)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _article_list(
        request,
        Article.objects.all(),
        "archive/home.html",
        {
            "publications": publication_counts(),
            "years": year_counts(),
            "undated": Article.objects.filter(year=None).count(),
            "unpublished": Article.objects.filter(publication=None).count(),
            "article_count": Article.objects.count(),
        },
    )


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.select_related("publication").prefetch_related("keyword_links__keyword"),
        pk=pk,
    )
    siblings = Article.objects.filter(publication=article.publication) if article.publication else (
        Article.objects.filter(year=article.year) if article.year else Article.objects.filter(year=None)
    )
    ordered = list(siblings.newest_first().values_list("pk", flat=True))
    position = ordered.index(article.pk)
    newer = Article.objects.filter(pk=ordered[position - 1]).first() if position > 0 else None
    older = Article.objects.filter(pk=ordered[position + 1]).first() if position + 1 < len(ordered) else None
    return render(
        request,
        "archive/article_detail.html",
        {
            "article": article,
            "newer": newer,
            "older": older,
            "highlight": request.GET.get("hl", "")[:256],
        },
    )


@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "archive/publication_list.html",
        {
            "publications": publication_counts(),
            "unpublished": Article.objects.filter(publication=None).count(),
        },
    )


@require_GET
def publication_detail(request: HttpRequest, name: str) -> HttpResponse:
    publication = get_object_or_404(Publication, name=name)
    return _article_list(
        request,
        publication.articles.all(),
        "archive/article_list.html",
        {"heading": publication.name, "kind": "刊物", "feed_publication": publication},
    )


@require_GET
def year_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "archive/year_list.html",
        {"years": year_counts(), "undated": Article.objects.filter(year=None).count()},
    )


@require_GET
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    queryset = Article.objects.from_year(year)
    if not queryset.exists():
        raise Http404("这一年没有文章。")
    return _article_list(request, queryset, "archive/article_list.html", {"heading": f"{year}年", "kind": "年份"})


@require_GET
def keyword_detail(request: HttpRequest, name: str) -> HttpResponse:
    keyword = get_object_or_404(Keyword, name=name)
    return _article_list(
        request,
        Article.objects.filter(Q(keyword_links__keyword=keyword)).distinct(),
        "archive/article_list.html",
        {"heading": keyword.name, "kind": "关键词"},
    )


def article_record(article: Article) -> dict:
    return {
        "id": article.pk,
        "url": article.get_absolute_url(),
        "title": article.title,
        "author": article.author,
        "source": article.publication.name if article.publication else None,
        "issue": article.issue_label,
        "year": article.year,
        "month": article.month,
        "abstract": article.abstract,
        "keywords": article.keyword_names,
        "paragraphs": article.paragraphs,
        "fingerprint": article.fingerprint,
        "created": article.created.isoformat(),
        "updated": article.updated.isoformat(),
    }


@require_GET
def api_article(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        article = Article.objects.select_related("publication").prefetch_related("keyword_links__keyword").get(pk=pk)
    except Article.DoesNotExist:
        return JsonResponse({"error": "没有这篇文章。"}, status=404)
    record = article_record(article)
    record["url"] = request.build_absolute_uri(record["url"])
    return JsonResponse(record, json_dumps_params={"ensure_ascii": False})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = exception.args[0] if exception and exception.args and isinstance(exception.args[0], str) else ""
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
