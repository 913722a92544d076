"""Atom feeds: the latest articles, and the latest of one publication.

Feed readers treat an Atom summary as HTML, so article text goes in escaped: whatever
an article contains stays text. Characters XML cannot carry are dropped.

A feed is one document for every reader (aggregators fetch it once for all their users),
so it is written in the archive's language, Chinese, whatever the request asks for. Every
entry names an author (RFC 4287 4.1.2): the article's, else its publication as a collective
author, else 佚名 ("author unknown"), so that none inherits the feed's author, the archive.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext_noop

from archive.models import Article, Publication

FEED_SIZE = 30
SUMMARY_CHARS = 200
FEED_AUTHOR = "文萃"
UNKNOWN_AUTHOR = "佚名"
# Control characters that XML 1.0 cannot carry (tab, line feed and carriage return can).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def publication_date(article: Article) -> datetime | None:
    """Midnight of the day the article came out, in the archive's time zone; None unless
    year, month and day are all known (a made-up day would be a false date)."""
    if not (article.year and article.month and article.day):
        return None
    try:
        day = date(article.year, article.month, article.day)
    except ValueError:
        return None
    return timezone.make_aware(datetime(day.year, day.month, day.day))


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "文萃 · 最新文章"
    subtitle = "文萃中文文章检索库新收录的文章"
    author_name = FEED_AUTHOR

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(request, *args, **kwargs)

    def link(self) -> str:
        return reverse("archive:home")

    def feed_url(self) -> str:
        return reverse("archive:feed-latest")

    def articles(self):
        return (
            Article.objects.select_related("publication")
            .prefetch_related("keyword_links__keyword")
            .order_by("-created", "-id")
        )

    def items(self):
        return self.articles()[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return xml_text(item.title)

    def item_description(self, item: Article) -> str:
        lead = item.abstract or (item.paragraphs[0] if item.paragraphs else "")
        summary = Truncator(xml_text(lead)).chars(SUMMARY_CHARS)
        source = " ".join(
            part
            for part in (
                xml_text(item.author),
                f"《{xml_text(item.publication.name)}》" if item.publication else "",
                xml_text(item.issue_label) or item.date_label,
            )
            if part
        )
        paragraphs = [text for text in (source, summary) if text]
        return "".join(f"<p>{escape(text)}</p>" for text in paragraphs)

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Article) -> str:
        author = xml_text(item.author) or (item.publication and xml_text(item.publication.name))
        return author or UNKNOWN_AUTHOR

    def item_pubdate(self, item: Article) -> datetime | None:
        # When the article came out, not when the archive imported it (that is `created`);
        # `updated` stays the time it was last changed here.
        return publication_date(item)

    def item_updateddate(self, item: Article):
        return item.updated

    def item_categories(self, item: Article) -> list[str]:
        return [xml_text(name) for name in item.keyword_names]


class PublicationFeed(LatestArticlesFeed):
    def get_object(self, request: HttpRequest, name: str) -> Publication:
        try:
            return Publication.objects.get(name=name)
        except Publication.DoesNotExist as error:
            raise Http404(gettext_noop("文库里没有这个刊物。")) from error

    def title(self, obj: Publication) -> str:
        return xml_text(f"文萃 · 《{obj.name}》最新文章")

    def subtitle(self, obj: Publication) -> str:
        return xml_text(f"文萃收录的《{obj.name}》文章")

    def link(self, obj: Publication) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Publication) -> str:
        return reverse("archive:feed-publication", args=[obj.name])

    def items(self, obj: Publication):
        return self.articles().filter(publication=obj)[:FEED_SIZE]
