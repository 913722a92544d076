"""Text reuse (查重): where a passage comes from, and which articles share passages.

- `find_reuse(text=…, min_length=13)` → ReuseReport (`ArticleReuse` per article, each with
  its `SharedSpan`s): every maximal run the passage shares with an article, equal after
  folding, punctuation and whitespace aside; `MIN_LENGTH`, `LOWEST_MIN_LENGTH`,
  `HIGHEST_MIN_LENGTH`, `MAX_PASSAGE`;
- `refresh_reuse(article_ids=…)` keeps the fingerprints and the overlaps current (the index
  updates call it), `compute_overlaps()` does the whole archive; `article_overlaps(article)`
  lists an article's (`ArticleOverlap`), `compare_articles(article, other)` the spans of a
  pair.
"""

from importlib import import_module

# Loaded on first use (PEP 562): search.models imports the models from this package.
_HOMES = {
    "ArticleOverlap": "search.reuse.models",
    "ReuseDocument": "search.reuse.models",
    "ReuseFingerprint": "search.reuse.models",
    "HIGHEST_MIN_LENGTH": "search.reuse.passages",
    "LOWEST_MIN_LENGTH": "search.reuse.passages",
    "MAX_PASSAGE": "search.reuse.passages",
    "MIN_LENGTH": "search.reuse.passages",
    "ArticleReuse": "search.reuse.passages",
    "ReuseReport": "search.reuse.passages",
    "SharedSpan": "search.reuse.passages",
    "find_reuse": "search.reuse.passages",
    "OverlapSummary": "search.reuse.overlaps",
    "article_overlaps": "search.reuse.overlaps",
    "compare_articles": "search.reuse.overlaps",
    "compute_overlaps": "search.reuse.overlaps",
    "overlap_min": "search.reuse.overlaps",
    "refresh_reuse": "search.reuse.overlaps",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'search.reuse' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)


__all__ = sorted(_HOMES)
