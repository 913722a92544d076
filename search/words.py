"""How a query is split into words (jieba): unquoted terms, ranking and highlighting."""

from __future__ import annotations

from archive.text import jieba_module


def query_words(folded: str) -> list[str]:
    """The words jieba finds in an (already folded) query, without punctuation or spaces."""
    return [word for word in jieba_module().cut(folded) if any(c.isalnum() for c in word)]
