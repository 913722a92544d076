"""The reading room through Django's test client: home, browse pages, article pages,
citation downloads, feeds, sitemap, robots.txt, OpenSearch and the error pages."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import quote

import pytest
from django.db.models import Count
from django.http import Http404
from django.test import RequestFactory

from archive import views
from archive.headings import Block, body_blocks, heading_split, numbering_rank
from archive.models import Article, Keyword, Publication

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def page(client, url, params=None, status=200) -> str:
    response = client.get(url, params or {})
    assert response.status_code == status, (url, response.status_code)
    content = response.content.decode()
    if response["Content-Type"].startswith("text/html"):
        assert_csp_compatible(content)
    return content


def assert_csp_compatible(html: str) -> None:
    """Nothing a strict Content-Security-Policy would block: no inline script or style,
    no event-handler attributes, nothing loaded from elsewhere."""
    for script in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in script, script
    assert "<style" not in html
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//(?!testserver/)""", html)


def shangqing_article() -> Article:
    return Article.objects.get(author="杨姿姮")


# Home


@pytest.mark.usefixtures("corpus_db")
def test_home_puts_the_search_box_first_then_browse_lists_then_latest_articles(client):
    content = page(client, "/")
    main = content[content.index("<main") :]
    assert main.index('role="search"') < main.index("按刊物") < main.index("最新文章")
    for publication in Publication.objects.annotate(n=Count("articles")).filter(n__gt=0):
        url = publication.get_absolute_url()
        assert re.search(
            rf'href="{re.escape(url)}" lang="zh-Hans">{re.escape(publication.name)}</a> '
            rf'<span class="count">{publication.n}</span>',
            content,
        )
    assert 'href="/years/2020/">2020年</a> <span class="count">' in content
    unknown = Article.objects.filter(publication=None).count()
    assert f'未注明刊物</a> <span class="count">{unknown}</span>' in content
    assert "共收录 18 篇文章" in content
    assert content.count('class="card"') == 18


@pytest.mark.usefixtures("corpus_db")
def test_every_page_links_the_feed_the_opensearch_description_and_the_stylesheet(client):
    content = page(client, "/")
    opensearch = 'type="application/opensearchdescription+xml" href="/opensearch.xml"'
    assert f'<link rel="search" {opensearch}' in content
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/latest/"' in content
    assert 'href="/static/css/site.css"' in content
    assert 'media="print"' in content


@pytest.mark.usefixtures("corpus_db")
def test_home_sorts_and_paginates(client, settings):
    settings.ARTICLES_PER_PAGE = 5
    content = page(client, "/", {"sort": "oldest"})
    assert "第 1 页，共 4 页" in content
    assert 'href="?sort=oldest&amp;page=2"' in content
    last = page(client, "/", {"sort": "oldest", "page": 4})
    assert last.count('class="card"') == 3
    titles = re.findall(r'class="card-title"[^>]*><a href="[^"]+">([^<]+)</a>', page(client, "/"))
    newest = Article.objects.newest_first()[:5]
    assert titles == [article.title for article in newest]


# Browse lists


@pytest.mark.usefixtures("corpus_db")
def test_publication_list_counts_articles(client):
    content = page(client, "/sources/")
    assert "按刊物浏览" in content
    assert re.search(r"《商情》</a> <span class=\"count\">2 篇</span>", content)
    assert "未注明刊物" in content


@pytest.mark.usefixtures("corpus_db")
def test_publication_list_sorts_by_count_or_name_and_paginates(client, monkeypatch):
    by_count = re.findall(r"《([^》]+)》</a> <span", page(client, "/sources/"))
    assert by_count[0] == "商情"
    by_name = re.findall(r"《([^》]+)》</a> <span", page(client, "/sources/", {"sort": "name"}))
    assert by_name == sorted(by_count)
    monkeypatch.setattr(views, "BROWSE_PER_PAGE", 2)
    first = page(client, "/sources/", {"sort": "name"})
    assert "第 1 页，共 3 页" in first and "未注明刊物" not in first
    last = page(client, "/sources/", {"sort": "name", "page": 3})
    assert "未注明刊物" in last


@pytest.mark.usefixtures("corpus_db")
def test_year_list_sorts_and_paginates(client, monkeypatch):
    assert re.findall(r"(\d{4})年</a>", page(client, "/years/")) == ["2020", "2019", "2018"]
    oldest = page(client, "/years/", {"sort": "oldest"})
    assert re.findall(r"(\d{4})年</a>", oldest) == ["2018", "2019", "2020"]
    monkeypatch.setattr(views, "BROWSE_PER_PAGE", 2)
    assert "第 2 页，共 2 页" in page(client, "/years/", {"page": 2})


