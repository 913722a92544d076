"""The interface in each language in a real browser: an English browser reads English, a
reader switches language on any page without JavaScript and stays on it."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot

expect = pytest.importorskip("playwright.sync_api").expect


def switch_to(page, name: str) -> None:
    before = page.url
    with page.expect_navigation():
        page.get_by_role("form", name=re.compile("界面语言|Interface language")).get_by_role(
            "button", name=name
        ).click()
    assert page.url == before


def test_an_english_browser_reads_the_interface_in_english(open_page):
    page = open_page(locale="en-US")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search Wencui")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Publications")).to_be_visible()
    page.get_by_label("Search terms").fill("“战斗堡垒”")
    page.get_by_label("Search terms").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    expect(page.get_by_role("heading", name="18 articles found")).to_be_visible()
    # The articles stay as written, and are marked as Chinese for speech and fonts.
    title = page.locator(".card-title").first
    expect(title).to_have_attribute("lang", "zh-Hans")
    assert "战斗堡垒" in title.inner_text()
    screenshot(page, "results-english")


def test_a_chinese_reader_switches_to_english_on_any_page_without_javascript(open_page):
    page = open_page(javascript=False)
    page.goto("/sources/商情/?sort=oldest")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("navigation", name="位置")).to_contain_text("首页 › 刊物")
    switch_to(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Home › Publications")
    expect(page.locator("h1")).to_contain_text("《商情》")
    expect(page.locator("h1")).to_contain_text("2 articles")
    screenshot(page, "publication-english")
    # The choice is remembered, and the way back is on every page.
    page.goto("/years/")
    expect(page.locator("h1")).to_have_text("Browse by year")
    switch_to(page, "简体中文")
    expect(page.locator("h1")).to_have_text("按年份浏览")


def test_a_run_in_heading_reads_as_a_heading_and_shows_as_the_start_of_its_paragraph(
    open_page, client
):
    from archive.models import Article

    article = Article.objects.create(
        title="分层测试",
        body="\n".join(
            [
                "一、主要做法。" + "正文很长，" * 30 + "结束。",
                "（一）第一点",
                "正文。",
            ]
        ),
    )
    # The server thread cannot read a row this test has written (SQLite locks the table
    # until the test's transaction is rolled back): the page is rendered here and served to
    # the browser at its own address, its stylesheet from the server.
    html = client.get(article.get_absolute_url()).content
    page = open_page()
    page.route(
        f"**{article.get_absolute_url()}",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    page.goto(article.get_absolute_url())
    heading = page.get_by_role("heading", level=2, name="一、主要做法。")
    expect(heading).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="（一）第一点")).to_be_visible()
    # Run in: the paragraph's text goes on from the heading's line.
    text = page.locator(".run-in > p")
    heading_box, text_box = heading.bounding_box(), text.bounding_box()
    assert abs(heading_box["y"] - text_box["y"]) < 2
    assert text_box["height"] > heading_box["height"]
    assert heading.evaluate("element => getComputedStyle(element).display") == "inline"
