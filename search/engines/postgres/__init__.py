"""The PostgreSQL engine (WENCUI_SEARCH_ENGINE=postgres), its index in the archive's database.

- engine.py: the engine contract's implementation;
- schema.py: its tables (a row per article, the version) and the planner settings it needs;
- rows.py: what a row holds of an article (folded text, terms, facet values);
- terms.py: character and bigram terms of articles and phrases, LIKE patterns;
- matching.py: a search as one SQL statement (matches, total, facets, the page in order).

Its tables are made by the search app's migrations, on PostgreSQL only.
"""

from search.engines.postgres.engine import PostgresEngine

__all__ = ["PostgresEngine"]
