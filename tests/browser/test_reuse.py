"""Text reuse in a real browser, with and without JavaScript: paste a passage, read the
report, open two articles side by side. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from archive.models import Article
from tests.browser.conftest import DESKTOP, PHONE, screenshot

expect = pytest.importorskip("playwright.sync_api").expect

PAIR_TITLES = ("如何发挥基层党支部的战斗堡垒作用", "浅谈如何发挥基层党支部的战斗堡垒作用")


def borrowed_passage() -> tuple[Article, str]:
    article = Article.objects.get(author="杨姿姮")
    passage = article.paragraphs[1][:60] + "这一句是别处没有的话。" + article.paragraphs[2][:40]
    return article, passage


@pytest.mark.parametrize(
    ("viewport", "javascript", "suffix"),
    [(DESKTOP, True, "desktop"), (PHONE, False, "phone-no-js")],
)
def test_a_pasted_passage_is_traced_to_its_article(open_page, viewport, javascript, suffix):
    article, passage = borrowed_passage()
    page = open_page(viewport, javascript=javascript)
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="查重").click()
    page.wait_for_url(re.compile(r"/reuse/$"))
    page.get_by_label("文字").fill(passage)
    page.get_by_role("button", name="开始查重").click()
    summary = page.locator(".reuse-summary")
    expect(summary).to_contain_text("总字数")
    expect(summary).to_contain_text("重复率")
    listed = page.locator(".reuse-article").first
    expect(listed.get_by_role("heading")).to_have_text(article.title)
    assert listed.locator("mark").count() >= 2
    # The passage keeps its text for another try.
    assert page.get_by_label("文字").input_value() == passage
    assert screenshot(page, f"reuse-{suffix}").exists()
    listed.get_by_role("link", name=re.compile(r"第 \d+ 段")).first.click()
    page.wait_for_url(re.compile(rf"/articles/{article.pk}/#p\d+$"))


def test_two_articles_side_by_side(open_page):
    first, second = (Article.objects.get(title=title) for title in PAIR_TITLES)
    page = open_page()
    page.goto(first.get_absolute_url())
    section = page.locator("section.overlaps")
    expect(section).to_contain_text(second.title)
    section.get_by_role("link", name="对照查看").click()
    page.wait_for_url(re.compile(rf"/articles/{first.pk}/reuse/{second.pk}/$"))
    expect(page.locator(".reuse-summary")).to_contain_text("1 处相同")
    sides = page.locator(".reuse-side")
    expect(sides).to_have_count(2)
    for side in sides.all():
        assert side.locator("mark").count() >= 1
    assert screenshot(page, "reuse-side-by-side-desktop").exists()
    page.set_viewport_size(PHONE)
    assert screenshot(page, "reuse-side-by-side-phone").exists()
