"""Winnowed k-gram fingerprints (Schleimer, Wilkerson and Aiken, "Winnowing", 2003).

Every K characters of a folded stream hash to a signed 64-bit number; of every WINDOW hashes
in a row the smallest (the rightmost of equal ones) is selected. The choice depends on the
window's hashes alone, so two streams sharing a run of GUARANTEE or more characters select
the same k-gram inside it: a table of the selected hashes finds every article that shares
such a run with a passage, and nothing but a lookup per hash is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from hashlib import blake2b

K = 8
WINDOW = 6
# The shortest shared run sure to contain a fingerprint selected in both streams.
GUARANTEE = K + WINDOW - 1


def gram_hash(gram: str) -> int:
    """A stable hash (the same in every process and on every machine), as a signed 64-bit
    integer, which both databases store in a bigint."""
    return int.from_bytes(blake2b(gram.encode(), digest_size=8).digest(), "big", signed=True)


def selected(chars: str) -> Iterator[tuple[int, int]]:
    """(position, hash) of the k-grams of `chars` the winnowing selects, in order, each once."""
    hashes = [gram_hash(chars[i : i + K]) for i in range(len(chars) - K + 1)]
    if len(hashes) <= WINDOW:
        # Shorter than one window: the whole stream is the window.
        if hashes:
            low = min(hashes)
            yield len(hashes) - 1 - hashes[::-1].index(low), low
        return
    last = -1
    for start in range(len(hashes) - WINDOW + 1):
        window = hashes[start : start + WINDOW]
        low = min(window)
        position = start + WINDOW - 1 - window[::-1].index(low)
        if position != last:
            last = position
            yield position, low


def fingerprint_set(chars: str) -> set[int]:
    """The distinct selected hashes of a stream: what the table stores for an article."""
    return {value for _, value in selected(chars)}
