"""The interface in Chinese and English: the language a browser asks for, the switch on every
page, English pages with the articles left as written, caches kept apart by language, and
the English catalogue complete and compiled."""

from __future__ import annotations

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from archive.models import Article, Keyword
from archive.text import has_cjk

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
ENGLISH = {"accept-language": "en-US,en;q=0.9"}
CHINESE = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}


def get(client, url, headers=None, params=None, status=200) -> str:
    response = client.get(url, params or {}, headers=headers or {})
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def html_lang(content: str) -> str:
    return re.search(r'<html lang="([^"]+)">', content).group(1)


def shangqing_article() -> Article:
    return Article.objects.get(author="杨姿姮")


# The language a browser asks for


@pytest.mark.usefixtures("corpus_db")
def test_without_a_preference_the_interface_is_chinese(client):
    response = client.get("/")
    content = response.content.decode()
    assert html_lang(content) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"
    assert "检索文萃" in content and ">刊物</a>" in content


@pytest.mark.usefixtures("corpus_db")
def test_a_browser_asking_for_chinese_gets_chinese(client):
    content = get(client, "/", CHINESE)
    assert html_lang(content) == "zh-hans"
    assert "检索文萃" in content


@pytest.mark.usefixtures("corpus_db")
def test_an_english_browser_gets_the_interface_in_english(client):
    response = client.get("/", headers=ENGLISH)
    content = response.content.decode()
    assert html_lang(content) == "en"
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    assert "<title>Home · Wencui: a searchable archive of Chinese articles</title>" in content
    assert '<h1 id="hero-heading">Search Wencui</h1>' in content
    assert ">Publications</a>" in content and ">Years</a>" in content
    assert "18 articles in the archive." in content
    assert 'placeholder="Words, or a phrase in quotes' in content
    assert "检索文萃" not in content


@pytest.mark.usefixtures("corpus_db")
def test_english_counts_are_singular_or_plural(client):
    content = get(client, "/sources/", ENGLISH)
    assert re.search(r"《商情》</a> <span class=\"count\">2 articles</span>", content)
    assert re.search(r"</a> <span class=\"count\">1 article</span>", content)


@pytest.mark.usefixtures("corpus_db")
def test_an_english_404_explains_in_english(client):
    content = get(client, "/articles/999999/", ENGLISH, status=404)
    assert "There is no such article; it may have been removed." in content
    assert "This page cannot be found" in content


@pytest.mark.usefixtures("corpus_db")
def test_dates_are_written_the_interface_languages_way(client):
    article = Article.objects.create(title="日期测试", body="正文", year=2020, month=3, day=5)
    assert "2020年3月5日" in get(client, article.get_absolute_url())
    english = get(client, article.get_absolute_url(), ENGLISH)
    assert ">March 5, 2020</a>" in english
    assert ">2020</a>" in get(client, "/years/", ENGLISH)


# The switch


SWITCH = re.compile(
    r'<form class="language-switch" action="/i18n/setlang/" method="post" '
    r'aria-label="([^"]+)"><input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">\s*'
    r'<input type="hidden" name="next" value="([^"]*)">\s*'
    r'<button type="submit" name="language" value="([^"]+)" lang="[^"]+">([^<]+)</button>\s*</form>'
)


@pytest.mark.usefixtures("corpus_db")
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?sort=oldest",
        "/sources/",
        "/sources/%E5%95%86%E6%83%85/?issue=2020%E5%B9%B4%E7%AC%AC36%E6%9C%9F",
        "/years/2020/",
        "/keywords/",
        "/search/?q=%E5%A0%A1%E5%9E%92",
        "/no/such/page/",
    ],
)
def test_every_page_offers_the_other_language_and_comes_back_to_itself(client, url):
    response = client.get(url)
    chinese = SWITCH.search(response.content.decode())
    assert chinese, url
    label, next_url, language, name = chinese.groups()
    assert (label, language, name) == ("界面语言", "en", "English")
    assert next_url == url.replace("&", "&amp;")
    english = SWITCH.search(get(client, url, ENGLISH, status=response.status_code))
    assert english.group(1, 3, 4) == ("Interface language", "zh-hans", "简体中文")


@pytest.mark.usefixtures("corpus_db")
def test_the_switch_sets_the_language_cookie_and_returns_to_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/sources/?sort=name"})
    assert response.status_code == 302
    assert response["Location"] == "/sources/?sort=name"
    assert response.cookies["django_language"].value == "en"
    # The reader's choice outweighs what the browser asks for.
    content = get(client, "/sources/?sort=name", CHINESE)
    assert html_lang(content) == "en" and "Browse by publication" in content
    back = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/sources/?sort=name"})
    assert back.cookies["django_language"].value == "zh-hans"
    assert html_lang(get(client, "/sources/?sort=name", ENGLISH)) == "zh-hans"


@pytest.mark.usefixtures("corpus_db")
def test_the_switch_sends_no_one_to_another_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://example.com/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


# English pages: the interface in English, the articles as written


