"""Section headings in an article body, recognised by the numbering Chinese writing uses.

A short paragraph that starts like "一、", "（一）", "1、" or "一是" and is one sentence
is a heading. A longer one whose numbered first sentence ends early (at 。；：？！)
starts with a run-in heading: only that sentence is the heading. Where the heading runs
into the text without punctuation ("一、充分认识……的地位和作用治国安邦,重在基层；"),
the end of the heading cannot be told reliably, so the paragraph stays a paragraph.

Levels follow the numbering, not which styles happen to make headings: every numbered
paragraph counts, so that "一是" under "一、" sections is never put level with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.text import NUMERALS, split_heading

_NUMERAL = f"[{NUMERALS[:-1]}]{{1,3}}"
# Numbering styles from the outermost to the innermost, as in Chinese official writing.
_RANKS = [
    re.compile(rf"^{_NUMERAL}、"),  # 一、
    re.compile(rf"^[（(]{_NUMERAL}[)）]"),  # （一）
    re.compile(r"^\d{1,2}(?:、|[.．](?!\d))|^[（(]\d{1,2}[)）]"),  # 1、 1. （1）
    re.compile(rf"^{_NUMERAL}[是要](?![的个])"),  # 一是 一要
]
MAX_HEADING_CHARS = 40
_STOPS = "。！？；：!?;:"
_PAUSES = "，,"


@dataclass(frozen=True)
class Block:
    """A piece of the body: a heading (tag h2–h4) or a paragraph (tag p), which may
    start with a run-in heading or just its number (`lead`); a run-in heading that is a
    heading of the article's outline has its level in `lead_tag` (h2–h4)."""

    tag: str
    text: str
    lead: str = ""
    lead_tag: str = ""


def numbering_rank(paragraph: str) -> int | None:
    """0 for "一、", 1 for "（一）", 2 for "1、", 3 for "一是"; None if not numbered."""
    for rank, pattern in enumerate(_RANKS):
        if pattern.match(paragraph):
            return rank
    return None


def numbering_match(paragraph: str) -> str:
    """The numbering the paragraph starts with ("一、", "（一）", "一是"), or ""."""
    for pattern in _RANKS:
        match = pattern.match(paragraph)
        if match:
            return match.group()
    return ""


def _first_mark(text: str) -> int | None:
    """Index of the first stop or comma in text, None if it has neither."""
    for index, char in enumerate(text):
        if char in _STOPS or char in _PAUSES:
            return index
    return None


def heading_split(paragraph: str) -> tuple[int, str] | None:
    """(rank, heading) if the paragraph is or starts with a numbered heading, else None.

    The heading is the whole paragraph when it is short and a single sentence, else
    its first sentence when that ends early, before any comma.
    """
    text = paragraph.strip()
    rank = numbering_rank(text)
    if rank is None:
        return None
    inner = text.rstrip(_STOPS)
    if len(text) <= MAX_HEADING_CHARS and not any(char in _STOPS for char in inner):
        return rank, text
    number_end = _RANKS[rank].match(text).end()
    end = _first_mark(text[number_end:])
    if end is None:
        return None
    end += number_end
    if text[end] in _STOPS and end < MAX_HEADING_CHARS and end > number_end:
        return rank, text[: end + 1]
    return None


def heading_tags(texts: list[str]) -> dict[int, str]:
    """The tag (h2–h4) of each numbering style whose paragraphs are headings.

    Styles take levels from the outermost in, as the numbering ranks them. A style is
    headings only if every paragraph numbered in it has a heading that can be told apart
    (a whole or a run-in one): siblings are all headings or none. Once a style is not,
    no inner style is either, since its headings would stand level with the sections
    they belong to, or below a level that is missing.
    """
    ranks: dict[int, bool] = {}
    for text in texts:
        rank = numbering_rank(text)
        if rank is not None:
            ranks[rank] = ranks.get(rank, True) and heading_split(text) is not None
    tags: dict[int, str] = {}
    for rank in sorted(ranks):
        if not ranks[rank]:
            break
        tags[rank] = f"h{min(2 + len(tags), 4)}"
    return tags


def body_blocks(paragraphs: list[str]) -> list[Block]:
    """The paragraphs as blocks, headings at h2–h4: headings the source marked ("## …", as
    Markdown and Word headings are stored) if it marked any, else the numbered ones, at
    the levels heading_tags gives. A numbered paragraph that is not a heading keeps its
    heading, or number, as a lead that stands out."""
    marked = [split_heading(paragraph.strip()) for paragraph in paragraphs]
    if any(marked):
        levels = sorted({mark[0] for mark in marked if mark})
        tags = {level: f"h{min(2 + rank, 4)}" for rank, level in enumerate(levels)}
        return [
            Block(tag=tags[mark[0]], text=mark[1]) if mark else Block(tag="p", text=text.strip())
            for mark, text in zip(marked, paragraphs, strict=True)
        ]
    texts = [paragraph.strip() for paragraph in paragraphs]
    tags = heading_tags(texts)
    blocks = []
    for text in texts:
        split = heading_split(text)
        if split is None:
            # Not numbered, or a heading that cannot be told apart: its number stands out.
            number = numbering_match(text)
            blocks.append(Block(tag="p", text=text[len(number) :], lead=number))
            continue
        rank, heading = split
        tag = tags.get(rank, "")
        if heading != text:
            blocks.append(Block(tag="p", text=text[len(heading) :], lead=heading, lead_tag=tag))
        elif tag:
            blocks.append(Block(tag=tag, text=text))
        else:
            blocks.append(Block(tag="p", text="", lead=text))
    return blocks