@pytest.mark.usefixtures("corpus_db")
def test_publication_page_lists_its_articles_by_year_and_issue(client):
    content = page(client, "/sources/商情/")
    assert '<h1><span lang="zh-Hans">《商情》</span>' in content and "共 2 篇" in content
    assert content.index(">2020年</h2>") < content.index(">2019年</h2>")
    assert "按期浏览" in content
    assert "2020年第36期" in content and "2019年第26期" in content
    assert 'href="/feeds/sources/%E5%95%86%E6%83%85/"' in content
    titles = re.findall(r'class="card-title"[^>]*><a href="[^"]+">([^<]+)</a>', content)
    assert set(titles) == set(
        Article.objects.filter(publication__name="商情").values_list("title", flat=True)
    )


@pytest.mark.usefixtures("corpus_db")
def test_publication_issue_links_keep_the_sort_and_start_at_page_one(client):
    content = page(client, "/sources/商情/", {"sort": "oldest", "page": "1"})
    issue = "issue=2020%E5%B9%B4%E7%AC%AC36%E6%9C%9F"
    assert f'<a href="?sort=oldest&amp;{issue}" lang="zh-Hans">2020年第36期</a>' in content
    chosen = page(client, "/sources/商情/", {"issue": "2020年第36期", "sort": "oldest"})
    # The chosen issue's link clears it, and only it.
    assert (
        '<a class="selected" aria-current="page" href="?sort=oldest">'
        '<span lang="zh-Hans">2020年第36期</span>'
    ) in chosen
    assert '<a href="?sort=oldest&amp;issue=2019' in chosen


@pytest.mark.usefixtures("corpus_db")
def test_publication_page_filters_by_issue(client):
    content = page(client, "/sources/商情/", {"issue": "2020年第36期"})
    assert "《商情》 2020年第36期" in content
    assert content.count('class="card"') == 1
    assert shangqing_article().title in content
    missing = page(client, "/sources/商情/", {"issue": "1999年第1期"}, status=404)
    assert "这个刊物没有这一期" in missing


@pytest.mark.usefixtures("corpus_db")
def test_year_list_and_year_page(client):
    content = page(client, "/years/")
    for row in Article.objects.exclude(year=None).values("year").annotate(n=Count("id")):
        assert f'href="/years/{row["year"]}/">{row["year"]}年</a> <span class="count">' in content
        assert f"{row['n']} 篇" in content
    assert "未注明年份" in content
    year = page(client, "/years/2020/")
    assert year.count('class="card"') == Article.objects.filter(year=2020).count()
    assert "<h1>2020年" in year


@pytest.mark.usefixtures("corpus_db")
def test_keyword_index_lists_keywords_most_used_first_with_counts(client):
    content = page(client, "/keywords/")
    assert "按关键词浏览" in content
    listed = re.findall(
        r'<a href="([^"]+)" lang="zh-Hans">([^<]+)</a> <span class="count">(\d+) 篇', content
    )
    used = Keyword.objects.annotate(n=Count("article_links")).filter(n__gt=0)
    assert {name: int(n) for _, name, n in listed} == {k.name: k.n for k in used}
    counts = [int(n) for _, _, n in listed]
    assert counts == sorted(counts, reverse=True) and counts[0] > 1
    assert all(href == quote(f"/keywords/{name}/") for href, name, _ in listed)


