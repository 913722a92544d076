"""Content fingerprints: the same article text gives the same fingerprint, whatever its spacing."""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")


def article_fingerprint(*, title: str, body: str) -> str:
    normalized = _SPACE.sub("", title) + "\n" + _SPACE.sub("", body)
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
