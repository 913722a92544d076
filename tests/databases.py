"""The database behind a data directory that tests hand to `manage.py` and gunicorn processes.

On SQLite it is the file inside the directory, copied with it. On PostgreSQL each directory
gets a database of its own on the session's server, named after the directory, and a
copied directory a copy of its database.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from pathlib import Path

from django.conf import settings

_created: set[str] = set()


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def database_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:20]
    return f"wencui_data_{digest}"


def _server():
    import psycopg

    default = settings.DATABASES["default"]
    return psycopg.connect(
        host=default["HOST"],
        port=default["PORT"],
        user=default["USER"],
        password=default["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _create(name: str, template: str | None = None) -> None:
    from psycopg import sql

    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _server() as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(statement)
    _created.add(name)


def database_environment(data_dir: Path) -> dict[str, str]:
    """The variables pointing a process at `data_dir`'s database (on SQLite, none needed)."""
    if not on_postgres():
        return {}
    name = database_name(data_dir)
    if name not in _created:
        _create(name)
    default = settings.DATABASES["default"]
    credentials = urllib.parse.quote(default["USER"], safe="")
    if default["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(default["PASSWORD"], safe="")
    return {"DATABASE_URL": f"postgres://{credentials}@{default['HOST']}:{default['PORT']}/{name}"}


def copy_database(source: Path, target: Path) -> None:
    """Give `target` a copy of `source`'s database (a copied SQLite file needs nothing)."""
    if on_postgres():
        # Every process that used the source has ended, so it can serve as a template.
        _create(database_name(target), template=database_name(source))


def drop_databases() -> None:
    """Drop the databases made for data directories, connected processes or not."""
    from psycopg import sql

    if not _created:
        return
    with _server() as connection:
        for name in sorted(_created):
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    _created.clear()