@pytest.mark.usefixtures("corpus_db")
def test_keyword_index_sorts_by_name_and_paginates(client, monkeypatch):
    by_name = re.findall(
        r'lang="zh-Hans">([^<]+)</a> <span', page(client, "/keywords/", {"sort": "name"})
    )
    assert by_name == sorted(by_name)
    monkeypatch.setattr(views, "BROWSE_PER_PAGE", 2)
    pages = -(-len(by_name) // 2)
    first = page(client, "/keywords/", {"sort": "name"})
    assert f"第 1 页，共 {pages} 页" in first
    second = page(client, "/keywords/", {"sort": "name", "page": 2})
    assert re.findall(r'lang="zh-Hans">([^<]+)</a> <span', second) == by_name[2:4]
    assert client.get("/keywords/", {"page": pages + 1}).status_code == 404


@pytest.mark.usefixtures("corpus_db")
def test_keyword_page_breadcrumb_leads_to_the_keyword_index(client):
    content = page(client, Keyword.objects.get(name="战斗堡垒").get_absolute_url())
    breadcrumbs = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', content).group(1)
    assert '<a href="/keywords/">关键词</a>' in breadcrumbs
    assert client.get("/keywords/").status_code == 200


@pytest.mark.usefixtures("corpus_db")
def test_keyword_page(client):
    keyword = Keyword.objects.get(name="战斗堡垒")
    content = page(client, keyword.get_absolute_url())
    assert '<h1><span lang="zh-Hans">战斗堡垒</span>' in content
    assert content.count('class="card"') == keyword.article_links.count() > 1


@pytest.mark.usefixtures("corpus_db")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/sources/没有的刊物/", "文库里没有这个刊物"),
        ("/years/1066/", "这一年没有文章"),
        ("/years/0/", "这一年没有文章"),
        ("/keywords/没有的关键词/", "文库里没有这个关键词"),
        ("/articles/999999/", "没有这篇文章"),
        ("/feeds/sources/没有的刊物/", "文库里没有这个刊物"),
    ],
)
def test_unknown_things_are_404_with_a_message_in_chinese(client, url, message):
    content = page(client, url, status=404)
    assert message in content
    assert "matches the given query" not in content


@pytest.mark.usefixtures("corpus_db")
@pytest.mark.parametrize("url", ["/sources/商%00情/", "/keywords/%00/", "/feeds/sources/%00/"])
def test_a_name_holding_a_nul_is_no_page_rather_than_a_database_error(client, url):
    # No name can hold a NUL, and PostgreSQL refuses to even compare with one.
    assert client.get(url).status_code == 404


@pytest.mark.usefixtures("corpus_db")
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/sources/",
        "/sources/商情/",
        "/years/",
        "/years/2020/",
        "/keywords/",
        "/keywords/战斗堡垒/",
    ],
)
@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "x"},
        {"page": "99"},
        {"page": "1e9999"},
        {"page": "9" * 5000},
        {"sort": "sideways"},
        {"sort": "title", "page": "2.5"},
    ],
)
def test_bad_page_or_sort_parameters_are_404_not_500(client, url, params):
    assert client.get(url, params).status_code in (400, 404)


@pytest.mark.usefixtures("corpus_db")
def test_names_with_slashes_and_odd_characters_have_working_pages(client):
    publication = Publication.objects.create(name="甲/乙 & <丙>?#")
    keyword = Keyword.objects.create(name="a/b")
    article = Article.objects.create(title="斜杠测试", body="正文", publication=publication)
    article.keyword_links.create(keyword=keyword, position=0)
    content = page(client, publication.get_absolute_url())
    assert "《甲/乙 &amp; &lt;丙&gt;?#》" in content
    assert "斜杠测试" in page(client, keyword.get_absolute_url())
    assert page(client, article.get_absolute_url())
    assert client.get(f"/feeds/sources/{quote(publication.name, safe='/')}/").status_code == 200


# Article page


@pytest.mark.usefixtures("corpus_db")
def test_article_page_links_its_metadata_to_browse_pages(client):
    article = shangqing_article()
    content = page(client, article.get_absolute_url())
    assert f'<h1 id="article-title" lang="zh-Hans">{article.title}</h1>' in content
    assert '<dd class="author" lang="zh-Hans">杨姿姮</dd>' in content
    source_url = "/sources/%E5%95%86%E6%83%85/"
    assert f'<a class="source" href="{source_url}" lang="zh-Hans">《商情》</a>' in content
    issue_url = "/sources/%E5%95%86%E6%83%85/?issue=2020%E5%B9%B4%E7%AC%AC36%E6%9C%9F"
    assert f'<a class="issue" href="{issue_url}" lang="zh-Hans">2020年第36期</a>' in content
    assert '<a class="year" href="/years/2020/">2020年</a>' in content
    for name in article.keyword_names:
        assert f'<a href="{quote(f"/keywords/{name}/")}">{name}</a>' in content
    assert page(client, "/sources/商情/", {"issue": "2020年第36期"})


