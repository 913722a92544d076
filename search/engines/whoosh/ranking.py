"""BM25F as Whoosh computes it, with each segment's field lengths read once.

Whoosh's scorer looks up the length of the field for every document it scores, one
column read each (a seek and a read, without memory maps): most of the cost of ranking
thousands of matching articles. The lengths are read into a list once per segment
reader and field, and reused while the reader is (a refreshed searcher keeps the
readers of unchanged segments).
"""

from __future__ import annotations

from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from search.engines.whoosh.codec import read_numbers


def field_lengths(reader: SegmentReader, fieldname: str) -> list[int]:
    """The length of `fieldname` in every document of the segment (1 where unknown,
    as Whoosh's scorer assumes)."""
    cache = reader.__dict__.setdefault("_archive_field_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        # The lengths column of Whoosh's own per-document reader (its private name).
        column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None:
            lengths = [1] * reader.doc_count_all()
        else:
            stored = read_numbers(column, reader.doc_count_all())
            lengths = [byte_to_length(value) if value else 1 for value in stored]
        cache[fieldname] = lengths
    return lengths


class ArchiveBM25F(scoring.BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        reader = searcher.reader()
        if hasattr(scorer, "dfl") and isinstance(reader, SegmentReader):
            scorer.dfl = field_lengths(reader, fieldname).__getitem__
        return scorer
