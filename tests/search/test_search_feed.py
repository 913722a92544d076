"""A search's Atom feed, through each engine: valid Atom (RFC 4287) with an author for the feed
and every entry, the newest articles first, `published` the article's own date, the search's
filters, the latest articles without a query, bad parameters a 400, and linked from the
results page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.feeds import FEED_SIZE
from archive.models import Article
from search import search_articles

pytestmark = pytest.mark.usefixtures("corpus_search")

ATOM = "{http://www.w3.org/2005/Atom}"
# A feed is one document for every reader: in the archive's language, whatever is asked.
ENGLISH = {"accept-language": "en"}


def feed(client, headers=None, **params) -> ET.Element:
    response = client.get("/search/feed/", params, headers=headers or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_ids_of(entry: ET.Element) -> int:
    return int(re.search(r"/articles/(\d+)/$", entry.find(f"{ATOM}link").get("href")).group(1))


def entry_ids(root: ET.Element) -> list[int]:
    return [entry_ids_of(entry) for entry in root.iter(f"{ATOM}entry")]


def newest_first(query: str, **options) -> list[int]:
    outcome = search_articles(query=query, sort="newest", per_page=FEED_SIZE, **options)
    return [hit.article.pk for hit in outcome.hits]


def test_the_feed_lists_the_matching_articles_newest_first(client):
    root = feed(client, q='"党支部"')
    ids = entry_ids(root)
    assert ids == newest_first('"党支部"')
    assert 1 < len(ids) < 18
    years = [Article.objects.get(pk=pk).year for pk in ids]
    dated = [year for year in years if year]
    assert dated == sorted(dated, reverse=True)
    assert years[: len(dated)] == dated  # undated articles last
    assert root.findtext(f"{ATOM}title") == '文萃 · 检索"党支部"'
    assert feed(client, q="党支部").findtext(f"{ATOM}title") == "文萃 · 检索“党支部”"


def test_the_feed_and_every_entry_have_an_author(client):
    root = feed(client, q="党")
    assert root.find(f"{ATOM}author").findtext(f"{ATOM}name") == "文萃"
    entries = list(root.iter(f"{ATOM}entry"))
    assert entries
    for entry in entries:
        name = entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
        article = Article.objects.select_related("publication").get(pk=entry_ids_of(entry))
        assert name == (
            article.author or (article.publication and article.publication.name) or "佚名"
        )


def test_published_is_the_articles_own_date_where_it_is_known(client):
    dated = Article.objects.get(author="杨姿姮")
    dated.month, dated.day = 12, 25
    dated.save()
    root = feed(client, q="作用")
    for entry in root.iter(f"{ATOM}entry"):
        article = Article.objects.get(pk=entry_ids_of(entry))
        published = entry.findtext(f"{ATOM}published")
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated.tzinfo is not None
        if article.pk == dated.pk:
            assert published.startswith("2020-12-25T00:00:00")
        else:
            assert published is None  # no article in the corpus records its day


def test_the_feed_applies_the_searchs_filters(client):
    root = feed(client, q="党", source="商情", year="2020")
    ids = entry_ids(root)
    assert ids and ids == newest_first("党", filters=_filters(source="商情", year="2020"))
    for pk in ids:
        article = Article.objects.select_related("publication").get(pk=pk)
        assert article.publication.name == "商情" and article.year == 2020
    assert root.findtext(f"{ATOM}title") == "文萃 · 检索“党”（刊物：商情；年份：2020年）"


def test_the_feeds_title_names_its_filters_as_the_facets_list_them(client):
    root = feed(client, author="__none__", year="2018-2020", headers=ENGLISH)
    assert root.findtext(f"{ATOM}title") == "文萃 · 最新文章（年份：2018-2020；作者：未注明作者）"


def test_without_a_query_the_feed_holds_the_latest_articles(client):
    root = feed(client)
    ids = entry_ids(root)
    assert len(ids) == 18 and ids == newest_first("")
    assert root.findtext(f"{ATOM}title") == "文萃 · 最新文章"


def test_the_feeds_links_point_to_the_search_and_to_itself(client):
    root = feed(client, q="堡垒", year="2020", page="2", sort="oldest")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    alternate, own = urlsplit(links["alternate"]), urlsplit(links["self"])
    assert alternate.path == "/search/" and own.path == "/search/feed/"
    # The search, not a page of it in another order.
    assert parse_qs(alternate.query) == parse_qs(own.query) == {"q": ["堡垒"], "year": ["2020"]}


def test_a_feed_that_matches_nothing_is_still_a_valid_feed(client):
    root = feed(client, q='"没有这个短语"')
    assert entry_ids(root) == []
    assert root.find(f"{ATOM}author") is not None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "二〇二〇"}, "年份应为四位数字"),
        ({"year": "1900-3500"}, "年份超出范围"),
        ({"q": "党" * 300}, "检索词太长"),
        ({"sort": "random"}, "排序"),
    ],
)
def test_bad_parameters_are_a_400_that_says_why(client, params, message):
    response = client.get("/search/feed/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_results_page_links_its_feed(client):
    content = client.get("/search/", {"q": "堡垒", "year": "2020", "page": "1"}).content.decode()
    head = content[: content.index("</head>")]
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', head)
    own = [link for link in links if link.startswith("/search/feed/")]
    assert len(own) == 1  # beside the archive's latest articles
    href = own[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"q": ["堡垒"], "year": ["2020"]}
    assert entry_ids(feed(client, **{k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}))
    assert f'<a class="feed-link" href="{own[0]}">' in content


def _filters(**raw):
    from search.facets import facet

    return {name: facet(name).parse(value) for name, value in raw.items()}
