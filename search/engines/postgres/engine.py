"""The PostgreSQL engine: the index is a table of the archive's own database, written in the
same transaction as the articles, behind the archive's engine contract."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    ProgrammingError,
    connection,
    connections,
    router,
    transaction,
)

from archive.models import Article
from search.engines.postgres import schema
from search.engines.postgres.matching import facet_key, search_statement
from search.engines.postgres.occurrences import occurrences_statement
from search.engines.postgres.rows import article_row
from search.engines.postgres.terms import phrase_terms
from search.errors import IndexMissing, IndexUnavailable
from search.facets import FACETS
from search.folding import fold
from search.types import EngineQuery, EngineResults, IndexHealth, PhraseCounts
from search.words import query_words

# Rows written per statement by a rebuild.
BUILD_BATCH = 500
# A GIN build sorts in this much memory (the default 64 MB made builds take many times longer).
BUILD_MEMORY = "512MB"
# Related articles: the opening's words looked up, and the rarest of them that other articles
# share, each weighted by its rarity.
RELATED_CANDIDATE_WORDS = 40
RELATED_TERMS = 8
RELATED_COUNT_CAP = 500


def _usable(reading) -> bool:
    try:
        return reading.connection is not None and reading.is_usable()
    except DatabaseError:
        return False


def _column_list() -> str:
    return ", ".join(
        ["article_id", "version", "folded", "title", "author", "source", "date_key"]
        + [schema.facet_column(f) for f in FACETS]
    )


def _values() -> str:
    return ", ".join(["%s"] * (7 + len(FACETS)))


class PostgresEngine:
    """Exact search in PostgreSQL: character bigrams in a GIN index find the candidates, the
    folded text decides."""

    name = "postgres"
    # Index writes join the transaction that changes the articles (search.signals): an
    # article and its row are committed, or rolled back, together.
    updates_in_transaction = True

    def __init__(self) -> None:
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "WENCUI_SEARCH_ENGINE=postgres keeps its index in the database, which must then "
                f"be PostgreSQL (DATABASE_URL); this one is {connection.vendor}."
            )

    @classmethod
    def from_settings(cls) -> PostgresEngine:
        return cls()

    @classmethod
    def at(cls, directory: Path) -> PostgresEngine:
        """The engine (its index is the database's: the directory is not used)."""
        return cls()

    # -- reading ----------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator:
        """A cursor in a transaction with the planner settings of these queries, on the
        database the router reads articles from (a replica, for a page request that wrote
        nothing); a missing table (migrations not applied) is a missing index."""
        alias = router.db_for_read(Article) or DEFAULT_DB_ALIAS
        reading = connections[alias]
        try:
            with transaction.atomic(using=alias), reading.cursor() as cursor:
                # One round trip for all of them.
                cursor.execute("; ".join(schema.PLANNER_SETTINGS))
                yield cursor
        except ProgrammingError as error:
            if getattr(error.__cause__, "sqlstate", None) == "42P01":  # undefined_table
                raise IndexMissing(f"the search tables are missing: {error}") from error
            raise
        except DatabaseError as error:
            if alias != DEFAULT_DB_ALIAS and not _usable(reading):
                # A replica that went away: the request is read again from the primary
                # (config.replicas), as for any other read of the page.
                raise
            raise IndexUnavailable(str(error)) from error

    def search(self, query: EngineQuery) -> EngineResults:
        statement = search_statement(query)
        with self._reading() as cursor:
            cursor.execute(statement.text, statement.params)
            rows = cursor.fetchall()
        total = 0
        page: list[tuple[int, int]] = []
        counts: dict[str, dict] = {f.name: {} for f in FACETS}
        facets = {f.name: f for f in FACETS}
        for kind, value, number in rows:
            if kind == "total":
                total = number
            elif kind == "page":
                page.append((number, int(value)))
            else:
                counts[kind][facet_key(facets[kind], value)] = number
        return EngineResults(
            total=total,
            article_ids=tuple(article_id for _, article_id in sorted(page)),
            facet_counts=counts,
        )

    def phrase_occurrences(
        self, *, phrase: str, filters: tuple = (), sort: str = "newest"
    ) -> PhraseCounts:
        statement, count = occurrences_statement(phrase, filters, sort)
        if statement is None:
            return PhraseCounts()
        with self._reading() as cursor:
            cursor.execute(statement.text, statement.params)
            rows = cursor.fetchall()
        return PhraseCounts(
            article_ids=tuple(row[0] for row in rows),
            occurrences=tuple(count(row[1]) for row in rows),
        )

    def related(self, *, article_id: int, text: str, limit: int) -> list[int]:
        """Articles sharing the opening's rarest words, each weighted by its rarity (shared
        by few articles), as the words' characters and bigrams find them: no text is read."""
        words = list(dict.fromkeys(w for w in query_words(fold(text)) if len(w) >= 2))[
            :RELATED_CANDIDATE_WORDS
        ]
        queries = [phrase_terms(w).tsquery for w in words]
        queries = [q for q in queries if q]
        if not queries or limit <= 0:
            return []
        with self._reading() as cursor:
            # The planner's row count (kept by ANALYZE and autovacuum) is enough for the
            # weights, and costs nothing; counting reads every row's index entry.
            cursor.execute(
                "SELECT (SELECT reltuples FROM pg_class"
                f" WHERE oid = '{schema.DOCUMENTS}'::regclass),"
                f" EXISTS (SELECT FROM {schema.DOCUMENTS} WHERE article_id = %s)",
                [article_id],
            )
            documents, indexed = cursor.fetchone()
            if documents is None or documents < 1:  # never analysed
                cursor.execute(f"SELECT count(*) FROM {schema.DOCUMENTS}")
                documents = cursor.fetchone()[0]
            if not indexed:
                return []
            # Counted up to RELATED_COUNT_CAP: past it a word is common, and only the rarest
            # are kept; the cap bounds the rows read for an article page.
            cursor.execute(
                "SELECT q, (SELECT count(*) FROM (SELECT FROM "
                f"{schema.DOCUMENTS} d WHERE {schema.terms_of('d')} @@ q::tsquery"
                f" LIMIT {RELATED_COUNT_CAP}) AS found) FROM unnest(%s::text[]) AS q",
                [queries],
            )
            shared = [(q, n) for q, n in cursor.fetchall() if n >= 2]
            chosen = sorted(shared, key=lambda item: (item[1], item[0]))[:RELATED_TERMS]
            if not chosen:
                return []
            weights = [math.log(documents / n) + 1 for _, n in chosen]
            cursor.execute(
                "SELECT d.article_id FROM unnest(%s::text[], %s::float[]) AS k(q, w)"
                f" JOIN {schema.DOCUMENTS} d ON {schema.terms_of('d')} @@ k.q::tsquery"
                " WHERE d.article_id <> %s GROUP BY d.article_id"
                " ORDER BY sum(k.w) DESC, d.article_id LIMIT %s",
                [[q for q, _ in chosen], weights, article_id, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def version(self) -> str:
        with self._reading() as cursor:
            cursor.execute(f"SELECT version FROM {schema.STATE}")
            row = cursor.fetchone()
        return f"postgres:{row[0] if row else 0}"

    def health(self) -> IndexHealth:
        try:
            with self._reading() as cursor:
                cursor.execute(f"SELECT count(*) FROM {schema.DOCUMENTS}")
                documents = cursor.fetchone()[0]
                # Read the terms' index too, so that a damaged one shows here.
                cursor.execute(
                    f"SELECT count(*) FROM {schema.DOCUMENTS} d"
                    f" WHERE {schema.terms_of('d')} @@ %s::tsquery",
                    [phrase_terms("的").tsquery],
                )
                cursor.fetchone()
        except IndexUnavailable as error:
            return IndexHealth(ok=False, error=str(error))
        return IndexHealth(ok=True, documents=documents)

    def warm(self) -> bool:
        try:
            self.health()
            with self._reading() as cursor:
                cursor.execute(f"SELECT 1 FROM {schema.DOCUMENTS} LIMIT 1")
                return cursor.fetchone() is not None
        except IndexUnavailable:
            return False

    def indexed_versions(self) -> dict[int, str]:
        with self._reading() as cursor:
            cursor.execute(f"SELECT article_id, version FROM {schema.DOCUMENTS}")
            return dict(cursor.fetchall())

    def document_version(self, article: Article) -> str:
        return f"{schema.ROW_FORMAT}:{article.fingerprint}:{article.updated.isoformat()}"

    # -- writing ----------------------------------------------------------------------

    def _rows(self, articles: Iterable[Article]) -> list[list]:
        return [article_row(a, version=self.document_version(a)) for a in articles]

    def update(self, articles: Iterable[Article]) -> None:
        rows = self._rows(articles)
        if not rows:
            return
        columns = _column_list().split(", ")
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {schema.DOCUMENTS} ({_column_list()}) VALUES ({_values()})"
                f" ON CONFLICT (article_id) DO UPDATE SET {updates}",
                rows,
            )
            cursor.execute(schema.BUMP_VERSION)

    def remove(self, article_ids: Iterable[int]) -> None:
        ids = list(article_ids)
        if not ids:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {schema.DOCUMENTS} WHERE article_id = ANY(%s)", [ids])
            cursor.execute(schema.BUMP_VERSION)

    def rebuild(self, articles: Iterable[Article], *, total: int) -> None:
        """A new table filled, indexed and analysed beside the live one, then given its name
        in one short transaction: searches answer from the live table until then."""
        build = schema.BUILD
        with connection.cursor() as cursor:
            cursor.execute(schema.CREATE_TERMS_FUNCTION)
            cursor.execute(f"DROP TABLE IF EXISTS {build}")
            cursor.execute(schema.create_table(build))
            batch: list[Article] = []
            for article in articles:
                batch.append(article)
                if len(batch) >= BUILD_BATCH:
                    self._insert(cursor, build, batch)
                    batch = []
            self._insert(cursor, build, batch)
            with transaction.atomic():
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
                for statement in schema.create_indexes(build, f"{build}_new"):
                    cursor.execute(statement)
            cursor.execute(f"ANALYZE {build}")
            with transaction.atomic():
                cursor.execute(f"DROP TABLE IF EXISTS {schema.DOCUMENTS}")
                cursor.execute(f"ALTER TABLE {build} RENAME TO {schema.DOCUMENTS}")
                cursor.execute(f"ALTER INDEX {build}_pkey RENAME TO {schema.DOCUMENTS}_pkey")
                for name in schema.INDEX_NAMES:
                    cursor.execute(
                        f"ALTER INDEX {build}_new_{name} RENAME TO {schema.DOCUMENTS}_{name}"
                    )
                cursor.execute(schema.BUMP_VERSION)

    def _insert(self, cursor, table: str, articles: list[Article]) -> None:
        if articles:
            cursor.executemany(
                f"INSERT INTO {table} ({_column_list()}) VALUES ({_values()})",
                self._rows(articles),
            )

    def close(self) -> None:
        """Nothing to let go of: the database connection is Django's."""
