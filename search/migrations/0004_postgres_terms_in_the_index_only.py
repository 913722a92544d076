"""The PostgreSQL engine's terms live in its GIN index only, made from the folded text by a
SQL function, instead of a stored tsvector column as large again as the text (PostgreSQL
only). Rows keep their folded text: check_index --fix re-indexes them for the new format."""

from django.db import migrations

from search.engines.postgres.schema import on_postgresql
from search.engines.postgres.terms import terms_function_sql

FUNCTION = "search_postgres_terms_v2"
FORWARD = [
    terms_function_sql(FUNCTION),
    "DROP TABLE IF EXISTS search_postgres_document_build",
    "DROP INDEX IF EXISTS search_postgres_document_terms",
    "ALTER TABLE search_postgres_document DROP COLUMN terms",
    "CREATE INDEX search_postgres_document_terms ON search_postgres_document"
    f" USING gin ({FUNCTION}(folded))",
]
BACKWARD = [
    "DROP TABLE IF EXISTS search_postgres_document_build",
    "DROP INDEX IF EXISTS search_postgres_document_terms",
    "ALTER TABLE search_postgres_document ADD COLUMN terms tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_postgres_document_terms ON search_postgres_document USING gin (terms)",
    f"DROP FUNCTION IF EXISTS {FUNCTION}(text)",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0003_reuse")]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False)
    ]
