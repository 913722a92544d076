"""Reading the archive in a real browser: search, filter, read, cite, page through, on a
desktop and on a phone. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    BASE_DIR,
    DESKTOP,
    PHONE,
    README_SCREENSHOT,
    SCREENSHOTS,
    screenshot,
)

expect = pytest.importorskip("playwright.sync_api").expect


def search(page, query: str) -> None:
    page.goto("/")
    page.get_by_label("检索词").fill(query)
    page.get_by_label("检索词").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))


def follow(page, link) -> None:
    """Click a link and wait until the page it leads to has loaded."""
    before = page.url
    link.click()
    page.wait_for_url(lambda url: url != before)


def result_count(page) -> int:
    text = page.locator(".result-count").inner_text()
    return int(re.search(r"找到 (\d+) 篇文章", text).group(1))


def test_searching_a_phrase_shows_highlighted_results(open_page):
    page = open_page()
    search(page, "“战斗堡垒”")
    assert result_count(page) == 18
    assert page.locator(".elapsed").inner_text().startswith("用时")
    marks = page.locator(".card mark")
    assert marks.count() >= 18
    assert set(marks.all_inner_texts()) == {"战斗堡垒"}
    # The search box keeps the query for the next search.
    assert page.get_by_label("检索词").input_value() == "“战斗堡垒”"


def test_facets_filter_and_chips_remove_filters(open_page):
    page = open_page()
    search(page, "党支部")
    everything = result_count(page)
    page.locator(".facets").get_by_role("link", name="商情").click()
    page.wait_for_url(re.compile(r"source=%E5%95%86%E6%83%85"))
    assert result_count(page) < everything
    page.locator(".facets section", has_text="年份").get_by_role("link", name="2020年").click()
    page.wait_for_url(re.compile(r"year=2020"))
    chips = page.locator(".chips .chip")
    assert chips.count() == 2
    assert [re.sub(r"\s", "", text) for text in chips.all_inner_texts()] == [
        "移除条件：刊物：商情×",
        "移除条件：年份：2020年×",
    ]
    assert result_count(page) == 1
    page.get_by_role("link", name=re.compile(r"^移除条件：\s*刊物：商情$")).click()
    page.wait_for_url(lambda url: "source=" not in url and "year=2020" in url)
    assert page.locator(".chips .chip").count() == 1
    assert result_count(page) > 1
    assert page.get_by_label("检索词").input_value() == "党支部"


def test_opening_an_article_from_results_marks_the_query(open_page):
    page = open_page()
    search(page, "“先锋模范”")
    first = page.locator(".card-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/articles/\d+/\?hl="))
    assert page.locator("h1").inner_text() == title
    assert set(page.locator(".article mark").all_inner_texts()) == {"先锋模范"}
    assert page.locator(".highlight-note").is_visible()
    page.get_by_role("link", name="取消标记").click()
    page.wait_for_url(re.compile(r"/articles/\d+/$"))
    expect(page.locator(".article mark")).to_have_count(0)


def test_copying_the_citation(open_page):
    page = open_page(clipboard=True)
    page.goto("/sources/商情/")
    follow(page, page.get_by_role("link", name="浅议怎样发挥基层党组织的战斗堡垒作用"))
    expected = "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36)."
    assert page.locator("#citation-text").inner_text() == expected
    button = page.get_by_role("button", name="复制引文")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copy-status")).to_have_text("已复制到剪贴板")
    assert page.evaluate("navigator.clipboard.readText()") == expected


def test_without_javascript_the_citation_is_text_and_the_button_stays_hidden(open_page):
    page = open_page(javascript=False)
    page.goto("/sources/商情/")
    follow(page, page.get_by_role("link", name="浅议怎样发挥基层党组织的战斗堡垒作用"))
    assert page.locator("#citation-text").is_visible()
    assert page.locator("button.copy-button").is_hidden()
    assert page.get_by_role("link", name="下载 BibTeX").is_visible()
    # Search works without JavaScript too: it is a plain form.
    search(page, "堡垒")
    assert result_count(page) == 18


def test_citation_downloads(open_page):
    page = open_page()
    page.goto("/sources/商情/?issue=2020年第36期")
    follow(page, page.locator(".card-title a"))
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 BibTeX").click()
    assert re.fullmatch(r"wencui-\d+\.bib", download.value.suggested_filename)
    text = open(download.value.path(), encoding="utf-8").read()
    assert "journal = {商情}" in text


def test_paging_through_a_list(open_page, settings):
    settings.ARTICLES_PER_PAGE = 5
    page = open_page()
    page.goto("/")
    pagination = page.get_by_role("navigation", name="分页")
    assert pagination.get_by_text("第 1 页，共 4 页").is_visible()
    first_titles = page.locator(".card-title").all_inner_texts()
    pagination.get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.get_by_role("navigation", name="分页").get_by_text("第 2 页，共 4 页").is_visible()
    assert not set(first_titles) & set(page.locator(".card-title").all_inner_texts())
    page.goto("/?page=4")
    assert page.locator(".card").count() == 3
    pagination = page.get_by_role("navigation", name="分页")
    assert pagination.get_by_role("link", name="下一页").count() == 0
    pagination.get_by_role("link", name="上一页").click()
    page.wait_for_url(re.compile(r"page=3"))


def test_browsing_by_publication_and_year(open_page):
    page = open_page()
    page.goto("/")
    follow(page, page.get_by_role("complementary", name="浏览").get_by_role("link", name="商情"))
    assert page.locator("h1").inner_text().startswith("《商情》")
    follow(page, page.get_by_role("link", name="浅谈如何发挥机关基层党组织的战斗堡垒作用"))
    follow(page, page.get_by_role("link", name="2019年", exact=True))
    assert page.locator("h1").inner_text().startswith("2019年")
    assert page.locator(".card").count() == 2


def test_skip_link_is_the_first_stop_and_visible_when_focused(open_page):
    page = open_page()
    page.goto("/years/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0


PHONE_PAGES = [
    "/",
    "/search/?q=%E6%88%98%E6%96%97%E5%A0%A1%E5%9E%92",
    "/search/?q=%22%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D%22&source=%E5%95%86%E6%83%85",
    "/sources/",
    "/sources/%E5%95%86%E6%83%85/",
    "/years/2020/",
]


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_pages_fit_a_phone_screen(open_page, path):
    page = open_page(PHONE)
    page.goto(path)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert page.locator("input[type=search]").first.is_visible()


def test_article_pages_fit_a_phone_screen(open_page):
    page = open_page(PHONE)
    page.goto("/")
    hrefs = page.locator(".card-title a").evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) == 18
    for href in hrefs:
        page.goto(href)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], href


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_screenshots(open_page, viewport, suffix):
    readme_image = BASE_DIR / "docs" / README_SCREENSHOT
    before = readme_image.read_bytes()
    page = open_page(viewport)
    page.goto("/")
    screenshot(page, f"home-{suffix}")

    search(page, "党支部 战斗堡垒")
    assert result_count(page) > 0
    results = screenshot(page, f"results-{suffix}")
    if suffix == "desktop":
        # The README shows this one: the top of the page, as a visitor first sees it. The
        # time taken is fixed, so that the image changes only when the page does.
        page.locator(".elapsed").evaluate("element => { element.textContent = '用时 25 毫秒'; }")
        page.screenshot(path=str(SCREENSHOTS / README_SCREENSHOT))
        assert results.exists()

    page.goto(
        "/search/?q=%22%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D%22&source=%E5%95%86%E6%83%85"
    )
    screenshot(page, f"no-results-{suffix}")

    page.goto("/sources/商情/")
    follow(page, page.get_by_role("link", name="浅议怎样发挥基层党组织的战斗堡垒作用"))
    screenshot(page, f"article-{suffix}")

    page.goto("/")
    follow(page, page.locator(".card-title a", has_text="新时代如何发挥基层党支部的战斗堡垒作用"))
    screenshot(page, f"article-headings-{suffix}")

    page.goto("/sources/商情/")
    screenshot(page, f"publication-{suffix}")
    # Tests leave the work tree as it was: the README's copy is refreshed by `make screenshots`.
    assert readme_image.read_bytes() == before


def test_printed_article_keeps_the_text_and_citation_without_navigation(open_page):
    page = open_page()
    page.goto("/sources/商情/")
    follow(page, page.get_by_role("link", name="浅议怎样发挥基层党组织的战斗堡垒作用"))
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".related", ".prev-next", ".cite-actions"):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in ("h1", ".abstract", ".body", ".cite-text", ".permalink"):
        expect(page.locator(shown)).to_be_visible()
