"""The reuse page, its JSON API, two articles side by side and an article's overlaps, through
real HTTP on the bundled corpus."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as new_docx

from archive.models import Article
from search import fold, searchable_segments
from search.folding import is_word_char

pytestmark = pytest.mark.usefixtures("corpus_db")

# The two bundled articles that share a passage of 143 characters.
PAIR_TITLES = ("如何发挥基层党支部的战斗堡垒作用", "浅谈如何发挥基层党支部的战斗堡垒作用")


def words(text: str) -> str:
    return "".join(c for c in fold(text) if is_word_char(c))


@pytest.fixture
def source() -> Article:
    return Article.objects.get(author="杨姿姮")


@pytest.fixture
def pair() -> tuple[Article, Article]:
    return tuple(Article.objects.get(title=title) for title in PAIR_TITLES)


def passage_from(article: Article) -> str:
    """Two of its paragraphs' openings with a sentence of noise between them."""
    return article.paragraphs[1][:40] + "（这是一句插进来的话。）" + article.paragraphs[2][:30]


def test_the_page_offers_a_form_with_a_text_box_and_a_file_field(client):
    response = client.get("/reuse/")
    assert response.status_code == 200
    assert b'<textarea name="text"' in response.content
    assert b'type="file" name="file"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_a_passage_lists_its_source_with_the_summary_and_links_to_its_paragraphs(client, source):
    passage = passage_from(source)
    response = client.post("/reuse/", {"text": passage})
    assert response.status_code == 200
    content = response.content.decode()
    length = len(words(passage))
    assert f"总字数 <strong>{length}</strong>" in content
    assert (
        f"重复字数 <strong>{len(words(passage)) - len(words('这是一句插进来的话'))}</strong>"
        in content
    )
    assert source.title in content
    assert f'href="/articles/{source.pk}/#p2"' in content
    assert f'href="/articles/{source.pk}/#p3"' in content
    assert "<mark>" in content


def test_a_minimum_outside_8_to_200_is_refused_with_a_message(client, source):
    for value in ("7", "201", "abc"):
        response = client.post("/reuse/", {"text": passage_from(source), "min": value})
        assert response.status_code == 400
        assert "最短重复字数" in response.content.decode()


def test_an_empty_passage_is_refused(client):
    response = client.post("/reuse/", {"text": "   "})
    assert response.status_code == 400
    assert "请粘贴一段文字" in response.content.decode()


def test_a_passage_over_20000_characters_is_refused(client):
    response = client.post("/reuse/", {"text": "党" * 20_001})
    assert response.status_code == 400
    assert "20000" in response.content.decode()


def test_a_gbk_text_file_is_read_as_the_importer_reads_it(client, source):
    upload = SimpleUploadedFile("摘抄.txt", passage_from(source).encode("gbk"))
    response = client.post("/reuse/", {"file": upload})
    assert response.status_code == 200
    assert source.title in response.content.decode()


def test_a_word_file_is_read(client, source):
    document = new_docx()
    document.add_paragraph(source.paragraphs[1][:40])
    document.add_paragraph(source.paragraphs[2][:30])
    buffer = BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("摘抄.docx", buffer.getvalue())
    response = client.post("/reuse/", {"file": upload})
    assert response.status_code == 200
    assert source.title in response.content.decode()


def test_a_file_of_another_kind_is_refused(client):
    upload = SimpleUploadedFile("表格.xlsx", b"PK\x03\x04")
    response = client.post("/reuse/", {"file": upload})
    assert response.status_code == 400
    assert ".txt" in response.content.decode()


def test_a_damaged_word_file_is_refused_with_its_reason(client):
    upload = SimpleUploadedFile("坏文件.docx", b"not a zip at all")
    response = client.post("/reuse/", {"file": upload})
    assert response.status_code == 400
    assert "无法读取这个文件" in response.content.decode()


