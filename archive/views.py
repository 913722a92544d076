"""Browse pages: the latest articles, one article, and lists by publication, year and keyword;
citation downloads, robots.txt, the OpenSearch description and the error pages."""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from archive import citations
from archive.headings import body_blocks
from archive.models import Article, Keyword, Publication, year_label
from archive.text import has_cjk

log = logging.getLogger("wencui.archive")

# The home page lists this many publications and years; the browse pages list them all.
HOME_BROWSE_LIMIT = 12
SORTS = {"newest": _("最新在前"), "oldest": _("最早在前"), "title": _("按标题")}
PUBLICATION_SORTS = {"count": _("文章最多在前"), "name": _("按名称")}
YEAR_SORTS = {"newest": _("最近在前"), "oldest": _("最早在前")}
KEYWORD_SORTS = {"count": _("用得最多在前"), "name": _("按名称")}
# Publications, years and keywords per page of the browse lists.
BROWSE_PER_PAGE = 100
# Our own 404 messages are written for readers, in Chinese, the source language (marked with
# gettext_noop and translated when the page is rendered); Django's are English internals.


def _paginate(request: HttpRequest, queryset, per_page: int | None = None):
    """The requested page; the page size is read per request (tests change it)."""
    paginator = Paginator(queryset, per_page or settings.ARTICLES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(gettext_noop("没有这一页。")) from error


def _sort_param(request: HttpRequest, sorts: dict) -> str:
    sort = request.GET.get("sort") or next(iter(sorts))
    if sort not in sorts:
        raise Http404(gettext_noop("未知的排序方式。"))
    return sort


def _sorted(request: HttpRequest, queryset, *, by_issue: bool = False):
    """The queryset in the order the `sort` parameter asks for; within a publication
    (`by_issue`), articles of the same year follow their issues."""
    sort = _sort_param(request, SORTS)
    if sort == "title":
        return queryset.order_by("title", "id"), sort
    if by_issue:
        return queryset.order_by(*_issue_order(newest=sort != "oldest")), sort
    if sort == "oldest":
        return queryset.oldest_first(), sort
    return queryset.newest_first(), sort


def _issue_order(*, newest: bool) -> list:
    """Articles of a publication by year, then issue (labels such as "2020年第05期")."""
    if newest:
        return [F("year").desc(nulls_last=True), "-issue_label", F("month").desc(), "-id"]
    return [F("year").asc(nulls_last=True), "issue_label", F("month").asc(), "id"]


def _get(queryset, message: str, **lookup):
    """The one object matching lookup, else a 404 with a message for readers."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise Http404(message) from error


def publication_counts():
    return (
        Publication.objects.annotate(count=Count("articles"))
        .filter(count__gt=0)
        .order_by("-count", "name")
    )


def year_counts():
    return (
        Article.objects.exclude(year=None)
        .values("year")
        .annotate(count=Count("id"))
        .order_by("-year")
    )


def _article_list(
    request: HttpRequest, queryset, template: str, context: dict, *, by_issue: bool = False
) -> HttpResponse:
    queryset, sort = _sorted(request, queryset.listed(), by_issue=by_issue)
    context.update(page_obj=_paginate(request, queryset), sort=sort, sorts=SORTS)
    return render(request, template, context)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    publications = list(publication_counts()[: HOME_BROWSE_LIMIT + 1])
    years = list(year_counts()[: HOME_BROWSE_LIMIT + 1])
    return _article_list(
        request,
        Article.objects.all(),
        "archive/home.html",
        {
            "publications": publications[:HOME_BROWSE_LIMIT],
            "more_publications": len(publications) > HOME_BROWSE_LIMIT,
            "years": years[:HOME_BROWSE_LIMIT],
            "more_years": len(years) > HOME_BROWSE_LIMIT,
            "undated": Article.objects.filter(year=None).count(),
            "unpublished": Article.objects.filter(publication=None).count(),
            "article_count": Article.objects.count(),
        },
    )


def _article(pk: int) -> Article:
    return _get(
        Article.objects.select_related("publication").prefetch_related("keyword_links__keyword"),
        gettext_noop("没有这篇文章，它可能已被移除。"),
        pk=pk,
    )


def _neighbours(article: Article) -> tuple[Article | None, Article | None, str]:
    """The newer and older article next to this one in its publication (else its year,
    else among the undated), and what they are neighbours in (HTML: a publication's name
    is marked as Chinese, whatever the interface language)."""
    if article.publication:
        siblings = Article.objects.filter(publication=article.publication)
        ordered = siblings.order_by(*_issue_order(newest=True))
        label = format_html('<span lang="zh-Hans">《{}》</span>', article.publication.name)
    elif article.year:
        ordered = Article.objects.filter(year=article.year).newest_first()
        label = year_label(article.year)
    else:
        ordered = Article.objects.filter(year=None).newest_first()
        label = gettext("未注明年份的文章")
    ids = list(ordered.values_list("pk", flat=True))
    position = ids.index(article.pk)
    found = Article.objects.listed().in_bulk(ids[max(0, position - 1) : position + 2])
    newer = found.get(ids[position - 1]) if position > 0 else None
    older = found.get(ids[position + 1]) if position + 1 < len(ids) else None
    return newer, older, label


def _citation_url(request: HttpRequest, article: Article) -> str:
    return request.build_absolute_uri(article.get_absolute_url())


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(pk)
    newer, older, neighbours_in = _neighbours(article)
    url = _citation_url(request, article)
    return render(
        request,
        "archive/article_detail.html",
        {
            "article": article,
            "blocks": body_blocks(article.paragraphs),
            "newer": newer,
            "older": older,
            "neighbours_in": neighbours_in,
            "highlight": request.GET.get("hl", "")[:256],
            "canonical_url": url,
            "citation": citations.gbt7714(article, url=url, accessed=timezone.localdate()),
        },
    )


def _citation_download(
    request: HttpRequest, pk: int, *, render_citation, extension: str, content_type: str
) -> HttpResponse:
    article = _article(pk)
    text = render_citation(
        article, url=_citation_url(request, article), accessed=timezone.localdate()
    )
    response = HttpResponse(text.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"wencui-{article.pk}.{extension}"
    )
    return response


@require_GET
def article_bibtex(request: HttpRequest, pk: int) -> HttpResponse:
    return _citation_download(
        request,
        pk,
        render_citation=citations.bibtex,
        extension="bib",
        content_type="application/x-bibtex",
    )


@require_GET
def article_ris(request: HttpRequest, pk: int) -> HttpResponse:
    return _citation_download(
        request,
        pk,
        render_citation=citations.ris,
        extension="ris",
        content_type="application/x-research-info-systems",
    )


@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    sort = _sort_param(request, PUBLICATION_SORTS)
    publications = publication_counts()
    if sort == "name":
        publications = publications.order_by("name")
    return render(
        request,
        "archive/publication_list.html",
        {
            "page_obj": _paginate(request, publications, BROWSE_PER_PAGE),
            "sort": sort,
            "sorts": PUBLICATION_SORTS,
            "unpublished": Article.objects.filter(publication=None).count(),
        },
    )


@require_GET
def publication_detail(request: HttpRequest, name: str) -> HttpResponse:
    publication = _get(Publication.objects, gettext_noop("文库里没有这个刊物。"), name=name)
    articles = publication.articles.all()
    issues = (
        articles.exclude(issue_label="")
        .values("issue_label", "year")
        .annotate(count=Count("id"))
        .order_by(F("year").desc(nulls_last=True), "-issue_label")
    )
    issue = request.GET.get("issue") or ""
    issues = _issue_list(request, issues, issue)
    context = {
        "heading": f"《{publication.name}》",
        # A name as written, in Chinese whatever the interface language.
        "heading_lang": "zh-Hans",
        "kind": pgettext("plural", "刊物"),
        "kind_url": reverse("archive:publications"),
        "publication": publication,
        "publication_name": format_html('<span lang="zh-Hans">{}</span>', publication.name),
        "issues": issues,
        "issue": issue,
        "group_by_year": True,
    }
    if issue:
        articles = articles.filter(issue_label=issue)
        if not articles.exists():
            raise Http404(gettext_noop("这个刊物没有这一期。"))
        context["subheading"] = issue
    return _article_list(request, articles, "archive/article_list.html", context, by_issue=True)


def _issue_list(request: HttpRequest, issues, current: str) -> SafeString:
    """The publication's issues as list items, each linking to its articles (the current
    one to clearing it), keeping the other parameters. Written here rather than in the
    template: a publication can have hundreds of issues, which the template language
    takes milliseconds over, and the query string is encoded once, not once per issue."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("issue", None)
    rest = params.urlencode()
    cancel = escape(str(_("（取消）")))
    items = []
    for row in issues:
        label, count = escape(row["issue_label"]), int(row["count"])
        if row["issue_label"] == current:
            items.append(
                f'<li><a class="selected" aria-current="page" href="?{escape(rest)}">'
                f'<span lang="zh-Hans">{label}</span> '
                f'<span aria-hidden="true">×</span><span class="visually-hidden">{cancel}</span>'
                f'</a> <span class="count">{count}</span></li>'
            )
        else:
            query = "&".join(filter(None, [rest, urlencode({"issue": row["issue_label"]})]))
            link = f'<a href="?{escape(query)}" lang="zh-Hans">{label}</a>'
            items.append(f'<li>{link} <span class="count">{count}</span></li>')
    return mark_safe("".join(items))  # every text in it was escaped above