class TextOutsideChinese(HTMLParser):
    """The text of a page's body that is not inside an element marked as Chinese."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # for each open element: is its text Chinese?
        self.in_body = False
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        inherited = self.stack[-1] if self.stack else False
        self.stack.append(lang.lower().startswith("zh") if lang else inherited)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_body and not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(data.strip())


def english_text(content: str) -> list[str]:
    parser = TextOutsideChinese()
    parser.feed(content)
    return parser.texts


@pytest.mark.usefixtures("corpus_db")
def test_english_pages_have_no_chinese_outside_the_texts_marked_chinese(client):
    Article.objects.create(title="无出处的文章", body="正文。")
    urls = [
        "/",
        "/sources/",
        "/sources/商情/",
        "/sources/商情/?issue=2020年第36期",
        "/years/",
        "/years/2020/",
        "/keywords/",
        Keyword.objects.get(name="战斗堡垒").get_absolute_url(),
        *(article.get_absolute_url() for article in Article.objects.all()),
    ]
    for url in urls:
        chinese = [text for text in english_text(get(client, url, ENGLISH)) if has_cjk(text)]
        assert not chinese, (url, chinese)
    missing = get(client, "/articles/999999/", ENGLISH, status=404)
    assert not [text for text in english_text(missing) if has_cjk(text)]


@pytest.mark.usefixtures("corpus_db")
def test_articles_stay_as_written_in_the_english_interface(client):
    article = shangqing_article()
    content = get(client, article.get_absolute_url(), ENGLISH)
    assert f'<h1 id="article-title" lang="zh-Hans">{article.title}</h1>' in content
    assert f'<p lang="zh-Hans">{article.abstract}</p>' in content
    body = re.search(r'<div class="body" lang="zh-Hans">(.*?)\n  </div>', content, re.S).group(1)
    for paragraph in article.paragraphs:
        assert re.sub(r"^[一二三四五六七八九十]+[、是]", "", paragraph.strip()) in body
    assert "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36)." in content
    assert "<dt>Author</dt>" in content and ">Cite this article</h2>" in content


# Cached parts of pages


@pytest.mark.usefixtures("corpus_db")
def test_cached_results_are_never_served_in_the_other_language(client):
    nothing = {"q": "“没有这个词”"}
    assert "没有找到符合条件的文章" in get(client, "/search/", params=nothing)
    english = get(client, "/search/", ENGLISH, params=nothing)
    assert "No article matches" in english and "没有找到符合条件的文章" not in english
    found = {"q": "党支部"}
    assert '<h2 id="facet-source">刊物</h2>' in get(client, "/search/", params=found)
    english = get(client, "/search/", ENGLISH, params=found)
    assert '<h2 id="facet-source">Publication</h2>' in english
    assert ">Publication not given</a>" in english and "未注明刊物" not in english
    assert '<h2 id="facet-source">刊物</h2>' in get(client, "/search/", CHINESE, params=found)


# The catalogue


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr or msgstr[n], flags.
    Obsolete entries (#~) are left out, as msgfmt leaves them out."""
    entries: list[dict] = []
    entry: dict = {}
    field = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, field = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, value = line.split(" ", 1)
            entry[field] = ast.literal_eval(value)
    return entries


def test_every_string_has_an_english_translation_and_none_is_fuzzy():
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 150
    for entry in entries:
        assert "fuzzy" not in entry.get("flags", set()), entry
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        assert translations and all(translations), entry
        if entry["msgid"]:
            assert not any(has_cjk(re.sub(r"《[^》]*》|“[^”]*”", "", t)) for t in translations), (
                entry
            )


def test_the_compiled_catalogue_is_the_po_file_compiled():
    """Compiling again would change nothing: the .mo holds exactly the .po's translations."""
    expected = {}
    for entry in read_po(LOCALE / "django.po"):
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            for name, value in entry.items():
                if name.startswith("msgstr["):
                    expected[(key, int(name[7:-1]))] = value
        else:
            expected[key] = entry["msgstr"]
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    # msgfmt leaves the header's POT-Creation-Date out; the header is checked by what it says.
    assert catalogue.info()["language"] == "en"
    assert catalogue.ngettext("共 %(n)s 篇", "共 %(n)s 篇", 1) == "%(n)s article"
    assert {k: v for k, v in catalogue._catalog.items() if k != ""} == {
        k: v for k, v in expected.items() if k != ""
    }


TRANSLATE = re.compile(r"""\{% translate (["'])(.*?)\1(?: context (["'])(.*?)\3)? %\}""")
BLOCK = re.compile(
    r"\{% blocktranslate(?P<head>[^%]*)%\}(?P<one>.*?)"
    r"(?:\{% plural %\}(?P<many>.*?))?\{% endblocktranslate %\}",
    re.S,
)
PYTHON = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*("[^"\n]*")\s*\)"""
    r"""|\bpgettext(?:_lazy)?\(\s*("[^"\n]*"),\s*("[^"\n]*")\s*\)"""
)


def interface_strings() -> set[tuple[str, str]]:
    """(context, msgid) of the strings that templates and code mark for translation in the
    simple, literal ways; makemessages finds these and more."""
    found = set()
    for path in (BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in TRANSLATE.finditer(text):
            found.add((match.group(4) or "", match.group(2)))
        for match in BLOCK.finditer(text):
            context = re.search(r'context "([^"]*)"', match["head"])
            msgid = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", match["one"])
            found.add((context.group(1) if context else "", msgid))
    for app in ("archive", "search", "config"):
        for path in (BASE_DIR / app).rglob("*.py"):
            for match in PYTHON.finditer(path.read_text(encoding="utf-8")):
                if match.group(1):
                    found.add(("", ast.literal_eval(match.group(1))))
                else:
                    found.add((ast.literal_eval(match.group(2)), ast.literal_eval(match.group(3))))
    return found


def test_every_interface_string_is_in_the_english_catalogue():
    catalogue = {
        (entry.get("msgctxt", ""), entry["msgid"]) for entry in read_po(LOCALE / "django.po")
    }
    strings = interface_strings()
    assert len(strings) > 150
    missing = sorted(strings - catalogue)
    assert not missing, f"not yet in English (make messages, then translate them): {missing}"
