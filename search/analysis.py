"""Whoosh analyzers for Chinese: jieba words for ranking, character grams for exact phrases.

Both fold their input first (search.folding), so 組織 in an article and 组织 in a query meet.
They are module-level classes because Whoosh pickles analyzers into the index schema.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from search.folding import fold

# Segment separator inside one indexed value: no gram crosses it, so a phrase never
# straddles the title and the body, or two paragraphs.
SEGMENT_BREAK = "\n"

_jieba_lock = threading.Lock()
_jieba = None


def jieba_module():
    """jieba, with its dictionary loaded once per process (about 0.7 s and 60 MB)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def query_words(folded: str) -> list[str]:
    """The words jieba finds in an (already folded) query, without punctuation or spaces."""
    return [word for word in jieba_module().cut(folded) if any(c.isalnum() for c in word)]


class ChineseWordTokenizer(Tokenizer):
    """jieba's search-mode words with ordinal positions, punctuation dropped.

    jieba's own Whoosh analyzer sets positions to character offsets and ignores
    tokenize=False; both break Whoosh queries. This one does neither.
    """

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        folded = fold(value)
        position = start_pos
        for word, start, end in jieba_module().tokenize(folded, mode="search"):
            if not any(c.isalnum() for c in word):
                continue
            token.text = word
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            token.stopped = False
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            position += 1
            yield token


class CharGramTokenizer(Tokenizer):
    """Every folded character, and every pair of adjacent characters, at the character's index.

    A quoted phrase of n characters becomes the phrase of its n-1 overlapping pairs
    (or the single character), which matches exactly where the folded text contains
    the folded phrase: no word segmentation is involved. Punctuation and spaces are
    kept, so "战斗堡垒 作用" is as exact as "战斗堡垒"; only SEGMENT_BREAK separates.
    """

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        text = fold(value)
        last = len(text) - 1
        for index, char in enumerate(text):
            if char == SEGMENT_BREAK:
                continue
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + index
            if chars:
                token.startchar = start_char + index
                token.endchar = start_char + index + 1
            if not char.isspace():
                token.text = char
                yield token
            if index < last and text[index + 1] != SEGMENT_BREAK:
                token.text = text[index : index + 2]
                if chars:
                    token.endchar = start_char + index + 2
                yield token


def grams_of(folded: str) -> list[str]:
    """The terms a folded phrase is matched by: itself if one character, else its pairs."""
    if len(folded) == 1:
        return [folded]
    return [folded[i : i + 2] for i in range(len(folded) - 1)]
