"""Noise in texts of printed or scraped origin: page headers and numbers, site boilerplate.

One place for these rules: the compilation parser and the one-article layout both use them.
"""

from __future__ import annotations

import re

from archive.ingest.base import (
    REASON_PAGE_FURNITURE,
    REASON_PAGE_MARKER,
    REASON_SITE_NOTICE,
    REASON_SITE_TEASER,
)
from archive.text import CJK as _CJK

# Sentence terminators used to cut a line into sentences (closing quotes stay with their sentence).
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”\"」』）)]*|[^。！？!?]+")
_HAS_WORD = re.compile(r"\w")
# Whole lines that are page numbers of the printed/scanned document.
PAGE_NUMBER_LINE = re.compile(
    r"^(?:[-—–_\s]*\d{1,4}[-—–_\s]*|第\s*\d{1,4}\s*页(?:\s*[/,，]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4})$"
)


# "962018.12MEC 企业党建MODERNENTERPRISECULTURE": page, year.month, journal code, column, English
# journal name in capitals. Only the page+year+month core is required; the rest is optional.
_HEADER_DOTTED = re.compile(
    rf"^(?:[{_CJK}]{{2,6}}\s*)?(?P<page>\d{{1,3}})\s*(?P<year>(?:19|20)\d{{2}})\s*[.．]\s*"
    r"(?P<month>1[0-2]|0?[1-9])(?!\d)"
    r"(?:\s*[A-Z]{2,10})?"
    rf"(?:\s*[{_CJK}]{{2,8}}\s*(?=[A-Z]{{6,}}))?"
    r"(?:\s*[A-Z][A-Z ]{4,}[A-Z])?\s*"
)
# "党课492020年 第3期 上 / 总第887期": optional column, page, year, issue, half, running number.
_HEADER_ISSUE = re.compile(
    rf"^(?:[{_CJK}]{{1,6}}\s*)?(?P<page>\d{{1,3}})?\s*(?P<year>(?:19|20)\d{{2}})\s*年\s*"
    r"第\s*\d{1,3}\s*期"
    r"(?:\s*[上中下](?:半月|旬)?(?=\s|[/／]))?"
    r"(?P<total>\s*[/／]?\s*总\s*第\s*\d{1,5}\s*期)?\s*"
)
# "防汛1/ 3工作": a page counter pasted into the text (a fraction would have no spaces).
PAGE_MARKER = re.compile(
    rf"(?<=[{_CJK}])\s*\d{{1,3}}(?:\s*[/／]\s+|\s+[/／]\s*)\d{{1,3}}\s*(?=[{_CJK}])"
)

# The same counter glued to the start or the end of a paragraph ("2/ 4各级党组织…").
_COUNTER = r"\d{1,3}(?:\s*[/／]\s+|\s+[/／]\s*)\d{1,3}"
PAGE_MARKER_AT_START = re.compile(rf"^{_COUNTER}\s*(?=[{_CJK}])")
PAGE_MARKER_AT_END = re.compile(rf"(?<=[{_CJK}。！？”])\s*{_COUNTER}$")

# Document-site boilerplate, matched per sentence: patterns of the sites, not of any article.
_BOILERPLATE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"下载文档前请?自行甄别"), REASON_SITE_NOTICE),
    (re.compile(r"仅部分预览.{0,3}的文档"), REASON_SITE_NOTICE),
    (
        re.compile(r"文档侵犯您的权益|侵犯了?您的(?:合法)?权益.{0,12}(?:联系|删除)"),
        REASON_SITE_NOTICE,
    ),
    (re.compile(r"人工客服工作时间"), REASON_SITE_NOTICE),
    (re.compile(r"(?:本|此)文档.{0,6}下载后.{0,10}编辑"), REASON_SITE_NOTICE),
    (re.compile(r"(?:来源于|转载自)网络.{0,20}(?:侵权|删除)"), REASON_SITE_NOTICE),
    (re.compile(r"仅供(?:学习|参考)(?:与|和)?交流.{0,20}(?:侵权|删除)"), REASON_SITE_NOTICE),
    (re.compile(r"凝一滴雨露.{0,3}聆听花的微笑"), REASON_SITE_NOTICE),
    (
        re.compile(r"小编.{0,40}?(?:给大家|为大家|给您|为您|整理|带来|分享|收集)"),
        REASON_SITE_TEASER,
    ),
)


# Whole lines that are the buttons and navigation of a web page or a WeChat post, copied
# along with the text: they are never an article's words.
_PAGE_FURNITURE = re.compile(
    r"^[【\[［]?\s*(?:"
    r"字体[:：]?\s*[大中小\s]+|字号[:：]?\s*[大中小\s]+|打印(?:本页|此页|文章|本文)?|关闭(?:本页|窗口)"
    r"|返回(?:顶部|首页|列表|上一页)|分享到[:：]?.{0,30}|(?:微信)?扫一扫.{0,24}"
    r"|上一篇[:：].*|下一篇[:：].*|相关(?:阅读|新闻|文章|链接)[:：]?|版权所有.{0,60}"
    r"|.{0,40}ICP备\s*\d+\s*号.{0,40}|阅读原文|轻触阅读原文|写留言|留言|在看|点赞|分享|收藏"
    r"|预览时标签不可点|喜欢此内容的人还喜欢|继续滑动看下一个|向上滑动看下一个"
    r"|长按.{0,12}(?:二维码|识别|关注).{0,12}|点击.{0,8}关注.{0,12}|阅读\s*\d+(?:\.\d+)?\s*[万wW]?\+?"
    r")\s*[】\]］]?$"
)
MAX_FURNITURE_CHARS = 80


def match_page_header(text: str) -> tuple[int, int, int | None] | None:
    """(length of the header, year, month) if the text starts with a printed page header."""
    m = _HEADER_DOTTED.match(text)
    if m:
        return m.end(), int(m.group("year")), int(m.group("month"))
    m = _HEADER_ISSUE.match(text)
    # Without a page number or running number this could be ordinary text ("2020年第3期…").
    if m and (m.group("page") or m.group("total")):
        return m.end(), int(m.group("year")), None
    return None


def remove_boilerplate(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove boilerplate sentences; returns (kept text, [(fragment, reason)])."""
    if not any(p.search(text) for p, _ in _BOILERPLATE):
        return text, []
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for sentence in _SENTENCE.findall(text):
        reason = next((r for p, r in _BOILERPLATE if p.search(sentence)), None)
        if reason:
            removed.append((sentence, reason))
        else:
            kept.append(sentence)
    rest = "".join(kept).strip()
    if not _HAS_WORD.search(rest):
        # Only punctuation left (e.g. the ")。" after a "!" inside brackets): the whole line goes.
        return "", [(text, removed[0][1])]
    return rest, removed


def whole_line_noise(s: str) -> str | None:
    """Reason if the (stripped) line is nothing but noise, else None."""
    if PAGE_NUMBER_LINE.match(s):
        return REASON_PAGE_MARKER
    if len(s) <= MAX_FURNITURE_CHARS and _PAGE_FURNITURE.match(s):
        return REASON_PAGE_FURNITURE
    kept, removed = remove_boilerplate(s)
    if not kept and removed:
        return removed[0][1]
    return None
