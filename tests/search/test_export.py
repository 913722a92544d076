"""Batch export of a search, through each engine: every format read back by a real parser
(bibtexparser, rispy, csv, json), in the search's order, with its filters; the chosen
articles only; the cap; bad parameters."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import unquote

import bibtexparser
import pytest
import rispy
from pylatexenc.latex2text import LatexNodes2Text

from archive.citations import authors
from archive.models import Article
from search import Equals, YearRange, search_articles

pytestmark = pytest.mark.usefixtures("corpus_search")

QUERY = '"战斗堡垒"'


def download(client, **params) -> tuple[object, str]:
    response = client.get("/search/export", params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def searched_ids(query: str = QUERY, **options) -> list[int]:
    outcome = search_articles(query=query, per_page=1000, **options)
    return [hit.article.pk for hit in outcome.hits]


def article(pk: int) -> Article:
    return Article.objects.select_related("publication").get(pk=pk)


def latex(text: str) -> str:
    return LatexNodes2Text().latex_to_text(text)


def test_bibtex_export_is_read_by_bibtexparser_with_every_field(client):
    response, text = download(client, q=QUERY, format="bibtex")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)) == 18
    assert [int(key.removeprefix("wencui")) for key in keys] == searched_ids()
    for entry in library.entries:
        expected = article(int(entry.key.removeprefix("wencui")))
        fields = {name: field.value for name, field in entry.fields_dict.items()}
        assert latex(fields["title"]) == expected.title
        assert fields["url"].endswith(f"/articles/{expected.pk}/")
        names = [latex(n).strip("{}") for n in fields.get("author", "").split(" and ") if n]
        assert names == authors(expected)
        if expected.publication:
            assert entry.entry_type == "article"
            assert latex(fields["journal"]) == expected.publication.name
        if expected.year:
            assert fields["year"] == str(expected.year)
        if expected.issue_number is not None:
            assert fields["number"] == str(expected.issue_number)
        keywords = [k for k in latex(fields.get("keywords", "")).split(", ") if k]
        assert keywords == expected.keyword_names
        if expected.abstract:
            assert latex(fields["abstract"]) == " ".join(expected.abstract.split())


def test_ris_export_is_read_by_rispy_with_every_field(client):
    response, text = download(client, q=QUERY, format="ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert "\r\n" in text
    records = rispy.loads(text)
    assert len(records) == 18
    ids = [int(re.search(r"/articles/(\d+)/", r["urls"][0]).group(1)) for r in records]
    assert ids == searched_ids()
    for record, pk in zip(records, ids, strict=True):
        expected = article(pk)
        assert record["title"] == expected.title
        assert record.get("authors", []) == authors(expected)
        assert record["type_of_reference"] == ("JOUR" if expected.publication else "ELEC")
        if expected.publication:
            assert record["secondary_title"] == expected.publication.name
        if expected.year:
            assert record["year"] == str(expected.year)
        if expected.issue_number is not None:
            assert record["number"] == str(expected.issue_number)
        assert record.get("keywords", []) == expected.keyword_names
        if expected.abstract:
            assert record["abstract"] == " ".join(expected.abstract.split())


def test_csv_export_opens_in_excel_as_utf8_and_holds_every_column(client):
    response, text = download(client, q=QUERY, format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == [
        "id",
        "title",
        "author",
        "source",
        "year",
        "date",
        "issue",
        "url",
        "keywords",
    ]
    assert [int(row["id"]) for row in rows] == searched_ids()
    for row in rows:
        expected = article(int(row["id"]))
        assert row["title"] == expected.title
        assert row["author"] == expected.author
        assert row["source"] == (expected.publication.name if expected.publication else "")
        assert row["year"] == str(expected.year or "")
        assert row["date"].startswith(str(expected.year or ""))
        assert row["url"].endswith(expected.get_absolute_url())
        assert [k for k in row["keywords"].split("; ") if k] == expected.keyword_names


def test_gbt_export_is_one_numbered_reference_per_line(client):
    response, text = download(client, q=QUERY, format="gbt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = text.splitlines()
    assert len(lines) == 18
    for number, (line, pk) in enumerate(zip(lines, searched_ids(), strict=True), 1):
        assert line.startswith(f"[{number}] ")
        assert article(pk).title in line
    assert "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36)." in text


def test_jsonl_export_is_the_archives_exchange_format(client):
    response, text = download(client, q=QUERY, format="jsonl")
    records = [json.loads(line) for line in text.splitlines()]
    assert [record["id"] for record in records] == searched_ids()
    for record in records:
        expected = article(record["id"])
        assert record["title"] == expected.title
        assert record["paragraphs"] == expected.body.split("\n")
        assert record["keywords"] == expected.keyword_names


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_export_keeps_the_searchs_order(client, sort):
    _, text = download(client, q="党支部", sort=sort, format="jsonl")
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert ids == searched_ids("党支部", sort=sort)
    assert len(ids) > 1


def test_export_applies_the_searchs_filters(client):
    _, text = download(client, q=QUERY, source="商情", year="2019-2020", format="csv")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert {row["source"] for row in rows} == {"商情"}
    expected = searched_ids(filters={"source": Equals("商情"), "year": YearRange(2019, 2020)})
    assert [int(row["id"]) for row in rows] == expected
    assert 0 < len(rows) < 18


def test_export_without_a_query_holds_every_article_newest_first(client):
    _, text = download(client, format="jsonl")
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert sorted(ids) == sorted(Article.objects.values_list("pk", flat=True))
    assert ids == searched_ids("")


def test_ticked_articles_are_exported_alone_in_the_order_given(client):
    chosen = searched_ids()[3:6][::-1]
    response, text = download(
        client, q=QUERY, format="jsonl", scope="chosen", id=[*map(str, chosen), "999999"]
    )
    assert [json.loads(line)["id"] for line in text.splitlines()] == chosen
    assert response["X-Export-Count"] == "3"
    assert "X-Export-Truncated" not in response


def test_ticked_articles_are_exported_whatever_the_query(client):
    # The reader chose them from a list of results: the query does not filter them again.
    pk = Article.objects.get(author="杨姿姮").pk
    _, text = download(client, q='"没有这个短语"', format="jsonl", id=str(pk))
    assert [json.loads(line)["id"] for line in text.splitlines()] == [pk]


def test_too_many_ticked_articles_are_a_400_that_says_how_many_may_be(client):
    response = client.get("/search/export", {"format": "ris", "id": list(range(1, 502))})
    assert response.status_code == 400
    assert "一次最多导出 500 篇文章" in response.content.decode()


def test_the_export_all_button_ignores_ticked_articles(client):
    chosen = searched_ids()[:2]
    _, text = download(client, q=QUERY, format="jsonl", scope="all", id=[str(i) for i in chosen])
    assert len(text.splitlines()) == 18


def test_a_long_list_is_cut_at_the_cap_and_says_so(client, monkeypatch):
    monkeypatch.setattr("search.export.EXPORT_LIMIT", 5)
    response, text = download(client, q=QUERY, format="bibtex")
    assert response["X-Export-Truncated"] == "true"
    assert response["X-Export-Total"] == "18" and response["X-Export-Count"] == "5"
    library = bibtexparser.parse_string(text)
    assert [e.key for e in library.entries] == [f"wencui{pk}" for pk in searched_ids()[:5]]
    assert "前 5 篇" in library.comments[0].comment
    _, text = download(client, q=QUERY, format="gbt")
    lines = text.splitlines()
    assert lines[4].startswith("[5] ") and "共 18 篇" in lines[-1]
    response, text = download(client, q=QUERY, format="ris")
    assert len(rispy.loads(text)) == 5 and response["X-Export-Truncated"] == "true"


def test_a_list_within_the_cap_is_not_marked_cut(client):
    response, text = download(client, q=QUERY, format="bibtex")
    assert "X-Export-Truncated" not in response and "@comment" not in text
    assert response["X-Export-Count"] == "18"


def test_the_file_is_named_after_the_query_with_an_ascii_fallback(client):
    response, _ = download(client, q=QUERY, format="ris")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="wencui-articles.ris"; ')
    encoded = re.search(r"filename\*=utf-8''(\S+)", disposition).group(1)
    assert unquote(encoded) == "wencui-战斗堡垒.ris"
    response, _ = download(client, q="party", format="csv")
    assert 'filename="wencui-party.csv"' in response["Content-Disposition"]
    response, _ = download(client, format="jsonl")
    assert 'filename="wencui-articles.jsonl"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": QUERY}, "请选择导出格式"),
        ({"q": QUERY, "format": "docx"}, "没有这种导出格式"),
        ({"q": QUERY, "format": "ris", "id": "abc"}, "文章编号应为正整数"),
        ({"q": QUERY, "format": "ris", "id": "-3"}, "文章编号应为正整数"),
        ({"q": QUERY, "format": "ris", "scope": "chosen"}, "没有勾选文章"),
        ({"q": QUERY, "format": "ris", "year": "二〇二〇"}, "年份应为四位数字"),
        ({"q": QUERY, "format": "ris", "sort": "random"}, "排序"),
        ({"q": "党" * 300, "format": "ris"}, "检索词"),
    ],
)
def test_bad_parameters_are_a_400_that_says_why(client, params, message):
    response = client.get("/search/export", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


def test_bad_parameters_are_explained_in_english_to_an_english_reader(client):
    response = client.get(
        "/search/export", {"format": "docx", "id": "x"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is no such export format; available: gbt, bibtex, ris, csv, jsonl." in text
    assert "Article number: Article numbers are positive whole numbers." in text


def test_the_export_counts_against_the_heavy_rate_limit(client, settings):
    settings.WENCUI_RATE_LIMITS = {**settings.WENCUI_RATE_LIMITS, "heavy": (2, 60)}
    statuses = [client.get("/search/export", {"format": "gbt"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_special_characters_survive_every_format(client):
    title = r"论{括号}、100% & $符号$_下划线 #号 ~波浪^ \反斜杠, “引号”"
    abstract = '第一行，含逗号\n第二行 "引号"\t和制表符'
    special = Article.objects.create(
        title=title, author="张三，李四；王五", abstract=abstract, body="正文。", year=2021
    )
    params = {"id": str(special.pk)}
    _, text = download(client, format="bibtex", **params)
    [entry] = bibtexparser.parse_string(text).entries
    # LaTeX's own escapes. pylatexenc drops the accent commands that stand for ~ and ^, so
    # those two are checked as written and the rest as a decoder reads them.
    raw_title = entry.fields_dict["title"].value
    assert r"\~{}波浪\^{}" in raw_title
    readable = raw_title.replace(r"\~{}", r"\textasciitilde{}").replace(r"\^{}", "^")
    assert latex(readable) == title
    assert latex(entry.fields_dict["abstract"].value) == " ".join(abstract.split())
    assert entry.fields_dict["author"].value == "{张三} and {李四} and {王五}"
    _, text = download(client, format="ris", **params)
    [record] = rispy.loads(text)
    assert record["title"] == title and record["authors"] == ["张三", "李四", "王五"]
    assert record["abstract"] == " ".join(abstract.split())
    _, text = download(client, format="csv", **params)
    [row] = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert row["title"] == title and row["year"] == "2021"
    _, text = download(client, format="jsonl", **params)
    record = json.loads(text)
    assert record["title"] == title and record["abstract"] == abstract
    _, text = download(client, format="gbt", **params)
    url = f"http://testserver{special.get_absolute_url()}"
    assert text.startswith(f"[1] 张三, 李四, 王五. {title}[EB/OL]. ")
    assert text.endswith(f"{url}.\n") and text.count("\n") == 1
