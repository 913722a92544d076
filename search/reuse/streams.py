"""The folded stream of a text: its characters folded as search folds them, without the
punctuation and whitespace, with a way back to offsets in the text as given."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from search.folding import fold, fold_with_offsets

# Runs of characters that search.folding.is_word_char accepts (str.isalnum): \w is exactly
# the alphanumeric characters plus "_".
_WORD_RUN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Stream:
    """`chars`: the folded word characters of `text`, in order. A span of them maps back to
    the text through `_runs` (where each run of word characters starts, in the stream and in
    the folded text) and `_origins` (the text's index of each folded character; None when
    folding kept the length, which makes them the same)."""

    text: str
    chars: str
    _run_starts: tuple[int, ...]
    _run_folded: tuple[int, ...]
    _origins: tuple[int, ...] | None

    @classmethod
    def of(cls, text: str) -> Stream:
        folded = fold(text)
        origins = None
        if len(folded) != len(text):
            # Some character folded to several (㎏ → kg): map them one by one.
            folded, offsets = fold_with_offsets(text)
            origins = tuple(offsets)
        starts, folded_starts, pieces = [], [], []
        length = 0
        for match in _WORD_RUN.finditer(folded):
            starts.append(length)
            folded_starts.append(match.start())
            piece = match.group()
            pieces.append(piece)
            length += len(piece)
        return cls(text, "".join(pieces), tuple(starts), tuple(folded_starts), origins)

    def __len__(self) -> int:
        return len(self.chars)

    def origin(self, position: int) -> int:
        """The index in `text` of the character that gave stream character `position`."""
        run = bisect_right(self._run_starts, position) - 1
        folded = self._run_folded[run] + position - self._run_starts[run]
        return folded if self._origins is None else self._origins[folded]

    def text_span(self, start: int, end: int) -> tuple[int, int]:
        """Stream characters [start, end) as offsets in `text`: from the first character to
        just after the last (end exclusive)."""
        return self.origin(start), self.origin(end - 1) + 1
