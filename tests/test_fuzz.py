"""Hostile input: generated queries and parameter sets against the search page and the API,
and articles full of markup that must stay text wherever they are shown.

For every request: never a 5xx, every 4xx says what was wrong, and an answer within
RESPONSE_BOUND seconds (a bound against pathological slowness, not a benchmark).
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article, ArticleKeyword, Keyword, Publication

pytestmark = pytest.mark.usefixtures("corpus_db")

RESPONSE_BOUND = 2.0  # seconds
ENDPOINTS = ("/search/", "/api/search")
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- strategies ---------------------------------------------------------------------------

SYNTAX = [
    "*",
    "?",
    "~",
    "~2",
    "^",
    "^3",
    "[a TO z]",
    "{a TO z}",
    "[",
    "]",
    "(",
    ")",
    "((",
    '"',
    "'",
    "“",
    "”",
    "「",
    "』",
    "＂",
    "AND",
    "OR",
    "NOT",
    "and",
    "|",
    "｜",
    "-",
    "－",
    "--",
    "+",
    "!",
    "&&",
    "||",
    "\\",
    "/",
    ":",
    "：",
    "title:",
    "标题:",
    "author：",
    "source:",
    "来源:",
    "刊物:",
    "TITLE:",
    "text:",
    "id:*",
    "django_id:1",
    "\x00",
    "\x01",
    "\t",
    "\n",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u200b",  # zero-width space
    "\ufeff",
    "\u3000",
    "\ufffd",
    "\U0001f600",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ request }}",
    "{% debug %}",
    "%s",
    "%(x)s",
    "' OR 1=1 --",
]
WORDS = [
    "党",
    "战斗堡垒",
    "基层党组织",
    "組織",
    "层党组织",
    "织战斗堡",
    "三会一课",
    "疫情",
    "商情",
    "杨姿姮",
    "２０２０",
    "MEC",
    "ｍｅｃ",
    "的",
    "了",
    "a",
    "Ⅻ",
    "①",
]
SOURCES = ["商情", "求知", "大东方", "新长征·党建版", "__none__", "不存在的刊物", "商", " 商情 "]
YEARS = [
    "2020",
    "2019",
    "2018-2020",
    "2020-2018",
    "2020-",
    "2020—2021",
    "2019至2020",
    "none",
    "NONE",
    "0",
    "0000",
    "999",
    "1000",
    "2999",
    "3000",
    "9999",
    "-2020",
    "20 20",
    "２０２０",
    "٢٠٢٠",
    "2020.5",
    "1e3",
    "2020-2020-2020",
    "99999999999999999999",
]
PAGES = [
    "1",
    "2",
    "0",
    "-1",
    "10000",
    "10001",
    "999",
    "1.5",
    "1e2",
    "0x10",
    "٣",
    "１",
    " 1 ",
    "99" * 20,
]
SORTS = ["relevance", "newest", "oldest", "title", "RELEVANCE", "", "-newest", "newest,oldest"]

token = st.one_of(st.sampled_from(SYNTAX), st.sampled_from(WORDS), st.text(max_size=12))
queries = st.one_of(
    st.text(max_size=300),
    st.lists(token, max_size=40).map(" ".join),
    st.lists(token, max_size=40).map("".join),
)
junk = st.one_of(st.text(max_size=40), st.integers().map(str), st.floats().map(str))


def param(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(known), junk)


hostile_parameter_sets = st.fixed_dictionaries(
    {},
    optional={
        "q": queries,
        "source": param(SOURCES),
        "year": param(YEARS),
        "page": st.one_of(param(PAGES), st.integers(-(10**30), 10**30).map(str)),
        "sort": param(SORTS),
        "unknown": junk,
    },
)
# Valid filters, so that the search itself (not only validation) runs with odd queries.
plausible_parameter_sets = st.fixed_dictionaries(
    {"q": st.one_of(st.sampled_from(WORDS), queries)},
    optional={
        "source": st.sampled_from(SOURCES),
        "year": st.sampled_from(YEARS[:8]),
        "page": st.sampled_from(["1", "2"]),
        "sort": st.sampled_from(SORTS[:3]),
    },
)
parameter_sets = st.one_of(hostile_parameter_sets, plausible_parameter_sets)

# Raw query strings, percent-encoded by hand: invalid UTF-8 (encoded lone surrogates,
# overlong forms, truncated sequences), NUL bytes, malformed escapes and repeated keys.
RAW_BYTES = [
    b"\xed\xa0\x80",  # lone high surrogate U+D800, as CESU-8
    b"\xed\xbf\xbf",  # lone low surrogate U+DFFF
    b"\xed\xa0\xbd\xed\xb8\x80",  # a surrogate pair encoded separately
    b"\xc0\xaf",  # overlong "/"
    b"\xc0\x80",  # overlong NUL
    b"\xe6\x88",  # truncated 3-byte sequence
    b"\xff\xfe",
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\x00",
    b"\xe2\x80\x8f",  # RTL mark
]
MALFORMED = ["%", "%%", "%zz", "%e", "&", "&&", "=", "==", ";", "+", "q", "q=", "=x", "%26", "%3D"]
raw_piece = st.one_of(
    st.sampled_from(RAW_BYTES).map(lambda b: quote_from_bytes(b, safe="")),
    st.binary(max_size=12).map(lambda b: quote_from_bytes(b, safe="")),
    st.one_of(queries, st.sampled_from(SYNTAX + WORDS)).map(
        lambda s: quote(s, safe="", errors="surrogatepass")
    ),
    st.sampled_from(MALFORMED),
)
raw_value = st.lists(raw_piece, max_size=12).map("".join)
raw_query_strings = st.lists(
    st.tuples(st.sampled_from(["q", "q", "source", "year", "page", "sort", "x", ""]), raw_value),
    min_size=1,
    max_size=6,
).map(lambda pairs: "&".join(f"{key}={value}" for key, value in pairs))

long_queries = st.builds(
    lambda unit, length, quoted: (f'"{unit * length}"' if quoted else unit * length)[:length],
    st.one_of(st.sampled_from(["党", "战斗堡垒 ", "a ", "(", '"', "OR ", "-", "\u200f"]), token),
    st.integers(min_value=200, max_value=10_000),
    st.booleans(),
).filter(bool)

# -- checks -------------------------------------------------------------------------------

_HTML_MESSAGE = re.compile(
    r'<p class="(?:notice error|error-reason)"[^>]*>\s*([^<\s][^<]*?)\s*</p>', re.S
)


def fetch(client, path: str, params: dict | None = None):
    started = time.perf_counter()
    response = client.get(path, params) if params is not None else client.get(path)
    elapsed = time.perf_counter() - started
    where = f"{path} {params!r}"
    assert response.status_code < 500, f"{response.status_code} for {where}"
    assert elapsed < RESPONSE_BOUND, f"{elapsed:.2f} s for {where}"
    if response.status_code >= 400:
        assert_has_message(response, where)
    elif path.startswith("/api/search"):
        data = response.json()
        assert isinstance(data["count"], int) and data["count"] >= 0
        assert len(data["results"]) <= data["count"]
    return response


def assert_has_message(response, where: str) -> None:
    if response["Content-Type"].startswith("application/json"):
        message = response.json().get("error")
        assert isinstance(message, str) and message.strip(), f"no error message for {where}"
    else:
        content = response.content.decode()
        assert _HTML_MESSAGE.search(content), f"{response.status_code} without message: {where}"


def search_both(client, params: dict) -> None:
    for path in ENDPOINTS:
        fetch(client, path, params)


# -- the fuzz tests -------------------------------------------------------------------------


@settings(FUZZ, max_examples=200)
@given(q=queries)
def test_arbitrary_queries_never_fail(client, q):
    search_both(client, {"q": q})


@settings(FUZZ, max_examples=200)
@given(params=parameter_sets)
def test_arbitrary_parameter_sets_never_fail(client, params):
    search_both(client, params)


@settings(FUZZ, max_examples=150)
@given(query_string=raw_query_strings)
def test_raw_query_strings_with_invalid_utf8_never_fail(client, query_string):
    for path in ENDPOINTS:
        fetch(client, f"{path}?{query_string}")


@settings(FUZZ, max_examples=50)
@given(q=long_queries, page=st.sampled_from([None, "1", "2"]))
def test_long_queries_are_refused_or_answered_quickly(client, q, page):
    params = {"q": q} if page is None else {"q": q, "page": page}
    search_both(client, params)


def test_reflected_query_is_escaped(client):
    q = '"><img src=x onerror=alert(1)><script>alert(1)</script>{{ request }}'
    for params in ({"q": q}, {"q": q, "year": "abc"}, {"q": q * 40}):
        content = fetch(client, "/search/", params).content.decode()
        assert "<img src=x" not in content
        assert "<script>alert" not in content


# -- markup in articles stays text ----------------------------------------------------------

HOSTILE_TITLE = "惰性标题<script>alert('title')</script><img src=x onerror=alert(1)>{{ x }}"
HOSTILE_BODY = "\n".join(
    [
        "惰性正文开头<script>alert('body')</script>结束。",
        '链接<a href="javascript:alert(2)">点我</a>以及javascript:alert(3)。',
        "<img src=x onerror=alert(4)><svg onload=alert(5)></svg>",
        "模板{{ x }}{{ request.META }}{% if 1 %}条件{% endif %}{% debug %}{# 注释 #}。",
        "<style>body{display:none}</style><iframe src=//example.org></iframe>",
    ]
)
HOSTILE_KEYWORD = "<b onmouseover=alert(6)>关键词</b>{{ x }}"
HOSTILE_PUBLICATION = "<i>刊物</i>{% if 1 %}"
HOSTILE_ISSUE = '2021年第3期"><u onclick=alert(7)>'  # an attribute breakout
FORBIDDEN = [
    "<script>alert",
    "<img src=x",
    "<svg onload",
    "<iframe",
    "<style>body",
    "<b onmouseover",
    "<i>刊物",
    "<u onclick",
    'href="javascript:',
    "href='javascript:",
]


def assert_inert(content: str, where: str, shown: str = "&lt;script&gt;") -> None:
    for needle in FORBIDDEN:
        assert needle not in content, f"{needle!r} unescaped in {where}"
    assert shown in content, f"the markup is not shown as text in {where}"


@pytest.fixture
def hostile_article(engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publication = Publication.objects.create(name=HOSTILE_PUBLICATION)
        article = Article.objects.create(
            title=HOSTILE_TITLE,
            author="作者<script>alert('author')</script>",
            abstract="惰性摘要<script>alert('abstract')</script>",
            body=HOSTILE_BODY,
            publication=publication,
            issue_label=HOSTILE_ISSUE,
            year=2021,
            month=3,
        )
        keyword = Keyword.objects.create(name=HOSTILE_KEYWORD)
        ArticleKeyword.objects.create(article=article, keyword=keyword, position=0)
    return article


def test_markup_in_an_article_is_inert_everywhere(client, hostile_article):
    article = hostile_article
    publication_url = article.publication.get_absolute_url()
    keyword_url = Keyword.objects.get(name=HOSTILE_KEYWORD).get_absolute_url()
    shown_publication = "&lt;i&gt;刊物&lt;/i&gt;"
    pages = {
        "search": ("/search/", {"q": "惰性"}, "&lt;script&gt;"),
        "search phrase": ("/search/", {"q": '"<script>"'}, "&lt;script&gt;"),
        "search filtered": (
            "/search/",
            {"q": "惰性", "source": HOSTILE_PUBLICATION},
            shown_publication,
        ),
        "article": (article.get_absolute_url(), {"hl": "<script>"}, "&lt;script&gt;"),
        "home": ("/", {}, "&lt;script&gt;"),
        "sources": ("/sources/", {}, shown_publication),
        "publication": (publication_url, {}, "&lt;u onclick"),
        "publication issue": (publication_url, {"issue": HOSTILE_ISSUE}, "&lt;u onclick"),
        "keyword": (keyword_url, {}, "&lt;b onmouseover"),
        "year": ("/years/2021/", {}, "&lt;script&gt;"),
    }
    for where, (path, params, shown) in pages.items():
        response = fetch(client, path, params)
        assert response.status_code == 200, where
        assert_inert(response.content.decode(), where, shown)

    detail = client.get(article.get_absolute_url()).content.decode()
    # Template syntax in an article is shown as typed, never evaluated.
    assert "{{ request.META }}" in detail
    assert "{% if 1 %}条件{% endif %}" in detail
    assert django_settings.SECRET_KEY not in detail

    data = fetch(client, "/api/search", {"q": "惰性"}).json()
    assert data["count"] == 1
    (hit,) = data["results"]
    assert hit["title"] == HOSTILE_TITLE  # JSON carries the text as it is...
    for html in [hit["title_html"], *hit["snippets"]]:  # ...and its HTML fields escaped
        for needle in FORBIDDEN:
            assert needle not in html
    assert any("&lt;script&gt;" in html for html in [hit["title_html"], *hit["snippets"]])
    record = fetch(client, f"/api/articles/{article.pk}").json()
    assert record["title"] == HOSTILE_TITLE


@pytest.mark.parametrize("kind", ["latest", "publication"])
def test_markup_in_an_article_is_inert_in_feeds(client, hostile_article, kind):
    path = (
        "/feeds/latest/"
        if kind == "latest"
        else f"/feeds/sources/{quote(HOSTILE_PUBLICATION, safe='')}/"
    )
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # well-formed whatever the article contains
    atom = "{http://www.w3.org/2005/Atom}"
    entries = [
        entry
        for entry in root.iter(f"{atom}entry")
        if urlsplit(entry.find(f"{atom}link").get("href")).path
        == hostile_article.get_absolute_url()
    ]
    assert len(entries) == 1
    entry = entries[0]
    assert not [element for element in root.iter() if element.tag.endswith("script")]
    assert entry.find(f"{atom}title").text == HOSTILE_TITLE  # plain text, escaped as XML
    summary = entry.find(f"{atom}summary")
    # A feed reader renders an HTML summary: the article's markup must arrive escaped.
    html = summary.text or ""
    if summary.get("type") == "html":
        for needle in FORBIDDEN:
            assert needle not in html
        assert "&lt;script&gt;" in html
