"""Paragraphs out of a text field: where a line break ends a paragraph and where it does not.

Text in a table cell or a JSON field arrives with its line breaks as the source left them,
and those breaks mean different things:

* Most texts separate paragraphs with blank lines. A single line break inside such a block
  is then a soft break: an editor's wrap, or a wiki's inline link left on a line of its
  own ("制定《\\n公司法\\n》"). Its lines are joined into one paragraph, even after a line
  that ends a sentence, because a wiki link may follow a full stop as easily as anything.
* Short-line texts (poems, WeChat posts) put one sentence or verse on each line and a blank
  line between stanzas. In a block whose lines are all short, a break after a line that ends
  a sentence is kept; the other breaks are joined ("床前明月光，\\n疑是地上霜。").
* A text without blank lines separates paragraphs with single line breaks: each line is a
  paragraph, unless it visibly continues the previous one (it starts with closing
  punctuation, or the previous line ends with an opening bracket, quote or comma).
* A text with a few blank lines (after a title, between parts) but whose lines otherwise
  end sentence by sentence is read like a text without blank lines: more paragraph-like
  line breaks than blank lines means the blank lines are not what separates paragraphs.

Joined lines meet without a space between Chinese characters and with one space between
Latin words. Leading indents (full-width spaces) and zero-width characters at the edges of
lines are removed; nothing else is changed, so the paragraphs hold exactly the text's
characters apart from whitespace.
"""

from __future__ import annotations

import re

from archive.text import NUMBERED_ITEM, SENTENCE_END, strip_space

# A line this long or shorter is a short line (a verse, a line of a WeChat post).
SHORT_LINE_CHARS = 32
# Punctuation that cannot start a paragraph: the line it starts continues the previous one.
CLOSING_PUNCTUATION = "，。、；：！？）》」』”’,;:!?)]"
# Brackets that open a label (【摘要】, ［关键词］): a line starting with one starts anew.
LABEL_OPENING = "【［["
_NOTE = re.compile(r"^[（(].*[）)]$")
_DASH_START = re.compile(r"^[—–－]")
# Characters after which a line cannot end a paragraph.
OPENING_OR_COMMA = "《（「『“‘([、，,"
_SENTENCE_ENDS = re.compile(f"[{re.escape(SENTENCE_END)}][”’」』\"')）]*$")
# Latin letters and digits (and the punctuation that closes a Latin word) take a space
# when a line break between two Latin words is removed.
_LATIN_END = re.compile(r"[A-Za-z0-9.,;:!?%)\"']$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\"']")
_SUBSCRIPT_BASE = re.compile(r"[A-Za-z]$")
_SUBSCRIPT = re.compile(r"^\d{1,2}(?:\.\d)?$")
# A line at least this long that does not end its sentence was broken by the width of a
# page or a window.
MIN_BROKEN_LINE = 20


def ends_sentence(line: str) -> bool:
    """Whether the line ends with sentence-final punctuation (and any closing quotes)."""
    return _SENTENCE_ENDS.search(line) is not None


def continues(previous: str, line: str) -> bool:
    """Whether `line` visibly continues `previous` rather than starting a new paragraph:
    it opens with closing punctuation, the previous line ends with an opening bracket,
    a quote or a comma, or it is a subscript set on a line of its own (PM / 2.5, CO / 2)."""
    if line[0] in CLOSING_PUNCTUATION or previous[-1] in OPENING_OR_COMMA:
        return True
    return _SUBSCRIPT_BASE.search(previous) is not None and _SUBSCRIPT.match(line) is not None


def broken_mid_sentence(previous: str, line: str) -> bool:
    """Whether a line break in a text of one paragraph per line falls inside a sentence:
    the previous line is long and does not end its sentence (headings and titles are
    short), and the next does not start a numbered item."""
    if ends_sentence(previous) or previous[-1] in "：:；;":
        return False
    if _NOTE.match(previous) or line[0] in LABEL_OPENING or previous[0] in LABEL_OPENING:
        return False  # a note in brackets stands alone; 【摘要】… is a part of its own
    if _DASH_START.match(line):
        return False  # ——副题, ——某某: a line of its own
    return len(previous) >= MIN_BROKEN_LINE and not NUMBERED_ITEM.match(line)


def join_two(text: str, line: str) -> str:
    """Two parts of one paragraph: Chinese runs on, Latin words get a space, a subscript
    and a hyphenated word none."""
    if not text:
        return line
    if text.endswith("-") and line[:1].islower():
        return text[:-1] + line
    if _SUBSCRIPT_BASE.search(text) and _SUBSCRIPT.match(line):
        return text + line
    if _LATIN_END.search(text) and _LATIN_START.match(line):
        return text + " " + line
    return text + line


def join_lines(lines: list[str]) -> str:
    """Lines joined into one paragraph (see join_two)."""
    text = ""
    for line in lines:
        text = join_two(text, line)
    return text


def _clean(line: str) -> str:
    # strip_space removes zero-width characters that str.strip keeps; str.strip the
    # remaining kinds of space (em space and the like) that strip_space leaves.
    return strip_space(line).strip()


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines. A line of zero-width characters only is not blank (it is
    an empty line of a block): wikis leave such lines in the middle of sentences."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
            continue
        cleaned = _clean(line)
        if cleaned:
            current.append(cleaned)
    if current:
        blocks.append(current)
    return blocks


def _paragraph_breaks(block: list[str]) -> int:
    """Line breaks in the block that look like paragraph ends (after a whole sentence)."""
    return sum(
        1
        for previous, line in zip(block, block[1:], strict=False)
        if ends_sentence(previous) and not continues(previous, line)
    )


def _line_paragraphs(block: list[str]) -> list[str]:
    """Each line a paragraph, unless it visibly continues the previous one."""
    groups: list[list[str]] = []
    for line in block:
        if groups and continues(groups[-1][-1], line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [join_lines(group) for group in groups]


def _short_line_paragraphs(block: list[str]) -> list[str]:
    """Lines joined up to each line that ends a sentence (a verse, a post's sentence)."""
    groups: list[list[str]] = [[]]
    for line in block:
        previous = groups[-1][-1] if groups[-1] else ""
        if previous and ends_sentence(previous) and not continues(previous, line):
            groups.append([])
        groups[-1].append(line)
    return [join_lines(group) for group in groups]


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of a text field, by the rules in this module's docstring."""
    blocks = _blocks(text)
    if not blocks:
        return []
    blank_breaks = len(blocks) - 1
    line_breaks = sum(_paragraph_breaks(block) for block in blocks)
    paragraphs: list[str] = []
    if blank_breaks == 0 or line_breaks > blank_breaks:
        for block in blocks:
            paragraphs.extend(_line_paragraphs(block))
        return paragraphs
    for block in blocks:
        if len(block) > 1 and all(len(line) <= SHORT_LINE_CHARS for line in block):
            paragraphs.extend(_short_line_paragraphs(block))
        else:
            paragraphs.append(join_lines(block))
    return paragraphs
