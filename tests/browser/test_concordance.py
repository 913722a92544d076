"""The concordance page and the trend chart in a real browser, without JavaScript too, on a
desktop and on a phone. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, screenshot

expect = pytest.importorskip("playwright.sync_api").expect

PHONE_390 = {"width": 390, "height": 844}


def look_up(page, phrase: str) -> None:
    page.goto("/concordance/")
    page.get_by_label("短语").fill(phrase)
    page.get_by_role("button", name="查看语境").click()
    page.wait_for_url(re.compile(r"/concordance/\?"))


@pytest.mark.parametrize("javascript", [True, False])
def test_matches_stand_in_one_column_between_their_contexts(open_page, javascript):
    page = open_page(javascript=javascript)
    look_up(page, "战斗堡垒")
    expect(page.locator(".result-count")).to_contain_text("“战斗堡垒”出现")
    marks = page.locator(".kwic mark")
    assert marks.count() > 10
    boxes = [mark.bounding_box() for mark in marks.all()]
    assert max(b["x"] for b in boxes) - min(b["x"] for b in boxes) < 1
    lefts = [cell.bounding_box() for cell in page.locator("td.kwic-left").all()]
    assert all(left["x"] + left["width"] <= boxes[0]["x"] + 1 for left in lefts)


def test_a_line_opens_its_article_at_the_paragraph(open_page):
    page = open_page()
    look_up(page, "战斗堡垒")
    link = page.locator("td.kwic-match a[href*='#p']").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(r"/articles/\d+/"))
    anchor = page.locator(f"#{href.rsplit('#', 1)[1]}")
    expect(anchor).to_be_attached()
    assert page.locator(".body mark").count() > 0
    top = anchor.evaluate("element => element.getBoundingClientRect().top")
    assert -2 <= top < DESKTOP["height"]


def test_sorting_by_left_context_without_javascript(open_page):
    page = open_page(javascript=False)
    look_up(page, "党组织")
    page.get_by_label("排序").select_option("left")
    page.get_by_role("button", name="查看语境").click()
    page.wait_for_url(re.compile(r"sort=left"))
    lefts = page.locator("td.kwic-left").all_inner_texts()
    keys = [text[::-1] for text in lefts]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, "desktop"), (PHONE_390, "phone")])
def test_screenshots_of_the_concordance(open_page, viewport, suffix):
    page = open_page(viewport)
    look_up(page, "基层党组织")
    # On a phone the lines scroll inside their own box, never the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert screenshot(page, f"concordance-{suffix}").exists()


def test_trend_chart_links_each_year_to_the_filtered_search(open_page):
    page = open_page()
    page.goto("/search/?q=%E4%BC%81%E4%B8%9A")  # 企业: in 1 of 1, 1 of 2, 2 of 5 articles
    chart = page.locator("figure.trend")
    expect(chart.locator("svg.trend-chart")).to_be_visible()
    assert chart.locator("tbody").inner_text().split() == (
        "2018 1 100.0% 1 2019 1 50.0% 2 2020 2 40.0% 5".split()
    )
    assert chart.locator("circle").count() == chart.locator("tbody tr").count() == 3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SCREENSHOTS / "trend-chart-desktop.png"))
    chart.get_by_role("link", name="2019").click()
    page.wait_for_url(re.compile(r"year=2019"))
    assert "q=%E4%BC%81%E4%B8%9A" in page.url
    expect(page.locator(".chips")).to_contain_text("2019")


def test_trend_chart_on_a_phone(open_page):
    page = open_page(PHONE)
    page.goto("/search/?q=%E5%85%9A")
    chart = page.locator("figure.trend")
    expect(chart).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chart.screenshot(path=str(SCREENSHOTS / "trend-chart-phone.png"))


def test_the_concordance_in_english(open_page):
    page = open_page(locale="en-GB")
    page.goto("/concordance/?q=%E6%88%98%E6%96%97%E5%A0%A1%E5%9E%92")
    expect(page.locator("h1")).to_have_text("Concordance")
    expect(page.locator(".result-count")).to_contain_text("occurrences in")
