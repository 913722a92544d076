"""Text folding shared by indexing and querying: traditional → simplified, NFKC, lowercase.

Folding is done one character at a time, so that fold(a + b) == fold(a) + fold(b).
That property is what makes exact phrases exact: a query folds to a substring of a
folded article exactly when its characters do, whatever surrounds them. (OpenCC's
phrase-level conversion would fold 乾坤 differently inside and outside a sentence.)
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")


class _FoldTable(dict):
    """A str.translate table that computes and caches the folding of each character."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        folded = unicodedata.normalize("NFKC", char)
        folded = "".join(_T2S.convert(c) for c in folded).lower()
        self[codepoint] = folded
        return folded


_TABLE = _FoldTable()


# Highlighting folds the same paragraphs of the same articles for one search after
# another: the most recent short texts are remembered (at most ~8 MB). Whole articles,
# folded while indexing, are not.
REMEMBERED_FOLDS = 8192
REMEMBERED_FOLD_CHARS = 500


def fold(text: str) -> str:
    """Fold text for matching: 組織 → 组织, ＡＢＣ１ → abc1."""
    if len(text) > REMEMBERED_FOLD_CHARS:
        return text.translate(_TABLE)
    return _remembered_fold(text)


@lru_cache(maxsize=REMEMBERED_FOLDS)
def _remembered_fold(text: str) -> str:
    return text.translate(_TABLE)


def forget_folds() -> None:
    _remembered_fold.cache_clear()


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold text and map each folded character back to the index of its source character.

    Highlighting finds matches in the folded text and marks the same characters
    of the original.
    """
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _TABLE[ord(char)]
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


@lru_cache(maxsize=4096)
def is_word_char(char: str) -> bool:
    """Letters (Chinese included) and digits are searchable; punctuation and spaces are not."""
    return char.isalnum()