@require_GET
def year_list(request: HttpRequest) -> HttpResponse:
    sort = _sort_param(request, YEAR_SORTS)
    years = year_counts().order_by("year" if sort == "oldest" else "-year")
    return render(
        request,
        "archive/year_list.html",
        {
            "page_obj": _paginate(request, years, BROWSE_PER_PAGE),
            "sort": sort,
            "sorts": YEAR_SORTS,
            "undated": Article.objects.filter(year=None).count(),
        },
    )


@require_GET
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    queryset = Article.objects.from_year(year)
    if not queryset.exists():
        raise Http404(gettext_noop("这一年没有文章。"))
    return _article_list(
        request,
        queryset,
        "archive/article_list.html",
        {
            "heading": year_label(year),
            "kind": pgettext("plural", "年份"),
            "kind_url": reverse("archive:years"),
        },
    )


def keyword_counts():
    """Keywords that articles use, the most used first."""
    return (
        Keyword.objects.annotate(count=Count("article_links"))
        .filter(count__gt=0)
        .order_by("-count", "name")
    )


@require_GET
def keyword_list(request: HttpRequest) -> HttpResponse:
    sort = _sort_param(request, KEYWORD_SORTS)
    keywords = keyword_counts()
    if sort == "name":
        keywords = keywords.order_by("name")
    return render(
        request,
        "archive/keyword_list.html",
        {
            "page_obj": _paginate(request, keywords, BROWSE_PER_PAGE),
            "sort": sort,
            "sorts": KEYWORD_SORTS,
        },
    )