@pytest.mark.usefixtures("corpus_db")
def test_article_page_sets_the_abstract_apart_and_shows_every_paragraph(client):
    article = shangqing_article()
    content = page(client, article.get_absolute_url())
    abstract = re.search(r'<section class="abstract"[^>]*>(.*?)</section>', content, re.S)
    assert abstract and article.abstract in abstract.group(1)
    body = re.search(r'<div class="body"[^>]*>(.*?)</div>', content, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", body)
    for paragraph in article.paragraphs:
        assert paragraph.strip() in text


@pytest.mark.usefixtures("corpus_db")
def test_article_page_marks_section_headings(client):
    article = Article.objects.get(title="发挥基层党组织的战斗堡垒作用")
    content = page(client, article.get_absolute_url())
    assert '<h2 class="section-heading">一、支部班子,是战斗堡垒发挥作用的核心。</h2>' in content
    assert '<h2 class="section-heading">四、提高业务技能,个个是专家。</h2>' in content
    notice = Article.objects.get(title__startswith="关于在疫情防控新阶段")
    assert '<h2 class="section-heading">一要统一思想,提高认识。</h2>' in page(
        client, notice.get_absolute_url()
    )


@pytest.mark.usefixtures("corpus_db")
def test_heading_running_into_the_text_stays_a_paragraph_with_its_number_marked(client):
    article = Article.objects.get(title="新时代如何发挥基层党支部的战斗堡垒作用")
    content = page(client, article.get_absolute_url())
    assert (
        '<p><strong class="lead">一、</strong>充分认识基层党组织的地位和作用治国安邦,重在基层;'
        in content
    )
    # Its sub-points are not headings: as h2 they would stand level with the sections they
    # belong to, and as h3 below a level that is missing.
    assert '<p><strong class="lead">一是创建学习型党支部。</strong></p>' in content
    assert "section-heading" not in body_html(content)


def body_html(content: str) -> str:
    return re.search(r'<div class="body"[^>]*>(.*?)\n  </div>', content, re.S).group(1)


def heading_levels(content: str) -> list[tuple[int, str]]:
    """(level, text) of every heading from the article's title to the end of its body."""
    start = content.index('<h1 id="article-title"')
    end = content.index('<footer class="article-footer">')
    return [
        (int(level), re.sub(r"<[^>]+>", "", text))
        for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", content[start:end], re.S)
    ]


@pytest.mark.usefixtures("corpus_db")
def test_every_article_outline_follows_its_numbering_and_skips_no_level(client):
    for article in Article.objects.all():
        levels = heading_levels(page(client, article.get_absolute_url()))
        assert levels[0][0] == 1, article.title
        for (before, _), (level, text) in itertools.pairwise(levels):
            assert level <= before + 1, (article.title, text)
        ranked = [(numbering_rank(text), level) for level, text in levels]
        for (rank_a, level_a), (rank_b, level_b) in itertools.combinations(ranked, 2):
            if rank_a is not None and rank_b is not None:
                assert (rank_a < rank_b) == (level_a < level_b), article.title


@pytest.mark.usefixtures("corpus_db")
def test_sub_points_under_sections_that_are_not_headings_are_not_headings(client):
    article = Article.objects.get(title="在夺取防控和发展双胜利中发挥基层党组织战斗堡垒作用")
    content = page(client, article.get_absolute_url())
    assert "<h2" not in body_html(content)
    assert '<p><strong class="lead">一是</strong>' not in content
    assert '<p><strong class="lead">一是当好中央政策“传声筒”。</strong></p>' in content
    assert '<p><strong class="lead">一、</strong>突出基层党组织的政治功能' in content


@pytest.mark.usefixtures("corpus_db")
def test_one_style_is_headings_throughout_an_article_or_nowhere(client):
    article = Article.objects.get(title="浅议怎样发挥基层党组织的战斗堡垒作用")
    content = page(client, article.get_absolute_url())
    assert (
        '<strong class="lead">二是加强党员教育与管理,充分发挥党员的先锋模范作用。</strong>'
        in content
    )
    assert '<strong class="lead">三是</strong>密切联系群众' in content
    assert "section-heading" not in body_html(content)


@pytest.mark.usefixtures("corpus_db")
def test_run_in_section_heading_is_a_heading_above_the_sub_headings_in_it(client):
    article = Article.objects.create(
        title="分层测试",
        body="\n".join(
            [
                "一、主要做法。" + "正文很长，" * 12 + "结束。",
                "（一）第一点",
                "正文。",
                "二、存在的问题：" + "正文很长，" * 12 + "结束。",
                "（二）第二点",
            ]
        ),
    )
    content = page(client, article.get_absolute_url())
    assert '<div class="run-in"><h2 class="lead">一、主要做法。</h2><p>正文很长，' in content
    assert '<h3 class="section-heading">（一）第一点</h3>' in content
    assert [level for level, _ in heading_levels(content)] == [1, 2, 3, 2, 3]


@pytest.mark.usefixtures("corpus_db")
def test_headings_marked_by_the_source_keep_their_levels(client):
    article = Article.objects.create(
        title="标记测试", body="## 第一部分\n一是要点。\n正文。\n### 小节\n## 第二部分"
    )
    levels = heading_levels(page(client, article.get_absolute_url()))
    assert levels == [(1, "标记测试"), (2, "第一部分"), (3, "小节"), (2, "第二部分")]


@pytest.mark.usefixtures("corpus_db")
def test_article_page_has_canonical_link_permalink_and_citation(client):
    article = shangqing_article()
    content = page(client, article.get_absolute_url(), {"hl": "堡垒"})
    url = f"http://testserver/articles/{article.pk}/"
    assert f'<link rel="canonical" href="{url}">' in content
    assert f'<a href="/articles/{article.pk}/">{url}</a>' in content
    assert (
        '<p class="cite-text" id="citation-text" lang="zh-Hans">'
        "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36).</p>"
    ) in content
    assert f'href="/articles/{article.pk}/cite.bib" download' in content
    assert f'href="/articles/{article.pk}/cite.ris" download' in content
    # The copy button needs JavaScript: hidden until the script shows it.
    assert re.search(r"<button [^>]*data-copy=\"citation-text\"[^>]*hidden>复制引文", content)
    assert '<script src="/static/js/cite.js" defer></script>' in content


@pytest.mark.usefixtures("corpus_db")
def test_article_without_publication_is_cited_as_an_online_source(client):
    article = Article.objects.get(title="充分发挥基层党组织在疫情防控阻击战中的战斗堡垒作用")
    content = page(client, article.get_absolute_url())
    assert re.search(
        rf"{article.title}\[EB/OL\]\. \(2020\)\[\d{{4}}-\d\d-\d\d\]\. "
        rf"http://testserver/articles/{article.pk}/\.",
        content,
    )


@pytest.mark.usefixtures("corpus_db")
def test_article_page_links_newer_and_older_articles_of_its_publication(client):
    newer = Article.objects.get(author="杨姿姮")  # 商情 2020
    older = Article.objects.get(author="张小康")  # 商情 2019
    content = page(client, older.get_absolute_url())
    assert f'<a rel="prev" href="{newer.get_absolute_url()}">' in content
    assert '<span lang="zh-Hans">《商情》</span>中较新的一篇' in content
    assert 'rel="next"' not in content
    content = page(client, newer.get_absolute_url())
    assert f'<a rel="next" href="{older.get_absolute_url()}">' in content
    assert 'rel="prev"' not in content


@pytest.mark.usefixtures("corpus_db")
def test_article_page_without_publication_links_neighbours_of_its_year(client):
    undated = Article.objects.filter(year=None, publication=None).newest_first()
    content = page(client, undated[1].get_absolute_url())
    assert f'<a rel="prev" href="{undated[0].get_absolute_url()}">' in content
    assert f'<a rel="next" href="{undated[2].get_absolute_url()}">' in content
    assert "未注明年份的文章中较新的一篇" in content


@pytest.mark.usefixtures("corpus_db")
def test_article_page_highlights_the_query_from_search(client):
    article = shangqing_article()
    content = page(client, article.get_absolute_url(), {"hl": '"战斗堡垒"'})
    title = "浅议怎样发挥基层党组织的<mark>战斗堡垒</mark>作用"
    assert f'<h1 id="article-title" lang="zh-Hans">{title}</h1>' in content
    assert "已标出检索词" in content
    assert "<mark>" not in page(client, article.get_absolute_url())


# Citation downloads


@pytest.mark.usefixtures("corpus_db")
def test_bibtex_download(client):
    article = shangqing_article()
    response = client.get(f"/articles/{article.pk}/cite.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="wencui-{article.pk}.bib"'
    text = response.content.decode("utf-8")
    assert text.startswith(f"@article{{wencui{article.pk},\n")
    assert "  journal = {商情},\n" in text
    assert "  keywords = {基层党组, 战斗堡垒, 作用},\n" in text
    assert f"  url = {{http://testserver/articles/{article.pk}/}},\n" in text


@pytest.mark.usefixtures("corpus_db")
def test_ris_download(client):
    article = shangqing_article()
    response = client.get(f"/articles/{article.pk}/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="wencui-{article.pk}.ris"'
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[0] == "TY  - JOUR"
    assert "T2  - 商情" in lines and "IS  - 36" in lines
    assert ["KW  - 基层党组", "KW  - 战斗堡垒", "KW  - 作用"] == [
        line for line in lines if line.startswith("KW")
    ]


@pytest.mark.usefixtures("corpus_db")
def test_citation_downloads_of_a_missing_article_are_404(client):
    assert client.get("/articles/999999/cite.bib").status_code == 404
    assert client.get("/articles/999999/cite.ris").status_code == 404


# Feeds


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


@pytest.mark.usefixtures("corpus_db")
def test_latest_feed_lists_every_article(client):
    feed = atom(client, "/feeds/latest/")
    assert feed.find(f"{ATOM}title").text == "文萃 · 最新文章"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 18
    article = shangqing_article()
    entry = next(e for e in entries if e.find(f"{ATOM}title").text == article.title)
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/articles/{article.pk}/"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "杨姿姮"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "《商情》 2020年第36期" in summary.text
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == set(article.keyword_names)


def entry_article(entry) -> Article:
    href = entry.find(f"{ATOM}link").get("href")
    return Article.objects.get(pk=int(re.search(r"/articles/(\d+)/$", href).group(1)))


@pytest.mark.usefixtures("corpus_db")
def test_feed_and_every_entry_name_an_author(client):
    Article.objects.create(title="无名文章", body="正文")
    feed = atom(client, "/feeds/latest/")
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "文萃"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        article = entry_article(entry)
        names = [name.text for name in entry.findall(f"{ATOM}author/{ATOM}name")]
        if article.author:
            assert names == [article.author]
        elif article.publication:
            assert names == [article.publication.name]
        else:
            assert names == ["佚名"]


@pytest.mark.usefixtures("corpus_db")
def test_entry_published_is_the_articles_own_date_and_updated_its_last_change(client):
    dated = Article.objects.create(title="有日期的文章", body="正文", year=2020, month=3, day=5)
    Article.objects.create(title="只有年月的文章", body="正文", year=2020, month=3)
    entries = {
        entry.find(f"{ATOM}title").text: entry
        for entry in atom(client, "/feeds/latest/").findall(f"{ATOM}entry")
    }
    entry = entries["有日期的文章"]
    assert entry.find(f"{ATOM}published").text == "2020-03-05T00:00:00+08:00"
    assert datetime.fromisoformat(entry.find(f"{ATOM}updated").text) == dated.updated
    # A day left unknown is not made up: no published date, only the updated one.
    assert entries["只有年月的文章"].find(f"{ATOM}published") is None
    assert entries["只有年月的文章"].find(f"{ATOM}updated") is not None
    for entry in entries.values():
        article = entry_article(entry)
        if not (article.year and article.month and article.day):
            assert entry.find(f"{ATOM}published") is None, article.title


@pytest.mark.usefixtures("corpus_db")
def test_feeds_are_in_chinese_whatever_the_reader_asks_for(client):
    response = client.get("/feeds/sources/商情/", headers={"accept-language": "en"})
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "文萃 · 《商情》最新文章"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    summary = feed.find(f"{ATOM}entry/{ATOM}summary").text
    assert "2020年第36期" in summary or "2019年第26期" in summary


@pytest.mark.usefixtures("corpus_db")
def test_publication_feed_lists_only_its_articles(client):
    feed = atom(client, "/feeds/sources/商情/")
    assert feed.find(f"{ATOM}title").text == "文萃 · 《商情》最新文章"
    titles = {e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")}
    assert titles == set(
        Article.objects.filter(publication__name="商情").values_list("title", flat=True)
    )


@pytest.mark.usefixtures("corpus_db")
def test_feed_text_is_escaped_and_inert(client):
    Article.objects.create(
        title="<script>alert('标题')</script>",
        author="<b>作者</b>",
        # Control characters XML 1.0 cannot hold, and which every database stores
        # (PostgreSQL refuses NUL).
        abstract="摘要<img src=x onerror=alert(1)>&amp;\x01\x0b结束",
        body="正文",
    )
    response = client.get("/feeds/latest/")
    assert response.status_code == 200
    raw = response.content.decode()
    assert "<script>" not in raw and "<img" not in raw
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "<script>alert('标题')</script>"  # plain text
    summary = entry.find(f"{ATOM}summary").text  # HTML, in which the text is escaped
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;amp;结束" in summary
    assert "<img" not in summary


# Sitemap, robots.txt, OpenSearch


@pytest.mark.usefixtures("corpus_db")
def test_sitemap_lists_every_article_and_browse_page(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = ET.fromstring(response.content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-articles.xml" in sections
    urls = set()
    for section in sections:
        part = client.get(section.removeprefix("http://testserver"))
        assert part.status_code == 200
        urls |= {loc.text for loc in ET.fromstring(part.content).iter(f"{SITEMAP}loc")}
    for article in Article.objects.all():
        assert f"http://testserver{article.get_absolute_url()}" in urls
    assert "http://testserver/" in urls
    assert "http://testserver/sources/%E5%95%86%E6%83%85/" in urls
    assert "http://testserver/years/2020/" in urls
    assert f"http://testserver{quote('/keywords/战斗堡垒/')}" in urls
    assert "http://testserver/keywords/" in urls


@pytest.mark.usefixtures("corpus_db")
def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.usefixtures("corpus_db")
def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/opensearchdescription+xml; charset=utf-8"
    description = ET.fromstring(response.content)
    assert description.find(f"{OPENSEARCH}ShortName").text == "文萃"
    url = description.find(f"{OPENSEARCH}Url[@type='text/html']")
    assert url.get("template") == "http://testserver/search/?q={searchTerms}"


# Error pages


@pytest.mark.usefixtures("corpus_db")
def test_404_page_is_friendly_and_in_the_site_style(client):
    content = page(client, "/no/such/page/", status=404)
    assert "找不到这个页面" in content
    assert "链接可能有误" in content
    assert 'role="search"' in content
    assert 'href="/static/css/site.css"' in content


def test_404_view_shows_only_our_own_messages(rf: RequestFactory, db):
    request = rf.get("/x/")
    english = views.page_not_found(request, Http404("No Publication matches the given query."))
    assert b"No Publication" not in english.content
    assert "链接可能有误" in english.content.decode()
    resolver = views.page_not_found(request, Http404({"path": "x", "tried": []}))
    assert b"tried" not in resolver.content
    ours = views.page_not_found(request, Http404("没有这一页。"))
    assert "没有这一页。" in ours.content.decode()


def test_500_page_needs_no_database_and_uses_the_stylesheet(rf: RequestFactory):
    # No database fixture: pytest-django fails any query made here.
    response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "服务器出错了" in content
    assert 'href="/static/css/site.css"' in content
    assert_csp_compatible(content)


# Headings, as a pure function


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("一、支部班子,是战斗堡垒发挥作用的核心。", (0, "一、支部班子,是战斗堡垒发挥作用的核心。")),
        ("（二）密切联系群众，为人民服务。", (1, "（二）密切联系群众，为人民服务。")),
        ("(一)宣传和执行党的路线", (1, "(一)宣传和执行党的路线")),
        ("1、搭建平台", (2, "1、搭建平台")),
        ("2. 加强学习", (2, "2. 加强学习")),
        ("一是创建学习型党支部。", (3, "一是创建学习型党支部。")),
        ("三要主动作为、形成合力。", (3, "三要主动作为、形成合力。")),
        ("一、主要做法。" + "正文很长，" * 20, (0, "一、主要做法。")),
        ("二、存在的问题：" + "正文很长，" * 20, (0, "二、存在的问题：")),
        ("一、充分认识基层党组织的地位和作用治国安邦,重在基层;管党兴党,重在基础。", None),
        ("一、短句。又一句。", (0, "一、短句。")),
        ("一、短句，又一句。" + "正文很长，" * 20, None),
        ("4.8万名网格员坚守一线。", None),
        ("1925年中共四大召开。", None),
        ("一些党员积极参加。", None),
        ("建立学习阵地。", None),
        ("", None),
    ],
)
def test_heading_split(paragraph, expected):
    assert heading_split(paragraph) == expected


def test_body_blocks_give_the_outermost_numbering_h2_and_skip_no_level():
    blocks = body_blocks(
        ["引言。", "一、总体要求", "（一）第一点", "正文。", "二、具体做法", "1、细节"]
    )
    assert [block.tag for block in blocks] == ["p", "h2", "h3", "p", "h2", "h4"]
    only_inner = body_blocks(["一是第一点。", "正文。", "二是第二点。"])
    assert [block.tag for block in only_inner] == ["h2", "p", "h2"]


def test_body_blocks_run_in_heading_and_number():
    long_text = "一、主要做法。" + "正文" * 30
    assert body_blocks([long_text]) == [
        Block(tag="p", text="正文" * 30, lead="一、主要做法。", lead_tag="h2")
    ]
    run_on = "二、如何充分发挥作用面对新形势,基层党支部必须充分发挥作用,不断增强凝聚力与创造力。"
    assert body_blocks([run_on]) == [Block(tag="p", text=run_on[2:], lead="二、")]


def test_a_section_whose_heading_cannot_be_told_apart_still_ranks_above_inner_styles():
    run_on = "一、充分认识基层党组织的地位和作用治国安邦,重在基层;管党兴党,重在基础。"
    blocks = body_blocks([run_on, "一是创建学习型党支部。", "正文。", "二是做好队伍建设。"])
    assert blocks == [
        Block(tag="p", text=run_on[2:], lead="一、"),
        Block(tag="p", text="", lead="一是创建学习型党支部。"),
        Block(tag="p", text="正文。"),
        Block(tag="p", text="", lead="二是做好队伍建设。"),
    ]


def test_body_blocks_make_siblings_of_one_style_all_headings_or_none():
    long_point = "三是密切联系群众,做好村民的政治思想工作,最大限度地调动农民群众的积极性和创造性。"
    blocks = body_blocks(["二是加强党员教育与管理。", long_point])
    assert [(block.tag, block.lead) for block in blocks] == [
        ("p", "二是加强党员教育与管理。"),
        ("p", "三是"),
    ]
    assert [block.tag for block in body_blocks(["二是加强党员教育。", "三是联系群众。"])] == [
        "h2",
        "h2",
    ]


def test_run_in_heading_takes_its_level_and_inner_headings_the_next():
    blocks = body_blocks(["一、主要做法。" + "正文" * 30, "（一）第一点", "1、细节"])
    assert [(block.tag, block.lead_tag) for block in blocks] == [
        ("p", "h2"),
        ("h3", ""),
        ("h4", ""),
    ]


# The search page's template


@pytest.mark.usefixtures("corpus_db")
def test_search_page_shows_time_taken_and_removable_filter_chips(client):
    content = page(client, "/search/", {"q": "党支部", "source": "商情", "year": "2020"})
    assert re.search(r"用时 \d+ 毫秒", content)
    chips = re.findall(r'<a class="chip" href="([^"]+)">(.*?)</a>', content)
    assert [(href, re.sub(r"<[^>]+>", "", text)) for href, text in chips] == [
        ("?q=%E5%85%9A%E6%94%AF%E9%83%A8&amp;year=2020", "移除条件：刊物：商情 ×"),
        (
            "?q=%E5%85%9A%E6%94%AF%E9%83%A8&amp;source=%E5%95%86%E6%83%85",
            "移除条件：年份：2020年 ×",
        ),
    ]
    # A new search keeps the filters.
    assert '<input type="hidden" name="source" value="商情">' in content


@pytest.mark.usefixtures("corpus_db")
def test_empty_results_suggest_removing_quotes_and_filters_and_show_the_words(client):
    content = page(client, "/search/", {"q": "“没有这个词”", "source": "商情"})
    assert "找到 0 篇文章" in content
    assert "去掉引号，改为按词检索" in content
    assert 'href="?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D&amp;source=' in content
    assert 'href="?q=%E2%80%9C%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D%E2%80%9D">' in content
    assert "<code>没有</code><code>这个</code><code>词</code>" in content
    assert 'id="facets"' not in content  # no facets to offer for nothing


@pytest.mark.usefixtures("corpus_db")
def test_search_errors_are_explained(client):
    content = page(client, "/search/", {"year": "abc"}, status=400)
    assert 'role="alert"' in content and "年份应为四位数字" in content


@pytest.mark.usefixtures("corpus_db")
def test_results_title_shows_the_query_as_typed_with_its_own_quotes_once(client):
    content = page(client, "/search/", {"q": '"战斗堡垒"'})
    title = re.search(r"<title>(.*?)</title>", content).group(1)
    assert title.startswith("检索结果：&quot;战斗堡垒&quot; · ")
    assert "“&quot;" not in title and "“" not in title


@pytest.mark.usefixtures("corpus_db")
def test_results_heading_is_the_count_alone_and_the_time_taken_stands_beside_it(client):
    content = page(client, "/search/", {"q": "党支部"})
    heading = re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', content, re.S).group(1)
    assert re.fullmatch(r"找到 \d+ 篇文章", heading)
    assert re.search(r'</h2>\s*<p class="elapsed">用时 \d+ 毫秒</p>', content)
