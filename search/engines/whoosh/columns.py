"""Per-document columns (facets, dates, article ids), read once per searcher, and the
document groups and orders made from them: filters, facet counts and date sorts."""

from __future__ import annotations

from collections.abc import Iterable

from search.engines.whoosh.codec import read_numbers
from search.types import YearRange


class Columns:
    """Per-document values for filtering, counting and sorting, read once per searcher
    (Whoosh's column readers decode one value per call; a list lookup is far cheaper),
    and the document sets and orders derived from them, made when first asked for."""

    def __init__(self, reader) -> None:
        self.live: frozenset[int] = frozenset(reader.all_doc_ids())
        self.source: list[str] = column_values(reader, "source")
        self.year: list[int] = column_values(reader, "year")
        self.date_key: list[int] = column_values(reader, "date_key")
        self.article_id: list[int] = column_values(reader, "article_id")
        self._by_source: dict[str, frozenset[int]] | None = None
        self._by_year: dict[int, frozenset[int]] | None = None
        self._date_ranks: dict[str, list[int]] = {}

    def docs_of_source(self, source: str) -> frozenset[int]:
        if self._by_source is None:
            self._by_source = _groups(self.live, self.source)
        return self._by_source.get(source, frozenset())

    def docs_in_years(self, years: YearRange) -> frozenset[int]:
        # Made from one group per year each time, not kept per range: a visitor can ask
        # for any of hundreds of thousands of ranges.
        if self._by_year is None:
            self._by_year = _groups(self.live, self.year)
        return frozenset().union(
            *(docs for year, docs in self._by_year.items() if years.accepts(year or None))
        )

    def date_rank(self, sort: str) -> list[int]:
        """Each document's place in `sort` order ("oldest", else newest first); undated
        articles last, ties by article id."""
        rank = self._date_ranks.get(sort)
        if rank is None:
            dates, ids = self.date_key, self.article_id
            if sort == "oldest":
                order = sorted(range(len(dates)), key=lambda d: (dates[d] == 0, dates[d], ids[d]))
            else:
                order = sorted(range(len(dates)), key=lambda d: (dates[d] == 0, -dates[d], -ids[d]))
            rank = [0] * len(order)
            for place, docnum in enumerate(order):
                rank[docnum] = place
            self._date_ranks[sort] = rank
        return rank


def _groups(docs: Iterable[int], values: list) -> dict:
    """The documents having each value."""
    groups: dict = {}
    for docnum in docs:
        groups.setdefault(values[docnum], set()).add(docnum)
    return {value: frozenset(members) for value, members in groups.items()}


def columns_of(searcher) -> Columns:
    cached = getattr(searcher, "_archive_columns", None)
    if cached is None:
        cached = searcher._archive_columns = Columns(searcher.reader())
    return cached


def column_values(reader, name: str) -> list:
    """Every document's value of a column, in document order.

    Whoosh's column readers read a number column one value at a time (a seek and a
    read each, without memory maps); its bytes are read here in one go per segment.
    """
    field = reader.schema[name]
    values: list = []
    for leaf, _ in reader.leaf_readers():
        column = leaf.column_reader(name, translate=False)
        stored = read_numbers(column, leaf.doc_count_all())
        if stored is None:
            stored = list(column)
        values.extend(map(field.from_column_value, stored))
    return values
