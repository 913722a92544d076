"""Content fingerprints: the same article text gives the same fingerprint, whatever its spacing."""

from __future__ import annotations

import hashlib

from archive.text import squeeze


def article_fingerprint(*, title: str, body: str) -> str:
    normalized = squeeze(title) + "\n" + squeeze(body)
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
