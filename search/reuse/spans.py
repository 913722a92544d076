"""Maximal shared runs of two folded streams, found from shared k-grams (anchors)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Runs are extended this many characters at a time before the last step goes one by one.
_STRIDE = 32


@dataclass(frozen=True, order=True)
class Match:
    """A maximal run of equal characters: a[start:end] == b[other_start:other_end], which
    cannot be extended on either side."""

    start: int
    end: int
    other_start: int

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def other_end(self) -> int:
        return self.other_start + self.length


def _extend_left(a: str, b: str, i: int, j: int) -> int:
    """How many characters before a[i] and b[j] are equal."""
    step = 0
    while True:
        size = min(_STRIDE, i - step, j - step)
        if size <= 0 or a[i - step - size : i - step] != b[j - step - size : j - step]:
            break
        step += size
    while i - step > 0 and j - step > 0 and a[i - step - 1] == b[j - step - 1]:
        step += 1
    return step


def _extend_right(a: str, b: str, i: int, j: int) -> int:
    """How many characters from a[i] and b[j] on are equal."""
    step = 0
    while True:
        size = min(_STRIDE, len(a) - i - step, len(b) - j - step)
        if size <= 0 or a[i + step : i + step + size] != b[j + step : j + step + size]:
            break
        step += size
    while i + step < len(a) and j + step < len(b) and a[i + step] == b[j + step]:
        step += 1
    return step


def maximal_matches(
    a: str, b: str, anchors: Iterable[tuple[int, str]], *, min_length: int
) -> list[Match]:
    """Every maximal run of at least `min_length` equal characters of a and b that contains
    one of the anchors, sorted: an anchor is (position in a, the gram there), found at each
    of its occurrences in b. Anchors inside a run already found are skipped."""
    found: dict[int, list[tuple[int, int]]] = {}  # diagonal → runs on it, as (start, end) in a
    matches: list[Match] = []
    find = b.find
    for i, gram in anchors:
        j = find(gram)
        while j != -1:
            # A run on this diagonal holding i was found from an earlier anchor: skipped.
            runs = found.get(j - i)
            if runs is None or not _holds(runs, i):
                left = _extend_left(a, b, i, j)
                right = _extend_right(a, b, i, j)
                if runs is None:
                    found[j - i] = [(i - left, i + right)]
                else:
                    runs.append((i - left, i + right))
                if left + right >= min_length:
                    matches.append(Match(i - left, i + right, j - left))
            j = find(gram, j + 1)
    matches.sort()
    return matches


def _holds(runs: list[tuple[int, int]], i: int) -> bool:
    for start, end in runs:
        if start <= i < end:
            return True
    return False


def covered(intervals: Iterable[tuple[int, int]]) -> int:
    """How many positions the union of [start, end) intervals covers."""
    total = 0
    reach = None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total
