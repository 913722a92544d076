"""Queries that name a filter, through each engine: a year or a publication's name typed into
the box is offered as that filter above the results, while the search itself stays exact."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.models import Article
from search import search_articles

pytestmark = pytest.mark.usefixtures("corpus_search")

ENGLISH = {"accept-language": "en"}


def suggestions(client, headers=None, **params) -> list[tuple[str, dict]]:
    """(text, query parameters) of each suggested filter on the results page."""
    response = client.get("/search/", params, headers=headers or {})
    assert response.status_code == 200
    block = re.search(r'<p class="filter-suggestions">(.*?)</p>', response.content.decode(), re.S)
    if block is None:
        return []
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(1))
    return [
        (re.sub(r"<[^>]+>", "", text), parse_qs(urlsplit(unescape(href)).query))
        for href, text in links
    ]


@pytest.mark.parametrize("query", ["2020", "2020年", "２０２０", "２０２０年", " 2020 "])
def test_a_year_is_offered_as_the_year_filter(client, query):
    assert suggestions(client, q=query) == [("2020年的文章", {"year": ["2020"]})]


@pytest.mark.parametrize("query", ["商情", "《商情》", "“商情”", '"商情"', "《 商情 》"])
def test_a_publications_name_is_offered_as_the_publication_filter(client, query):
    assert suggestions(client, q=query) == [("刊物：商情", {"source": ["商情"]})]


def test_a_name_is_matched_after_folding(client):
    # Traditional characters and full-width forms fold to the stored name.
    assert suggestions(client, q="新長征·黨建版") == [
        ("刊物：新长征·党建版", {"source": ["新长征·党建版"]})
    ]


@pytest.mark.parametrize(
    "query",
    ["2020年第36期", "1850", "2150", "20201", "商情 2020", "商", "求知 党建", "党支部", '"2020"x'],
)
def test_only_a_query_that_is_the_whole_name_or_year_is_offered_a_filter(client, query):
    assert suggestions(client, q=query) == []


def test_the_suggested_filter_keeps_the_other_filters_and_drops_the_query(client):
    found = suggestions(client, q="2019", source="商情", sort="oldest", page="1")
    assert found == [("2019年的文章", {"source": ["商情"], "year": ["2019"]})]


def test_a_filter_already_in_force_is_not_offered_again(client):
    assert suggestions(client, q="2020", year="2020") == []
    assert suggestions(client, q="《求知》", source="求知") == []
    assert suggestions(client, q="2020", year="2018-2020") == [("2020年的文章", {"year": ["2020"]})]


def test_the_search_itself_stays_exact(client):
    # The results below the suggestion are the phrase's, not the filter's.
    content = client.get("/search/", {"q": "2020"}).content.decode()
    exact = search_articles(query="2020")
    assert exact.total != Article.objects.filter(year=2020).count()
    assert f"找到 {exact.total} 篇文章" in content
    for hit in exact.hits:
        assert f'value="{hit.article.pk}"' in content


def test_the_suggested_link_lists_the_filters_articles(client):
    [(_, params)] = suggestions(client, q="2019年")
    response = client.get("/search/", {k: v[0] for k, v in params.items()})
    count = Article.objects.filter(year=2019).count()
    assert f"找到 {count} 篇文章" in response.content.decode()


def test_suggestions_are_in_the_readers_language(client):
    assert suggestions(client, ENGLISH, q="2020年") == [("Articles from 2020", {"year": ["2020"]})]
    assert suggestions(client, ENGLISH, q="《商情》") == [
        ("Publication: 商情", {"source": ["商情"]})
    ]
    content = client.get("/search/", {"q": "《商情》"}, headers=ENGLISH).content.decode()
    assert '<span lang="zh-Hans">商情</span>' in content
