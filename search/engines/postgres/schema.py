"""The engine's tables: one row per article (its folded text, its terms, its facet values),
and the version every write moves; the planner settings its queries need."""

from __future__ import annotations

from search.engines.postgres.terms import terms_function_sql
from search.facets import FACETS, Facet, Kind

DOCUMENTS = "search_postgres_document"
# A rebuild fills this table beside the live one, then takes its name.
BUILD = "search_postgres_document_build"
STATE = "search_postgres_state"
# Never reused, even by a rolled-back transaction: a version names one content only.
VERSIONS = "search_postgres_version"

# Bumped when what a row holds for an article changes: check_index --fix then re-indexes
# every article.
ROW_FORMAT = "2"
# The function making a folded text's terms (terms.terms_function_sql), named for the rule
# it follows: a new rule is a new function (and index), never a change under a live index.
TERMS_FUNCTION = "search_postgres_terms_v2"
CREATE_TERMS_FUNCTION = terms_function_sql(TERMS_FUNCTION)


def terms_of(row: str) -> str:
    """The terms of a row (alias `row`), as the GIN index holds them: in a condition
    `terms @@ query`, the index answers without computing them."""
    return f"{TERMS_FUNCTION}({row}.folded)"


def facet_column(facet: Facet) -> str:
    return f"facet_{facet.name}"


def _facet_columns() -> str:
    return "".join(
        f",\n    {facet_column(f)} {'integer' if f.kind is Kind.YEAR else 'text'}" for f in FACETS
    )


def create_table(name: str) -> str:
    """The rows' table. `folded` is the searchable text, folded, segments apart ("\\n");
    its terms are in the GIN index only (terms_of); title, author and source are folded
    for title:, author: and source:."""
    return f"""
CREATE TABLE {name} (
    article_id bigint PRIMARY KEY,
    version text NOT NULL,
    folded text NOT NULL,
    title text NOT NULL,
    author text NOT NULL,
    source text NOT NULL,
    date_key integer NOT NULL{_facet_columns()}
)"""


def create_indexes(table: str, prefix: str) -> list[str]:
    """The GIN index of the terms (characters and bigrams, no positions: they cap at 16,383
    and would lose the end of long articles), and btrees for the filters: a filtered query
    combines them (BitmapAnd) instead of checking every match's row."""
    source, year, author = (facet_column(f) for f in FACETS)
    return [
        f"CREATE INDEX {prefix}_terms ON {table} USING gin ({TERMS_FUNCTION}(folded))",
        f"CREATE INDEX {prefix}_source_year ON {table} ({source}, {year})",
        f"CREATE INDEX {prefix}_year ON {table} ({year})",
        f"CREATE INDEX {prefix}_author ON {table} ({author})",
    ]


INDEX_NAMES = ("terms", "source_year", "year", "author")

CREATE_STATE = [
    f"CREATE SEQUENCE {VERSIONS}",
    f"CREATE TABLE {STATE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
    f"INSERT INTO {STATE} VALUES (1, nextval('{VERSIONS}'))",
]

BUMP_VERSION = f"UPDATE {STATE} SET version = nextval('{VERSIONS}')"

# Per transaction (SET LOCAL), for this engine's reads only. Row estimates for terms are
# far off (hundreds estimated for tens of thousands found): left alone, the planner scans
# the whole table for a common term. JIT compiles for longer than these queries run.
# Parallel sequential scans (a LIKE with no term) are costed on the small main table, not
# the text stored out of line, so they are allowed from any size.
PLANNER_SETTINGS = (
    "SET LOCAL jit = off",
    # Bitmaps of matches stay exact (one bit per row): a lossy page is checked row by row,
    # which would compute each row's terms from its text.
    "SET LOCAL work_mem = '64MB'",
    "SET LOCAL enable_seqscan = off",
    "SET LOCAL min_parallel_table_scan_size = 0",
    "SET LOCAL parallel_setup_cost = 100",
)


def on_postgresql(statements: list[str]):
    """A migration step running these statements on PostgreSQL only: other databases have
    no use for this engine's tables, and SQLite installs stay as they were."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run
