"""The fingerprint table, read and written in plain SQL: hundreds of thousands of two-integer
rows, for which building a model instance each would cost most of the time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection

from search.reuse.models import ArticleOverlap, ReuseDocument, ReuseFingerprint

# Hashes or ids per lookup statement (SQLite allows 999 parameters before 3.32), streams
# read per statement, rows per insert.
_LOOKUP_BATCH = 900
_STREAM_BATCH = 500
_WRITE_BATCH = 5000


def _table() -> str:
    return connection.ops.quote_name(ReuseFingerprint._meta.db_table)


def shared_fingerprints(hashes: Iterable[int], *, after: int | None = None) -> dict[int, list[int]]:
    """Article id → which of these fingerprint hashes it has (only articles with a greater id
    than `after`, if given)."""
    hashes = list(hashes)
    shared: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        for start in range(0, len(hashes), _LOOKUP_BATCH):
            chunk = hashes[start : start + _LOOKUP_BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT hash, article_id FROM {_table()} WHERE hash IN ({marks})"
            if after is not None:
                sql += " AND article_id > %s"
                chunk = [*chunk, after]
            cursor.execute(sql, chunk)
            for value, article_id in cursor.fetchall():
                shared[article_id].append(value)
    return shared


def write_fingerprints(rows: Iterator[tuple[int, int]]) -> None:
    """Insert (hash, article id) rows (one already there is left as it is)."""
    sql = f"INSERT INTO {_table()} (hash, article_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        batch: list[tuple[int, int]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _WRITE_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def read_streams(article_ids: Iterable[int] | None = None) -> Iterator[tuple[int, str]]:
    """(article id, folded stream) of these articles (all: None) as the table has them, in
    id order."""
    table = connection.ops.quote_name(ReuseDocument._meta.db_table)
    with connection.cursor() as cursor:
        if article_ids is None:
            cursor.execute(f"SELECT article_id, chars FROM {table} ORDER BY article_id")
            while rows := cursor.fetchmany(_STREAM_BATCH):
                yield from rows
            return
        ids = sorted(article_ids)
        for start in range(0, len(ids), _LOOKUP_BATCH):
            chunk = ids[start : start + _LOOKUP_BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT article_id, chars FROM {table} WHERE article_id IN ({marks})"
                " ORDER BY article_id",
                chunk,
            )
            yield from cursor.fetchall()


OVERLAP_COLUMNS = (
    "article_id",
    "other_id",
    "shared_chars",
    "length",
    "other_shared_chars",
    "other_length",
    "longest",
    "is_version",
)


def write_overlaps(rows: list[tuple]) -> None:
    """Insert overlap rows, their values in OVERLAP_COLUMNS order."""
    if not rows:
        return
    table = connection.ops.quote_name(ArticleOverlap._meta.db_table)
    marks = ", ".join(["%s"] * len(OVERLAP_COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(OVERLAP_COLUMNS)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _WRITE_BATCH):
            cursor.executemany(sql, rows[start : start + _WRITE_BATCH])


def delete_fingerprints(articles: Iterable[tuple[int, set[int]]]) -> None:
    """Delete the rows of each (article id, its hashes), through the primary key."""
    with connection.cursor() as cursor:
        for article_id, values in articles:
            values = sorted(values)
            for start in range(0, len(values), _LOOKUP_BATCH):
                chunk = values[start : start + _LOOKUP_BATCH]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {_table()} WHERE article_id = %s AND hash IN ({marks})",
                    [article_id, *chunk],
                )


def clear_tables() -> None:
    """Empty the fingerprints, the documents and the overlaps."""
    with connection.cursor() as cursor:
        for model in (ReuseFingerprint, ReuseDocument, ArticleOverlap):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
