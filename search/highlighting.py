"""Keyword-in-context snippets that mark exactly the matched characters, HTML-escaped."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.folding import fold, fold_with_offsets

CONTEXT_CHARS = 40
MAX_SNIPPETS = 3


def find_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `text` whose folding equals a folded needle.

    Longer needles win where matches overlap, so a phrase is marked whole rather
    than as the words it contains.
    """
    folded = fold(text)
    candidates: list[tuple[int, int]] = []
    for needle in {n for n in needles if n}:
        start = folded.find(needle)
        while start != -1:
            candidates.append((start, start + len(needle)))
            start = folded.find(needle, start + 1)
    if not candidates:
        return []
    # Every character folds to one or more: equal lengths mean one each, and the
    # offsets are the identity (the common case, without a loop over characters).
    offsets = range(len(text)) if len(folded) == len(text) else fold_with_offsets(text)[1]
    candidates.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    spans: list[tuple[int, int]] = []
    last_end = -1
    for start, end in candidates:
        if start < last_end:
            continue
        source_start = offsets[start]
        source_end = offsets[end - 1] + 1
        spans.append((source_start, source_end))
        last_end = end
    return spans


def mark(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """text, escaped, with each span wrapped in <mark>."""
    pieces = []
    position = 0
    for start, end in spans:
        pieces.append(escape(text[position:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def highlight(text: str, needles: list[str]) -> SafeString:
    return mark(text, find_spans(text, needles))


def snippets(
    segments: list[str], needles: list[str], *, limit: int = MAX_SNIPPETS
) -> list[SafeString]:
    """Up to `limit` fragments around matches, taken from the segments in order."""
    fragments: list[SafeString] = []
    for segment in segments:
        spans = find_spans(segment, needles)
        index = 0
        while index < len(spans) and len(fragments) < limit:
            start = max(0, spans[index][0] - CONTEXT_CHARS)
            end = min(len(segment), spans[index][1] + CONTEXT_CHARS)
            inside = [span for span in spans[index:] if span[1] <= end]
            index += len(inside)
            local = [(s - start, e - start) for s, e in inside]
            prefix = "…" if start > 0 else ""
            suffix = "…" if end < len(segment) else ""
            fragments.append(
                mark_safe(escape(prefix) + mark(segment[start:end], local) + escape(suffix))
            )
        if len(fragments) >= limit:
            break
    return fragments
