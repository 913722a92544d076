"""The results page in English, through each engine: facet labels, lists of labels, filter chips,
notices, errors, pagination and the empty-result help in English, the articles' own words
(titles, publications, authors, the query's words) left as written and marked Chinese."""

from __future__ import annotations

import pytest

from archive.text import has_cjk
from tests.test_interface_languages import english_text

pytestmark = pytest.mark.usefixtures("corpus_search")

ENGLISH = {"accept-language": "en"}


def english_page(client, status=200, **params) -> str:
    response = client.get("/search/", params, headers=ENGLISH)
    assert response.status_code == status
    return response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "党支部"},
        {"q": "党"},
        {"q": "党支部", "year": "2020", "source": "商情"},
        {"q": "党", "author": "杨姿姮"},
        {"q": "党", "source": "__none__", "year": "none"},
        {"q": "“没有这个词”", "year": "2019-2020"},
        {"q": "没有这个词组", "author": "没有这个人"},
        {"q": "2020年"},
        {"q": "《商情》"},
        {"q": '"党支部 OR'},
        {},
    ],
)
def test_english_results_pages_have_no_chinese_outside_the_articles_words(client, params):
    chinese = [text for text in english_text(english_page(client, **params)) if has_cjk(text)]
    assert not chinese, chinese


@pytest.mark.parametrize(
    "params", [{"year": "二〇二〇"}, {"year": "1000-5000"}, {"q": "党" * 300}, {"page": "0"}]
)
def test_english_error_pages_explain_in_english(client, params):
    content = english_page(client, status=400, **params)
    chinese = [text for text in english_text(content) if has_cjk(text)]
    assert not chinese, chinese


def test_a_page_past_the_last_is_a_404_that_says_so_in_english(client):
    content = english_page(client, status=404, q="党", page="5")
    assert "There is no such page of results." in content
    assert not [text for text in english_text(content) if has_cjk(text)]
    response = client.get("/api/search", {"q": "党", "page": "5"}, headers=ENGLISH)
    assert response.status_code == 404
    assert response.json()["error"] == "There is no such page of results."


def test_year_facets_and_chips_are_written_the_english_way(client):
    content = english_page(client, q="党", year="2020")
    assert ">2020年</a>" not in content and ">2020年 <span" not in content
    assert '<a href="?q=%E5%85%9A&amp;year=2019">2019</a>' in content
    assert "Year: 2020 <span" in content
    assert "Filter by Publication, Year and Author" in content


def test_notices_and_errors_are_in_english(client):
    assert "Quotes were not paired" in english_page(client, q='"党支部')
    assert "at most 256 characters" in english_page(client, status=400, q="党" * 300)
    content = english_page(client, status=400, year="abc")
    assert "Year: A year is four digits (such as 2020) or a range (such as 2018-2020)." in content


def test_the_chinese_interface_keeps_its_own_wording(client):
    content = client.get("/search/", {"q": "党", "year": "2020"}).content.decode()
    assert '<a href="?q=%E5%85%9A&amp;year=2019">2019年</a>' in content
    assert "年份：2020年" in content
    assert "按刊物、年份和作者筛选" in content
    assert "引号没有配对，已按短语处理。" in client.get("/search/", {"q": '"党'}).content.decode()
    bad = client.get("/search/", {"q": "党" * 300}).content.decode()
    assert "检索词太长（最多 256 个字符）" in bad


def test_the_api_gives_year_labels_in_the_language_asked_for(client):
    chinese = client.get("/api/search", {"q": "党"}).json()["facets"]["year"]
    english = client.get("/api/search", {"q": "党"}, headers=ENGLISH).json()["facets"]["year"]
    assert {"value": "2020", "label": "2020年"}.items() <= chinese[0].items()
    assert english[0]["label"] == "2020"
