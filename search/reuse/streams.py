"""The folded stream of a text: its characters folded as search folds them, without the
punctuation and whitespace, with a way back to offsets in the text as given."""

from __future__ import annotations

import re
from bisect import bisect_right

from search.folding import fold, fold_with_offsets

# Runs of characters that search.folding.is_word_char accepts (str.isalnum): \w is exactly
# the alphanumeric characters plus "_".
_WORD_RUN = re.compile(r"[^\W_]+")
_NOT_WORD = re.compile(r"[\W_]+")


class Stream:
    """`chars`: the folded word characters of `text`, in order; `origin()` maps a position
    in them back to `text` (worked out on first use: most streams are only compared)."""

    __slots__ = ("text", "chars", "_folded", "_runs")

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded = fold(text)
        self.chars = _NOT_WORD.sub("", self._folded)
        self._runs: tuple[list[int], list[int], list[int] | None] | None = None

    @classmethod
    def of(cls, text: str) -> Stream:
        return cls(text)

    def __len__(self) -> int:
        return len(self.chars)

    def _tables(self) -> tuple[list[int], list[int], list[int] | None]:
        if self._runs is None:
            folded, origins = self._folded, None
            if len(folded) != len(self.text):
                # Some character folded to several (㎏ → kg): map them one by one.
                folded, origins = fold_with_offsets(self.text)
            starts, folded_starts, length = [], [], 0
            for match in _WORD_RUN.finditer(folded):
                starts.append(length)
                folded_starts.append(match.start())
                length += match.end() - match.start()
            self._runs = (starts, folded_starts, origins)
        return self._runs

    def origin(self, position: int) -> int:
        """The index in `text` of the character that gave stream character `position`."""
        starts, folded_starts, origins = self._tables()
        run = bisect_right(starts, position) - 1
        folded = folded_starts[run] + position - starts[run]
        return folded if origins is None else origins[folded]

    def text_span(self, start: int, end: int) -> tuple[int, int]:
        """Stream characters [start, end) as offsets in `text`: from the first character to
        just after the last (end exclusive)."""
        return self.origin(start), self.origin(end - 1) + 1
