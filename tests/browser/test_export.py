"""Exporting from the results page in Chromium, without JavaScript: ticking articles and
pressing the export button downloads a file holding exactly those articles; the other button
the whole list; the filter a query names is one click away."""

from __future__ import annotations

import rispy

from tests.browser.conftest import PHONE, screenshot


def ticked_and_downloaded(page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    download = info.value
    return download.suggested_filename, download.path().read_bytes()


def test_ticked_results_download_as_a_file_of_just_those_articles(open_page):
    page = open_page(javascript=False)
    page.goto("/search/?q=%E6%88%98%E6%96%97%E5%A0%A1%E5%9E%92")  # 战斗堡垒
    titles = page.locator(".card-title").all_inner_texts()
    assert len(titles) == 18
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 18
    # Each box is named by its article, for a screen reader.
    page.get_by_role("checkbox", name=f"勾选以导出： {titles[1]}").check()
    boxes.nth(4).check()
    page.get_by_label("格式").select_option("ris")
    screenshot(page, "export-ticked")
    name, content = ticked_and_downloaded(page, "导出勾选的文章")
    assert name == "wencui-战斗堡垒.ris"
    records = rispy.loads(content.decode("utf-8"))
    assert [record["title"] for record in records] == [titles[1], titles[4]]


def test_the_whole_list_downloads_with_the_other_button_whatever_is_ticked(open_page):
    page = open_page(javascript=False, viewport=PHONE)
    page.goto("/search/?q=%E5%85%9A%E6%94%AF%E9%83%A8&sort=oldest")  # 党支部
    titles = page.locator(".card-title").all_inner_texts()
    page.get_by_role("checkbox").first.check()
    page.get_by_label("格式").select_option("csv")
    _, content = ticked_and_downloaded(page, f"导出全部 {len(titles)} 篇")
    lines = content.decode("utf-8").removeprefix("\ufeff").splitlines()[1:]
    assert [line.split(",")[1] for line in lines] == titles


def test_a_year_typed_as_a_query_offers_its_filter(open_page):
    page = open_page(locale="en-US")
    page.goto("/search/?q=2020%E5%B9%B4")  # 2020年
    page.get_by_role("link", name="Articles from 2020").click()
    page.wait_for_url("**/search/?year=2020")
    assert page.get_by_role("heading", name="5 articles found").is_visible()
