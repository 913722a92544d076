"""Read replicas: page reads go to a streaming replica that answers, writes to the primary."""

from __future__ import annotations

import contextvars
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger("wencui.database")

# Set after a write, so that the client's next pages read what it wrote, even from a replica
# that has not replayed it yet (streaming replicas trail by milliseconds, a busy one by more).
PRIMARY_COOKIE = "wencui_primary"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


@dataclass
class RequestReads:
    """Where this request reads: `pinned` to the primary, else the replicas it `used`."""

    pinned: bool
    wrote: bool = False
    used: set[str] = field(default_factory=set)


_reads: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "wencui_reads", default=None
)


class ReplicaHealth:
    """Which replicas answered lately: each is checked (SELECT 1) at most once every
    settings.WENCUI_REPLICA_CHECK_SECONDS per process, and one found down is left alone
    that long."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[bool, float]] = {}  # alias: (up, when checked)

    def up(self, alias: str) -> bool:
        now = time.monotonic()
        with self._lock:
            known = self._state.get(alias)
        if known and now - known[1] < settings.WENCUI_REPLICA_CHECK_SECONDS:
            return known[0]
        up = self._check(alias)
        with self._lock:
            self._state[alias] = (up, now)
        return up

    def mark_down(self, alias: str) -> None:
        with self._lock:
            self._state[alias] = (False, time.monotonic())
        _close_quietly(alias)

    def forget(self) -> None:
        with self._lock:
            self._state.clear()

    @staticmethod
    def _check(alias: str) -> bool:
        connection = connections[alias]
        try:
            connection.ensure_connection()
            if connection.is_usable():
                return True
        except DatabaseError as error:
            log.warning("replica %s unavailable, reading from the primary: %s", alias, error)
        else:
            log.warning("replica %s unavailable, reading from the primary", alias)
        _close_quietly(alias)
        return False


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        pass  # a broken connection may fail to close; it is dropped all the same


health = ReplicaHealth()


class ReplicaRouter:
    """Reads of a page request (ReplicaMiddleware) go to a replica that answers, in random
    order; everything else (writes, the rest of a request that wrote, a client that just
    wrote, management commands) to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        reads = _reads.get()
        if reads is None or reads.pinned or not settings.WENCUI_REPLICAS:
            return DEFAULT_DB_ALIAS
        for alias in random.sample(settings.WENCUI_REPLICAS, len(settings.WENCUI_REPLICAS)):
            if health.up(alias):
                reads.used.add(alias)
                return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        reads = _reads.get()
        if reads is not None:
            reads.pinned = reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Decides where a request reads, and retries on the primary a read whose replica failed.

    Last in MIDDLEWARE: its process_exception sees a view's error before the 503 of
    DatabaseUnavailableMiddleware, and a safe request (nothing written) is run again once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.WENCUI_REPLICAS:
            return self.get_response(request)
        reads = RequestReads(
            pinned=request.method not in SAFE_METHODS or PRIMARY_COOKIE in request.COOKIES
        )
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                PRIMARY_COOKIE,
                "1",
                max_age=settings.WENCUI_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        reads = _reads.get()
        if (
            reads is None
            or reads.wrote
            or not reads.used
            or not isinstance(exception, DatabaseError)
        ):
            return None
        failed = [alias for alias in reads.used if not _usable(alias)]
        if not failed:
            return None
        for alias in failed:
            log.warning(
                "replica %s failed during %s, reading from the primary",
                alias,
                request.path,
                extra={"fields": {"replica": alias, "path": request.path, "error": str(exception)}},
            )
            health.mark_down(alias)
        reads.pinned = True
        match = request.resolver_match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except DatabaseError:
            return None  # the primary failed too: the first error goes on to its 503


def _usable(alias: str) -> bool:
    connection = connections[alias]
    try:
        return connection.connection is not None and connection.is_usable()
    except DatabaseError:
        return False
