"""The article admin: text a curator pastes, and the list's filters."""

from __future__ import annotations

import pytest

from archive.models import Article

ADD = "/admin/archive/article/add/"
INLINE = "keyword_links"


def article_form(**values: str) -> dict[str, str]:
    empty = ["subtitle", "author", "publication", "issue_label", "month", "day", "url"]
    return {
        **dict.fromkeys(empty, ""),
        **dict.fromkeys(["abstract", "source_lines"], ""),
        "title": "标题",
        "year": "2020",
        "body": "正文。",
        f"{INLINE}-TOTAL_FORMS": "0",
        f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
        **values,
    }


@pytest.mark.django_db
def test_a_nul_pasted_into_an_article_is_removed_and_the_curator_told(admin_client):
    response = admin_client.post(
        ADD, article_form(title="粘贴\x00来的标题", body="第一段\x00。\n第二段。"), follow=True
    )

    assert response.status_code == 200
    article = Article.objects.get(title="粘贴来的标题")
    assert article.body == "第一段。\n第二段。"
    messages = [str(message) for message in response.context["messages"]]
    assert "已清除数据库无法保存的字符：标题（\\u0000）、正文（\\u0000）" in messages


@pytest.mark.django_db
def test_an_article_without_such_characters_is_saved_without_a_warning(admin_client):
    response = admin_client.post(ADD, article_form(title="平常的标题"), follow=True)

    assert Article.objects.filter(title="平常的标题").exists()
    messages = [str(message) for message in response.context["messages"]]
    assert not any("无法保存" in message for message in messages)


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["\x00", "二〇二〇", "2020x"])
def test_a_year_filter_that_is_no_year_is_refused_not_an_error(admin_client, year):
    response = admin_client.get("/admin/archive/article/", {"year": year})

    # The admin's answer to a bad filter: back to the list, marked ?e=1.
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?e=1")
