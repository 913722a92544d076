"""The search page and JSON API, through each engine: filters, facets, sorts, snippets, errors."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db.models import Count

from archive.models import Article

pytestmark = pytest.mark.usefixtures("corpus_search")


def api(client, **params):
    response = client.get("/api/search", params)
    return response, response.json()


def test_search_page_shows_count_and_keeps_the_query(client):
    response = client.get("/search/", {"q": '"战斗堡垒"'})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="&quot;战斗堡垒&quot;"' in content
    assert "找到 18 篇文章" in content


def test_snippets_mark_exactly_the_phrase(client):
    _, data = api(client, q='"层党组织"')
    assert data["count"] > 0
    for result in data["results"]:
        assert any("<mark>层党组织</mark>" in s for s in result["snippets"])
        for snippet in result["snippets"]:
            assert "<mark>基层</mark>" not in snippet
            assert len(result["snippets"]) <= 3


def test_traditional_text_is_marked_where_a_simplified_query_matched_it(client):
    _, data = api(client, q='"基层组织中的战斗堡垒"')
    assert data["count"] == 1
    assert any("<mark>基层组織中的战斗堡垒</mark>" in s for s in data["results"][0]["snippets"])


def test_unquoted_phrase_ranks_exact_matches_before_word_matches(client):
    _, data = api(client, q="党员先锋", page=1)
    exact = {
        pk
        for pk in Article.objects.values_list("pk", flat=True)
        if "党员先锋" in Article.objects.get(pk=pk).body + Article.objects.get(pk=pk).title
    }
    ids = [r["id"] for r in data["results"]]
    assert exact and set(ids[: len(exact)]) == exact
    assert len(ids) > len(exact)


def test_words_separated_by_spaces_must_all_appear(client):
    _, both = api(client, q="疫情 商情")
    _, first = api(client, q="疫情")
    assert both["count"] < first["count"]


def test_exclusion_removes_articles_containing_the_word(client):
    _, everything = api(client, q="堡垒")
    _, without = api(client, q="堡垒 -疫情")
    assert 0 < without["count"] < everything["count"]
    for result in without["results"]:
        article = Article.objects.get(pk=result["id"])
        assert "疫情" not in article.body + article.title + article.abstract


def test_or_finds_either_word(client):
    _, a = api(client, q='"求知"')
    _, b = api(client, q='"大东方"')
    _, either = api(client, q='"求知" OR "大东方"')
    assert either["count"] == a["count"] + b["count"] == 2


def test_field_prefix_restricts_to_that_field(client):
    _, data = api(client, q="author:杨姿姮")
    assert [r["author"] for r in data["results"]] == ["杨姿姮"]
    _, by_source = api(client, q="source:商情")
    assert {r["source"] for r in by_source["results"]} == {"商情"}
    assert by_source["count"] == 2


def test_source_and_year_filters_combine(client):
    _, data = api(client, q="", source="商情", year="2020")
    assert data["count"] == 1
    assert data["results"][0]["author"] == "杨姿姮"


def test_year_range_filter(client):
    _, data = api(client, year="2019-2020")
    expected = Article.objects.filter(year__gte=2019, year__lte=2020).count()
    assert data["count"] == expected > 0


def test_empty_query_with_filter_browses(client):
    _, data = api(client, source="商情")
    assert data["count"] == 2


def test_unknown_buckets_select_articles_without_source_or_year(client):
    _, data = api(client, source="__none__")
    assert data["count"] == Article.objects.filter(publication=None).count() == 12
    _, undated = api(client, year="none")
    assert undated["count"] == Article.objects.filter(year=None).count()


@pytest.mark.parametrize("query", ["", "战斗堡垒", '"党支部"'])
def test_facet_counts_equal_database_counts_for_the_same_query(client, query):
    _, data = api(client, q=query)
    matched = Article.objects.filter(pk__in=_all_ids(client, query))
    by_source = dict(
        matched.values_list("publication__name")
        .annotate(n=Count("id"))
        .values_list("publication__name", "n")
    )
    assert {f["name"]: f["count"] for f in data["facets"]["source"]} == {
        (name or "未注明刊物"): n for name, n in by_source.items()
    }
    by_year = dict(matched.values_list("year").annotate(n=Count("id")).values_list("year", "n"))
    assert {f["value"]: f["count"] for f in data["facets"]["year"]} == {
        (str(y) if y else "none"): n for y, n in by_year.items()
    }


def test_year_facet_counts_apply_the_source_filter_and_source_facets_the_year_filter(client):
    _, data = api(client, source="商情", year="2020")
    assert {f["value"]: f["count"] for f in data["facets"]["year"]} == {"2020": 1, "2019": 1}
    sources_2020 = Article.objects.filter(year=2020).values("publication").distinct().count()
    assert len(data["facets"]["source"]) == sources_2020


def test_author_facet_lists_the_most_frequent_authors_with_their_counts(client):
    _, data = api(client, q="党")
    matched = Article.objects.filter(pk__in=_all_ids(client, "党"))
    by_author = dict(
        matched.values_list("author").annotate(n=Count("id")).values_list("author", "n")
    )
    listed = {f["value"]: f["count"] for f in data["facets"]["author"]}
    assert 0 < len(listed) <= 10
    assert listed == {
        (name or "__none__"): n for name, n in by_author.items() if (name or "__none__") in listed
    }
    # The most frequent ones: none left out counts more than one listed.
    assert max(
        (n for name, n in by_author.items() if (name or "__none__") not in listed), default=0
    ) <= min(listed.values())


def test_author_filter_selects_that_authors_articles_and_is_a_removable_chip(client):
    _, data = api(client, author="杨姿姮")
    assert data["count"] == Article.objects.filter(author="杨姿姮").count() == 1
    _, unknown = api(client, author="__none__")
    assert unknown["count"] == Article.objects.filter(author="").count()
    content = client.get("/search/", {"q": "党", "author": "杨姿姮"}).content.decode()
    assert '<input type="hidden" name="author" value="杨姿姮">' in content
    assert '作者：<span lang="zh-Hans">杨姿姮</span>' in content
    assert 'href="?q=%E5%85%9A"' in content  # the chip drops the filter


def test_author_facet_is_shown_beside_publication_and_year(client):
    _, data = api(client, q="党")
    first = data["facets"]["author"][0]
    content = client.get("/search/", {"q": "党"}).content.decode()
    assert '<h2 id="facet-author">作者</h2>' in content
    link = "?" + urlencode({"q": "党", "author": first["value"]}).replace("&", "&amp;")
    assert f'<a href="{link}">{first["name"]}</a> <span class="count">{first["count"]}</span>' in (
        content
    )
    assert "按刊物、年份和作者筛选" in content


@pytest.mark.parametrize(
    "quoted", ['"没有这个词"', "“没有这个词”", "「没有这个词」", "『没有这个词』", "＂没有这个词＂"]
)
def test_a_phrase_in_any_quotes_that_finds_nothing_suggests_the_words(client, quoted):
    content = client.get("/search/", {"q": quoted}).content.decode()
    assert "找到 0 篇文章" in content
    assert "去掉引号，改为按词检索：" in content
    assert '<a href="?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D">没有这个词</a>' in content


def _all_ids(client, query):
    ids, page = [], 1
    while True:
        _, data = api(client, q=query, page=page)
        ids += [r["id"] for r in data["results"]]
        if page >= data["num_pages"]:
            return ids
        page += 1


def test_sort_newest_and_oldest(client):
    _, newest = api(client, sort="newest")
    years = [r["year"] for r in newest["results"]]
    dated = [y for y in years if y]
    assert dated == sorted(dated, reverse=True)
    assert years.index(None) > years.index(dated[-1])  # unknown dates last
    _, oldest = api(client, sort="oldest")
    dated = [r["year"] for r in oldest["results"] if r["year"]]
    assert dated == sorted(dated)


def test_pagination_keeps_every_parameter(client, engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(25):
            Article.objects.create(title=f"分页测试第{number}篇", body="分页测试的正文", year=2021)
    response = client.get("/search/", {"q": "分页测试", "sort": "oldest", "year": "2021"})
    assert response.status_code == 200
    assert response.context["outcome"].total == 25
    content = response.content.decode()
    assert (
        'href="?q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95&amp;sort=oldest&amp;year=2021&amp;page=2"'
        in content
    )
    second = client.get("/search/", {"q": "分页测试", "sort": "oldest", "year": "2021", "page": 2})
    assert len(second.context["outcome"].hits) == 5
    assert client.get("/search/", {"q": "分页测试", "page": 3}).status_code == 404


def test_api_result_fields(client):
    _, data = api(client, q='"杨姿姮"')
    assert set(data) >= {"count", "page", "num_pages", "results", "facets"}
    result = data["results"][0]
    assert set(result) >= {"id", "title", "url", "author", "source", "issue", "year", "snippets"}
    assert result["issue"] == "2020年第36期"
    assert result["url"].endswith(f"/articles/{result['id']}/")


def test_api_article_returns_all_fields(client):
    article = Article.objects.exclude(abstract="").first()
    data = client.get(f"/api/articles/{article.pk}").json()
    assert data["title"] == article.title
    assert data["paragraphs"] == article.paragraphs
    assert client.get("/api/articles/999999").status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": '"战斗堡垒'}, 200),  # unbalanced quote: searched as a phrase, with a notice
        ({"q": "，。！？"}, 200),  # only punctuation
        ({"q": "的 了 和"}, 200),
        ({"q": "噪" * 1000}, 400),
        ({"year": "abc"}, 400),
        ({"year": "20201"}, 400),
        ({"page": "999"}, 404),
        ({"page": "0"}, 400),
        ({"page": "x"}, 400),
        ({"sort": "sideways"}, 400),
        ({"source": "不存在的刊物"}, 200),
        ({"q": "title:"}, 200),
        ({"q": "* ? ~ ^ [a TO z] ( AND OR NOT"}, 200),
        ({"q": "a\x00b"}, 400),  # NUL bytes: Django's form rejects them with a message
        ({"q": '"\x00"'}, 400),
        ({"source": "商\x00情"}, 400),
        ({"year": "20\x0020"}, 400),
    ],
)
def test_bad_input_gets_a_clear_answer_never_a_500(client, params, status):
    page = client.get("/search/", params)
    assert page.status_code == status
    response, data = api(client, **params)
    assert response.status_code == status
    if status >= 400:
        assert data["error"]


def test_unbalanced_quote_is_searched_as_a_phrase_with_a_notice(client):
    response = client.get("/search/", {"q": '"战斗堡垒'})
    assert "引号没有配对" in response.content.decode()
    assert "找到 18 篇文章" in response.content.decode()


def test_punctuation_only_query_explains_itself(client):
    response = client.get("/search/", {"q": "，。！？"})
    assert "标点符号" in response.content.decode()


def test_article_containing_script_renders_inert_in_results_and_page(
    client, django_capture_on_commit_callbacks, engine
):
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(
            title="<script>alert('标题')</script>", body="正文<script>alert(1)</script>内容"
        )
    response = client.get("/search/", {"q": '"<script>"'})
    content = response.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;" in content
    _, data = api(client, q='"<script>"')
    assert data["count"] == 1
    assert all("<script>" not in s for s in data["results"][0]["snippets"])
    page = client.get(article.get_absolute_url(), {"hl": "script"}).content.decode()
    assert "<script>alert" not in page


def test_article_page_highlights_the_query_and_lists_related_articles(client):
    article = Article.objects.get(author="杨姿姮")
    page = client.get(article.get_absolute_url(), {"hl": '"战斗堡垒"'}).content.decode()
    assert "<mark>战斗堡垒</mark>" in page
    assert "相关文章" in page


def test_single_character_query_is_not_dropped(client):
    _, data = api(client, q="村")
    assert data["count"] > 0
