"""Titles as pages and files give them: without the name of the site they come from."""

from __future__ import annotations

import re

from archive.text import squeeze, strip_space

# What a site, a paper or one of its sections calls itself: 新华网, 人民日报, 新闻频道, X客户端.
SITE_ENDINGS = ("网", "报", "网站", "频道", "客户端", "新闻", "平台", "公众号")
# A site suffix is a name, not a clause: longer tails are part of the title.
MAX_SITE_CHARS = 20
# Separators pages put between the title and the site: " - ", "_", "|", "｜", "–", one "—"
# ("——" opens a subtitle and is left alone), runs of them ("--", "__").
_SUFFIX = re.compile(r"\s*(?:[-_|｜–]+|(?<!—)—(?!—))\s*(?P<site>[^-_|｜–—]+?)\s*$")
# A trailing domain in brackets, as some sites write their name: 央视网(cctv.com).
_DOMAIN_NOTE = re.compile(r"\s*[（(][\w.-]+\.[a-z]{2,}[）)]$", re.IGNORECASE)
_TRAILING_SEPARATOR = re.compile(r"\s*[-_|｜–]+$")
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


def _names_site(part: str, site: str) -> bool:
    part = _DOMAIN_NOTE.sub("", part)
    if not part or len(part) > MAX_SITE_CHARS:
        return False
    if site and squeeze(part) == squeeze(site):
        return True
    return part.endswith(SITE_ENDINGS) or _DOMAIN.match(part) is not None


def split_site_suffix(title: str, site: str = "") -> tuple[str, str]:
    """(title, site name) of a page title such as "标题 - 新华网"; the name is "" if none.

    Suffixes are removed from the end as long as each names a site, so that "标题_新闻频道_
    央视网" loses both; the title itself is never removed entirely.
    """
    title = strip_space(title)
    # A separator left at the end by a site name that was cut off already.
    title = _TRAILING_SEPARATOR.sub("", title) or title
    named = ""
    while True:
        match = _SUFFIX.search(title)
        if match is None or not _names_site(match.group("site"), site):
            return title, named
        rest = strip_space(title[: match.start()])
        if not rest:
            return title, named
        # The outermost name is the site; inner ones are its sections (新闻频道).
        named = named or _DOMAIN_NOTE.sub("", match.group("site"))
        title = rest


def strip_site_suffix(title: str, site: str = "") -> str:
    """The title without a trailing site name: "标题 - 新华网" -> "标题".

    A trailing part after - _ | – or — names a site when it ends like a site's name (网, 报,
    网站, 频道, 客户端, 新闻, 平台, 公众号), is a domain, or is the page's own site name.
    """
    return split_site_suffix(title, site)[0]
