"""The search engines behind the contract (search.contract), chosen by WENCUI_SEARCH_ENGINE.

One package per engine; this module only names them and holds the one this process uses.
"""

from __future__ import annotations

import threading
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.contract import SearchEngine

# Engine name (the value of WENCUI_SEARCH_ENGINE) → its class: from_settings() makes the
# configured engine, at(directory) one kept in a directory of its own (tests, tools).
ENGINES = {
    "whoosh": "search.engines.whoosh.WhooshEngine",
    "postgres": "search.engines.postgres.PostgresEngine",
}

_lock = threading.Lock()
_engine: SearchEngine | None = None


def configured_name() -> str:
    """The configured engine's name; ImproperlyConfigured for one the archive does not have."""
    name = settings.WENCUI_SEARCH_ENGINE
    if name not in ENGINES:
        raise ImproperlyConfigured(
            f"WENCUI_SEARCH_ENGINE={name!r} is not a search engine of this archive; "
            f"choose one of: {', '.join(sorted(ENGINES))}"
        )
    return name


def engine_class(name: str) -> type:
    module, _, attribute = ENGINES[name].rpartition(".")
    return getattr(import_module(module), attribute)


def engine_at(name: str, *, directory: Path) -> SearchEngine:
    """An engine of this kind keeping its index in `directory` (tests, tools); not built yet."""
    return engine_class(name).at(directory)


def get_engine() -> SearchEngine:
    """The engine this process searches and indexes with, made on first use and then shared
    by its threads (an engine keeps what it read of the index between calls)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = engine_class(configured_name()).from_settings()
    return _engine


def use_engine(engine: SearchEngine | None) -> SearchEngine | None:
    """Make `engine` the one this process uses (None: the configured one, made again on next
    use); returns the one used before. For tests and tools that build an index elsewhere."""
    global _engine
    with _lock:
        previous, _engine = _engine, engine
    return previous