@require_GET
def keyword_detail(request: HttpRequest, name: str) -> HttpResponse:
    keyword = _get(Keyword.objects, gettext_noop("文库里没有这个关键词。"), name=name)
    return _article_list(
        request,
        Article.objects.filter(Q(keyword_links__keyword=keyword)).distinct(),
        "archive/article_list.html",
        {
            "heading": keyword.name,
            "heading_lang": "zh-Hans",
            "kind": pgettext("plural", "关键词"),
            "kind_url": reverse("archive:keywords"),
        },
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
        article = (
            Article.objects.select_related("publication")
            .prefetch_related("keyword_links__keyword")
            .get(pk=pk)
        )
    except Article.DoesNotExist:
        return JsonResponse({"error": "没有这篇文章。"}, status=404)
    record = article_record(article)
    record["url"] = request.build_absolute_uri(record["url"])
    return JsonResponse(record, json_dumps_params={"ensure_ascii": False})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))},
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def opensearch(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opensearch.xml",
        {
            "search_url": request.build_absolute_uri(reverse("search:search")),
            "home_url": request.build_absolute_uri(reverse("archive:home")),
            "self_url": request.build_absolute_uri(reverse("opensearch")),
            "icon_url": request.build_absolute_uri(static("img/favicon.svg")),
        },
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page, with the reason when it is one of our own messages for readers."""
    message = exception.args[0] if exception and exception.args else ""
    if not isinstance(message, str) or not has_cjk(message):
        message = ""
    return render(request, "404.html", {"message": gettext(message) if message else ""}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: a plain template, rendered without the database or context processors."""
    try:
        html = loader.get_template("500.html").render()
    except Exception:  # the error page must not fail in turn, whatever went wrong
        log.exception("the 500 page could not be rendered")
        html = "<!DOCTYPE html><title>出错了</title><h1>服务器出错了</h1><p>请稍后再试。</p>"
    return HttpResponseServerError(html)
