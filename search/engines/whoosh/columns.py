"""Per-document columns, read once per searcher: each facet's value (search.facets), the date
and the article id; the document groups and orders made from them, and facet counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from whoosh.fields import ID, NUMERIC

from search.engines.whoosh.codec import read_numbers
from search.facets import FACETS, Facet, Kind
from search.types import Equals, FacetKey, Filter

# What a column holds for an article without a value: Whoosh stores no None.
MISSING = {Kind.NAME: "", Kind.YEAR: 0}


def schema_field(facet: Facet):
    """The Whoosh field of a facet's column. Read from the column only, so not stored as
    well: stored fields are written (pickled) for every article and read whole by
    check_index."""
    if facet.kind is Kind.YEAR:
        return NUMERIC(numtype=int, bits=64, sortable=True, signed=True)
    return ID(sortable=True)


def stored_value(facet: Facet, article) -> str | int:
    value = facet.value_of(article)
    return MISSING[facet.kind] if value is None else value


class Columns:
    """Per-document values for filtering, counting and sorting, read once per searcher
    (Whoosh's column readers decode one value per call; a list lookup is far cheaper),
    and the document sets and orders derived from them, made when first asked for."""

    def __init__(self, reader) -> None:
        self.live: frozenset[int] = frozenset(reader.all_doc_ids())
        # Facet name → every document's stored value (MISSING for none).
        self.facet: dict[str, list] = {f.name: column_values(reader, f.name) for f in FACETS}
        self.date_key: list[int] = column_values(reader, "date_key")
        self.article_id: list[int] = column_values(reader, "article_id")
        self._groups: dict[str, dict] = {}
        self._date_ranks: dict[str, list[int]] = {}

    def groups(self, facet: Facet) -> dict:
        """Stored value → the documents having it."""
        groups = self._groups.get(facet.name)
        if groups is None:
            groups = self._groups[facet.name] = _groups(self.live, self.facet[facet.name])
        return groups

    def docs_matching(self, facet: Facet, chosen: Filter) -> frozenset[int]:
        groups = self.groups(facet)
        missing = MISSING[facet.kind]
        if isinstance(chosen, Equals):
            value = missing if chosen.value is None else chosen.value
            return groups.get(value, frozenset())
        # Made from one group per value each time, not kept per filter: a visitor can ask
        # for any of hundreds of thousands of year ranges.
        return frozenset().union(
            *(
                docs
                for value, docs in groups.items()
                if chosen.accepts(None if value == missing else value)
            )
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

    def count(self, facet: Facet, docs: Iterable[int]) -> Counter:
        """How many of `docs` have each stored value of the facet."""
        return Counter(map(self.facet[facet.name].__getitem__, docs))


def facet_counts(counts: Counter, facet: Facet) -> Mapping[FacetKey, int]:
    """Counts by stored value, keyed as the contract says (None for articles without one)."""
    found = dict(counts)
    missing = MISSING[facet.kind]
    if missing in found:
        found[None] = found.pop(missing)
    return found


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
