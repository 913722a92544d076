"""/sitemap.xml: every article and every browse page, for search engines."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from archive.models import Article, Keyword, Publication


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.order_by("id").only("id", "updated")

    def lastmod(self, item: Article):
        return item.updated


class PublicationSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return (
            Publication.objects.annotate(last=Max("articles__updated"))
            .filter(last__isnull=False)
            .order_by("name")
        )

    def lastmod(self, item: Publication):
        return item.last


class YearSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return list(
            Article.objects.exclude(year=None)
            .values("year")
            .annotate(last=Max("updated"))
            .order_by("-year")
        )

    def location(self, item: dict) -> str:
        return reverse("archive:year", args=[item["year"]])

    def lastmod(self, item: dict):
        return item["last"]


class KeywordSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Keyword.objects.filter(article_links__isnull=False).distinct().order_by("name")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.7

    def items(self) -> list[str]:
        return ["archive:home", "archive:publications", "archive:years", "archive:keywords"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "sources": PublicationSitemap,
    "years": YearSitemap,
    "keywords": KeywordSitemap,
}
