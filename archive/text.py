"""Rules of Chinese text that several parts of the archive share, each written once here.

Whitespace normalising, the CJK ranges, Chinese numerals, the section-heading marker of
stored bodies, the characters no database can store and jieba's word segmentation, loaded
once. Importers, pages, citations and search use these names instead of their own copies.
"""

from __future__ import annotations

import logging
import re
import threading

# CJK unified ideographs, extension A and the compatibility block.
CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{CJK}]")
# Chinese numerals as used in numbering (一、 （二） 第三章 四是).
NUMERALS = "一二三四五六七八九十百"
# The start of a numbered item or heading: 一、 二. （三） (4)
NUMBERED_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)])"
)
# Sentence-final punctuation: a line ending in one of these ends a sentence.
SENTENCE_END = "。！？!?…"
# Full-width and other spaces that editors and web pages put where ASCII space would do.
_EDGE_SPACE = " \t\r\n\u3000\xa0\u200b\ufeff"
_SPACE = re.compile(r"\s+")

# Characters a text column cannot hold: PostgreSQL refuses NUL, and half of a surrogate pair
# (from a JSON "\ud800" escape, say) is no character at all, which UTF-8 cannot encode.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# A stored body holds one paragraph per line; a section heading is written "## text"
# ("### text" one level down), as Markdown writes headings.
HEADING_MARK = re.compile(r"^(#{2,4}) (?=\S)")


def squeeze(text: str) -> str:
    """The text without any whitespace: the form used to compare texts for equality."""
    return _SPACE.sub("", text)


def strip_space(text: str) -> str:
    """The text without leading and trailing spaces of any width (and BOM, zero-width space)."""
    return text.replace("\ufeff", "").strip(_EDGE_SPACE)


def collapse_space(text: str) -> str:
    """Runs of whitespace as one space, and none at the ends."""
    return _SPACE.sub(" ", text).strip()


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def heading_line(text: str, level: int = 2) -> str:
    """A body line that displays as a section heading of this level (2–4)."""
    return "#" * min(max(level, 2), 4) + " " + text


def split_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a marked heading line, or None for a paragraph."""
    match = HEADING_MARK.match(line)
    if match is None:
        return None
    return len(match.group(1)), line[match.end() :]


def plain_line(line: str) -> str:
    """A body line as searchable text: without its heading mark."""
    match = HEADING_MARK.match(line)
    return line[match.end() :] if match else line


def unstorable_characters(text: str) -> list[str]:
    """The characters of the text that no database can store, each once, in order."""
    return list(dict.fromkeys(UNSTORABLE.findall(text)))


def without_unstorable(text: str) -> str:
    return UNSTORABLE.sub("", text)


def escaped_characters(characters: list[str]) -> str:
    """Characters written as escapes ("\\u0000"), for reports that show what was removed."""
    return "".join(f"\\u{ord(char):04x}" for char in characters)


_jieba_lock = threading.Lock()
_jieba = None


def jieba_module():
    """jieba (Chinese word segmentation), its dictionary loaded once per process, on first
    use: about 0.7 s and 60 MB."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba
