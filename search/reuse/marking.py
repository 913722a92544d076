"""Texts with their shared spans marked, as the reuse pages show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.reuse.texts import ArticleText

# Characters of context shown on each side of a span in a report.
CONTEXT = 30


def _merged(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, intervals: Iterable[tuple[int, int]], offset: int = 0) -> SafeString:
    """`text` HTML-escaped, the parts in `intervals` (offsets counted from `offset`) in <mark>."""
    pieces, at = [], 0
    for start, end in _merged(intervals):
        start, end = max(start - offset, at), min(end - offset, len(text))
        if start >= end:
            continue
        pieces.append(escape(text[at:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    pieces.append(escape(text[at:]))
    return mark_safe("".join(pieces))


def in_context(text: str, start: int, end: int) -> SafeString:
    """text[start:end] marked, with up to CONTEXT characters either side (… where cut)."""
    left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    html = marked(text[left:right], [(start, end)], offset=left)
    return mark_safe(("…" if left else "") + html + ("…" if right < len(text) else ""))


@dataclass
class MarkedSegment:
    html: SafeString
    paragraph: int | None  # the article page's #pN; None for the fields before the body


def marked_segments(
    article_text: ArticleText, intervals: Iterable[tuple[int, int]]
) -> list[MarkedSegment]:
    """The article's searchable text segment by segment, with the intervals (offsets in the
    whole text) marked."""
    intervals = list(intervals)
    return [
        MarkedSegment(
            html=marked(
                segment,
                [(s, e) for s, e in intervals if s < start + len(segment) and e > start],
                offset=start,
            ),
            paragraph=paragraph,
        )
        for start, segment, paragraph in article_text.segments
    ]
