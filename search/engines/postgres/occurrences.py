"""How often each article contains a phrase, counted in its folded text by the database: the
text shortened by every occurrence, for a phrase whose occurrences cannot overlap; else the
text itself, counted here."""

from __future__ import annotations

from collections.abc import Callable

from search.engines.postgres.matching import Sql, contains, filter_condition
from search.engines.postgres.schema import DOCUMENTS, facet_column
from search.facets import FACETS, facet
from search.folding import fold

ORDERS = {
    "oldest": "m.date_key = 0, m.date_key, m.article_id",
    "newest": "m.date_key = 0, m.date_key DESC, m.article_id DESC",
}


def can_overlap(folded: str) -> bool:
    """Whether two occurrences can overlap: the phrase begins as it ends (哈哈 in 哈哈哈)."""
    return any(folded[:k] == folded[-k:] for k in range(1, len(folded)))


def occurrences_statement(
    phrase: str, filters: tuple, sort: str
) -> tuple[Sql | None, Callable[[object], int]]:
    """The statement giving (article id, occurrences or folded text) of each matching row in
    date order, and what makes the count of the second value (None: no phrase)."""
    folded = fold(phrase)
    if not folded.strip():
        return None, int
    where = contains(folded)
    chosen = [filter_condition(facet(name), value) for name, value in filters]
    columns = ", ".join(f"d.{facet_column(f)}" for f in FACETS)
    if can_overlap(folded):
        counted, params = "m.folded", []

        def count(text) -> int:
            found, at = 0, text.find(folded)
            while at != -1:
                found += 1
                at = text.find(folded, at + 1)
            return found
    else:
        counted = "(length(m.folded) - length(replace(m.folded, %s, ''))) / %s"
        params = [folded, len(folded)]
        count = int
    filtered = " AND ".join(c.text for c in chosen) or "TRUE"
    text = (
        f"SELECT m.article_id, {counted} FROM (SELECT d.article_id, d.date_key, d.folded,"
        f" {columns} FROM {DOCUMENTS} d WHERE {where.text}) AS m"
        f" WHERE {filtered} ORDER BY {ORDERS.get(sort, ORDERS['newest'])}"
    )
    return Sql(text, params + where.params + [p for c in chosen for p in c.params]), count
