"""A search's Atom feed: the newest articles matching a query and its filters.

Written as the archive's other feeds are (archive.feeds: in Chinese for every reader, every
entry with an author, `published` the article's own date): only the articles differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from archive.feeds import FEED_SIZE, LatestArticlesFeed, xml_text
from archive.models import Article
from search.errors import UNAVAILABLE_MESSAGE, IndexUnavailable
from search.facets import FACETS, Facet, Kind, facet
from search.forms import SearchForm
from search.query import QUOTE_CHARACTERS, QueryTooLong
from search.services import matching_article_ids


class _Refused(Exception):
    """A request the feed cannot answer: the status and the message to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FollowedSearch:
    """The search a feed follows, as its URL gives it."""

    query: str
    params: tuple[tuple[str, str], ...]  # q and the filters, as given
    article_ids: tuple[int, ...]

    @property
    def querystring(self) -> str:
        return f"?{urlencode(self.params)}" if self.params else ""

    def describe(self) -> str:
        """The search in words: 检索“战斗堡垒”（刊物：商情；年份：2020）, or 最新文章."""
        # A quoted phrase keeps its own quotes, not ours around them as well.
        quoted = self.query[:1] in QUOTE_CHARACTERS and self.query[-1:] in QUOTE_CHARACTERS
        what = f"检索{self.query if quoted else f'“{self.query}”'}" if self.query else "最新文章"
        chosen = "；".join(
            f"{facet(name).label}：{_value_label(facet(name), value)}"
            for name, value in self.params
            if name != "q"
        )
        return xml_text(f"{what}（{chosen}）" if chosen else what)


def _value_label(chosen: Facet, value: str) -> str:
    """A filter's value as the facet lists it ("2020年", "未注明作者"); a range as given."""
    if value == chosen.unknown_value:
        return str(chosen.value_label(None))
    if chosen.kind is Kind.YEAR and value.isdigit():
        return str(chosen.value_label(int(value)))
    return value


class SearchFeed(LatestArticlesFeed):
    """/search/feed/?q=…&source=…&year=…&author=…: the newest matching articles first."""

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except _Refused as refused:
            return HttpResponse(
                str(refused), status=refused.status, content_type="text/plain; charset=utf-8"
            )

    def get_object(self, request: HttpRequest) -> FollowedSearch:
        form = SearchForm(request.GET)
        if not form.is_valid():
            raise _Refused(400, form.error_text())
        query = form.cleaned_data["q"]
        try:
            found = matching_article_ids(
                query=query, filters=form.filters(), sort="newest", limit=FEED_SIZE
            )
        except QueryTooLong as error:
            raise _Refused(400, str(error)) from error
        except IndexUnavailable as error:
            raise _Refused(503, str(UNAVAILABLE_MESSAGE)) from error
        names = ["q", *(facet.name for facet in FACETS)]
        params = tuple((name, request.GET[name]) for name in names if request.GET.get(name))
        return FollowedSearch(query=query, params=params, article_ids=found.article_ids)

    def title(self, obj: FollowedSearch) -> str:
        return f"文萃 · {obj.describe()}"

    def subtitle(self, obj: FollowedSearch) -> str:
        return f"文萃中文文章检索库：{obj.describe()}，最新的文章在前"

    def link(self, obj: FollowedSearch) -> str:
        return reverse("search:search") + obj.querystring

    def feed_url(self, obj: FollowedSearch) -> str:
        return reverse("search:feed") + obj.querystring

    def items(self, obj: FollowedSearch) -> list[Article]:
        found = self.articles().in_bulk(obj.article_ids)
        return [found[pk] for pk in obj.article_ids if pk in found]
