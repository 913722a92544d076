"""The concordance page, its JSON API and its CSV download, through real HTTP."""

from __future__ import annotations

import csv
import io

import pytest

from search import concordance, concordances


def page(client, params, status=200) -> str:
    response = client.get("/concordance/", params)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def test_page_counts_occurrences_and_articles_at_the_top(client, corpus_search):
    result = concordance(query="战斗堡垒")
    content = page(client, {"q": "战斗堡垒"})
    heading = f"“战斗堡垒”出现 {result.occurrences} 次，在 {result.articles} 篇文章中"
    assert heading in content
    assert content.count('<td class="kwic-match">') == min(result.occurrences, 50)


def test_each_line_links_to_its_article_at_the_paragraph(client, corpus_search):
    content = page(client, {"q": "战斗堡垒", "width": "10"})
    line = next(line for line in concordance(query="战斗堡垒", width=10).lines if "#p" in line.url)
    assert f'<a href="{line.url}"><mark>{line.match}</mark></a>' in content
    article_page = client.get(line.url.split("#")[0]).content.decode()
    assert f'id="{line.url.rsplit("#", 1)[1]}"' in article_page


def test_empty_query_shows_only_the_form(client, corpus_search):
    content = page(client, {})
    assert 'name="q"' in content
    assert "kwic-match" not in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "党", "width": "1000"}, "语境宽度"),
        ({"q": "党", "width": "abc"}, "语境宽度"),
        ({"q": "党", "sort": "sideways"}, "排序"),
        ({"q": "党", "year": "twenty"}, "年份"),
        ({"q": "党", "page": "0"}, "页码"),
        ({"q": "党" * 300}, "检索词"),
    ],
)
def test_bad_parameters_are_a_400_saying_what_is_wrong(client, corpus_search, params, message):
    content = page(client, params, status=400)
    assert 'role="alert"' in content and message in content


def test_a_page_past_the_end_is_a_404(client, corpus_search):
    page(client, {"q": "战斗堡垒", "page": "999"}, status=404)


def test_several_terms_are_explained_on_the_page(client, corpus_search):
    content = page(client, {"q": "战斗堡垒 党员"})
    assert "语境一次只查一个短语" in content and "党员" in content


def test_pagination_links_keep_the_query_and_filters(client, corpus_search):
    content = page(client, {"q": "党", "sort": "left", "width": "8"})
    assert 'rel="next" href="?q=%E5%85%9A&amp;sort=left&amp;width=8&amp;page=2"' in content


def test_english_interface_labels_the_page_in_english(client, corpus_search):
    response = client.get("/concordance/", {"q": "战斗堡垒"}, HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert "Concordance" in content and "occurrences" in content


def test_api_gives_the_counts_and_the_lines(client, corpus_search):
    result = concordance(query="基层党组织", per_page=50)
    data = client.get("/api/concordance", {"q": "基层党组织"}).json()
    assert (data["occurrences"], data["articles"]) == (result.occurrences, result.articles)
    assert data["page"] == 1 and data["num_pages"] == result.num_pages
    first = data["results"][0]
    assert set(first) == {"article_id", "title", "url", "year", "left", "match", "right"}
    assert first["match"] == "基层党组织"
    assert first["url"].startswith("http://testserver/articles/")


@pytest.mark.parametrize(
    ("params", "status"),
    [({}, 400), ({"q": "党", "width": "2"}, 400), ({"q": "党", "page": "999"}, 404)],
)
def test_api_refuses_bad_requests(client, corpus_search, params, status):
    response = client.get("/api/concordance", params)
    assert response.status_code == status
    assert response.json()["error"]


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_downloads_every_line(client, corpus_search):
    result = concordance(query="战斗堡垒", sort="right")
    response = client.get("/api/concordance", {"q": "战斗堡垒", "format": "csv", "sort": "right"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="concordance.csv"'
    rows = _csv(response)
    assert rows[0] == ["article_id", "title", "year", "url", "left", "match", "right"]
    assert len(rows) - 1 == result.occurrences
    assert [row[6] for row in rows[1:]] == sorted(row[6] for row in rows[1:])
    assert "X-Truncated" not in response


def test_csv_says_when_it_stops_at_the_cap(client, corpus_search, monkeypatch):
    monkeypatch.setattr(concordances, "CSV_LINES", 10)
    response = client.get("/api/concordance", {"q": "的", "format": "csv"})
    assert len(_csv(response)) == 11
    occurrences = concordance(query="的").occurrences
    assert response["X-Truncated"] == f"first 10 of {occurrences} lines"


def test_a_phrase_too_common_to_order_by_context_is_shown_by_date(
    client, corpus_search, monkeypatch
):
    monkeypatch.setattr(concordances, "CONTEXT_SORT_LIMIT", 20)
    content = page(client, {"q": "党", "sort": "left"})
    assert "按语境排序只用于出现不超过 20 次的短语" in content
    assert '<option value="newest" selected>' in content
    assert concordance(query="党", sort="left").sort == "newest"
    rare = concordance(query="复工复产", sort="left")
    assert 0 < rare.occurrences <= 20 and rare.sort == "left"
