"""Winnowed k-gram fingerprints (Schleimer, Wilkerson and Aiken, "Winnowing", 2003).

Every K characters of a folded stream hash to a signed 64-bit number; of every WINDOW hashes
in a row the smallest (the rightmost of equal ones) is selected. The choice depends on the
window's hashes alone, so two streams sharing a run of GUARANTEE or more characters select
the same k-gram inside it: a table of the selected hashes finds every article that shares
such a run with a passage, and nothing but a lookup per hash is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from zlib import adler32, crc32

K = 8
WINDOW = 6
# The shortest shared run sure to contain a fingerprint selected in both streams.
GUARANTEE = K + WINDOW - 1
_SIGNED = 1 << 63


def hashes(chars: str) -> list[int]:
    """The hash of every k-gram of `chars`, in order: stable (the same in every process and on
    every machine) and signed 64-bit, which both databases store in a bigint. CRC-32 of the
    gram's UTF-32 code units above their Adler-32: both in C, several times faster than a
    cryptographic hash, and a collision costs only an extra article to compare."""
    data = chars.encode("utf-32-le")
    width = 4 * K
    return [
        (crc32(gram) << 32 | adler32(gram)) - _SIGNED
        for gram in (data[i : i + width] for i in range(0, len(data) - width + 4, 4))
    ]


def selected(chars: str) -> Iterator[tuple[int, int]]:
    """(position, hash) of the k-grams of `chars` the winnowing selects, in order, each once."""
    values = hashes(chars)
    if len(values) <= WINDOW:
        # Shorter than one window: the whole stream is the window.
        if values:
            low = min(values)
            yield len(values) - 1 - values[::-1].index(low), low
        return
    chosen = last = -1
    for end in range(WINDOW - 1, len(values)):
        start = end - WINDOW + 1
        if chosen < start:
            window = values[start : end + 1]
            chosen = end - window[::-1].index(min(window))
        elif values[end] <= values[chosen]:
            # The newcomer is the rightmost smallest; otherwise the previous choice still is.
            chosen = end
        if chosen != last:
            last = chosen
            yield chosen, values[chosen]


def may_share_run(positions: list[int], min_length: int) -> bool:
    """Whether a stream whose selected k-grams at these positions (sorted) are the ones
    another stream selected too can share a run of `min_length` with it. Inside such a run
    every WINDOW consecutive k-grams hold a shared selected one: a chain of them with gaps of
    at most WINDOW, at least (min_length - K + 1) // WINDOW long (disjoint windows)."""
    needed = max(1, (min_length - K + 1) // WINDOW)
    chain, previous = 0, None
    for position in positions:
        chain = chain + 1 if previous is not None and position - previous <= WINDOW else 1
        if chain >= needed:
            return True
        previous = position
    return False