def check_answer(data: dict, passage: str, source: Article) -> None:
    assert set(data) >= {"length", "matched_chars", "share", "articles"}
    assert data["length"] == len(words(passage))
    assert data["share"] == round(data["matched_chars"] / data["length"], 4)
    item = next(a for a in data["articles"] if a["id"] == source.pk)
    assert set(item) >= {"id", "title", "url", "matched_chars", "spans"}
    assert item["url"].endswith(f"/articles/{source.pk}/")
    text = "\n".join(searchable_segments(source))
    for span in item["spans"]:
        assert set(span) >= {"start", "end", "article_start", "article_end", "text"}
        assert span["text"] == passage[span["start"] : span["end"]]
        shared = text[span["article_start"] : span["article_end"]]
        assert words(shared) == words(span["text"])


def test_the_api_takes_a_json_body(client, source):
    passage = passage_from(source)
    response = client.post(
        "/api/reuse", json.dumps({"text": passage, "min": 13}), content_type="application/json"
    )
    assert response.status_code == 200
    check_answer(response.json(), passage, source)


def test_the_api_takes_a_form_field(client, source):
    passage = passage_from(source)
    response = client.post("/api/reuse", {"text": passage})
    assert response.status_code == 200
    check_answer(response.json(), passage, source)


def test_the_api_needs_no_csrf_token(source):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/reuse", {"text": passage_from(source)})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps({"text": 5}).encode(),
        json.dumps({"text": "基层党组织的战斗堡垒作用", "min": 300}).encode(),
        json.dumps({"text": ""}).encode(),
    ],
)
def test_bad_api_input_is_a_400_with_an_error(client, body):
    response = client.post("/api/reuse", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_api_answers_only_posts(client):
    assert client.get("/api/reuse").status_code == 405


def test_the_article_page_lists_the_article_sharing_a_passage(client, pair):
    first, second = pair
    response = client.get(first.get_absolute_url())
    content = response.content.decode()
    assert "与本文有重合段落的文章" in content
    assert f'href="/articles/{first.pk}/reuse/{second.pk}/"' in content


def test_an_article_without_shared_passages_has_no_such_section(client, source):
    assert "与本文有重合段落的文章" not in client.get(source.get_absolute_url()).content.decode()


def test_the_side_by_side_view_marks_the_shared_passage_on_both_sides(client, pair):
    first, second = pair
    response = client.get(f"/articles/{first.pk}/reuse/{second.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 处相同" in content
    assert "左文 143 字" in content and "右文 143 字" in content
    assert content.count("<mark>") >= 4  # in the table and in both texts
    assert f'href="/articles/{second.pk}/#p' in content


def test_the_side_by_side_view_takes_a_minimum(client, pair):
    first, second = pair
    assert client.get(f"/articles/{first.pk}/reuse/{second.pk}/?min=200").status_code == 200
    response = client.get(f"/articles/{first.pk}/reuse/{second.pk}/?min=5")
    assert response.status_code == 400
    assert "最短重复字数" in response.content.decode()


def test_the_side_by_side_view_of_a_missing_article_is_a_404(client, pair):
    first, _ = pair
    assert client.get(f"/articles/{first.pk}/reuse/999999/").status_code == 404
    assert client.get(f"/articles/{first.pk}/reuse/{first.pk}/").status_code == 404


def test_the_overlaps_api(client, pair):
    first, second = pair
    data = client.get(f"/api/articles/{first.pk}/overlaps").json()
    assert data["id"] == first.pk
    [overlap] = data["overlaps"]
    assert overlap["id"] == second.pk
    assert overlap["shared_chars"] == 143
    assert overlap["other_version"] is False
    assert overlap["compare_url"].endswith(f"/articles/{first.pk}/reuse/{second.pk}/")
    assert client.get("/api/articles/999999/overlaps").status_code == 404


def test_reuse_checks_count_against_the_search_rate_limit(client, settings, source, pair):
    settings.WENCUI_RATE_LIMITS = {**settings.WENCUI_RATE_LIMITS, "search": (2, 60)}
    first, second = pair
    assert client.post("/reuse/", {"text": passage_from(source)}).status_code == 200
    assert client.get(f"/articles/{first.pk}/reuse/{second.pk}/").status_code == 200
    response = client.post("/reuse/", {"text": passage_from(source)})
    assert response.status_code == 429
    assert response["Retry-After"]
