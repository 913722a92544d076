"""The embedded Whoosh engine (WENCUI_SEARCH_ENGINE=whoosh, the default).

- engine.py: the engine contract's implementation, over
- backend.py: haystack's Whoosh backend, subclassed: the index's generations, writing, the
  long-lived searcher;
- documents.py, fields.py, analysis.py: what is indexed of an article, and how (jieba words,
  character grams, a column per facet);
- phrases.py: exact phrases from the character grams;
- ranking.py: BM25F as Whoosh computes it, faster, and related articles;
- columns.py: per-document columns, for filters, facet counts and date orders;
- matching.py: a search, from those;
- memo.py: what one version of the index answered (matches, scores), while it is read;
- codec.py: Whoosh's codec with short posting lists kept in the term table.
"""

import sys

from search.engines.whoosh import codec
from search.engines.whoosh.engine import WhooshEngine

# Each segment of an index pickles its codec: indexes written before the engine had a
# package of its own name it by its old module.
sys.modules.setdefault("search.codec", codec)

__all__ = ["WhooshEngine"]
