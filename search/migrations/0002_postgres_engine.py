"""The PostgreSQL engine's tables (search.engines.postgres), on PostgreSQL only."""

from django.db import migrations

from search.engines.postgres.schema import on_postgresql

CREATE = [
    "CREATE SEQUENCE search_postgres_version",
    "CREATE TABLE search_postgres_state"
    " (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
    "INSERT INTO search_postgres_state VALUES (1, nextval('search_postgres_version'))",
    """CREATE TABLE search_postgres_document (
    article_id bigint PRIMARY KEY,
    version text NOT NULL,
    folded text NOT NULL,
    title text NOT NULL,
    author text NOT NULL,
    source text NOT NULL,
    terms tsvector NOT NULL,
    date_key integer NOT NULL,
    facet_source text,
    facet_year integer,
    facet_author text
)""",
    "CREATE INDEX search_postgres_document_terms ON search_postgres_document USING gin (terms)",
    "CREATE INDEX search_postgres_document_source_year"
    " ON search_postgres_document (facet_source, facet_year)",
    "CREATE INDEX search_postgres_document_year ON search_postgres_document (facet_year)",
    "CREATE INDEX search_postgres_document_author ON search_postgres_document (facet_author)",
]
DROP = [
    "DROP TABLE IF EXISTS search_postgres_document_build",
    "DROP TABLE IF EXISTS search_postgres_document",
    "DROP TABLE IF EXISTS search_postgres_state",
    "DROP SEQUENCE IF EXISTS search_postgres_version",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False)]
