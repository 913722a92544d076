"""Whoosh's default codec with short posting lists stored inside the term table.

Character grams make millions of distinct terms, most of them in one or two articles.
Whoosh 2.7 writes each posting list as its own compressed block in the postings file,
even a list of one posting: most of the build time and disk space of the archive's index
went on those blocks. Whoosh can keep short lists "inline" in the term's entry instead
(and reads them back), but its writer calls a method its term info does not have
(`set_inline` for `set_inlined`), so `inlinelimit` only works with this fix.

Writing a segment also reads the field length of a posting's document from a column,
once per posting; the lengths are remembered here for the field being written. And
reading a whole number column (read_numbers) takes one read instead of one per value.
"""

from __future__ import annotations

import sys
from array import array

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.columns import NumericColumn

# Posting lists shorter than this are stored in the term table.
INLINE_LIMIT = 8


class _PostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        # Formats without per-posting values (e.g. no positions) buffer none; their
        # blocks read back as None per posting, and so must the inline copy (merging
        # segments copies each posting with its value).
        if self._format.fixed_value_size() == 0:
            values = (None,) * len(self._ids)
        else:
            values = tuple(self._values)
        terminfo._inlined = (tuple(self._ids), tuple(self._weights), values)
        self._terminfo = None
        return terminfo


class _FieldLengths:
    """The per-document lengths a segment writer reads, remembered for one field at a time
    (postings arrive grouped by field)."""

    def __init__(self, lengths) -> None:
        self._lengths = lengths
        self._field = None
        self._known: dict[int, int] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        if fieldname != self._field:
            self._field, self._known = fieldname, {}
        try:
            return self._known[docnum]
        except KeyError:
            length = self._lengths.doc_field_length(docnum, fieldname, default)
            self._known[docnum] = length
            return length


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        return super().add_postings(schema, _FieldLengths(lengths) if lengths else None, items)


class ArchiveCodec(W3Codec):
    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


def read_numbers(column, doccount: int) -> list | None:
    """All values of a number column reader, read in one go (Whoosh's reader seeks and
    reads once per value without memory maps); None for other kinds of column."""
    if not isinstance(column, NumericColumn.Reader):
        return None
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    numbers = array(column._typecode, raw)
    if sys.byteorder == "little" and numbers.itemsize > 1:
        numbers.byteswap()  # stored big-endian
    values = numbers.tolist()
    values.extend([column._default] * (doccount - len(values)))
    return values
