"""Project-wide middleware: a JSON log line per request, security headers, 503s for the database."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import unquote_plus, urlsplit

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from psycopg import errors as postgres_errors

request_log = logging.getLogger("wencui.request")
database_log = logging.getLogger("wencui.database")

MAX_LOGGED_PATH = 500
MAX_LOGGED_QUERY = 200
MAX_LOGGED_USER_AGENT = 200


def _truncated(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class RequestLogMiddleware:
    """Log every request once on `wencui.request`, with its fields for the JSON formatter.

    First in MIDDLEWARE, so that the duration covers the whole stack and the status is the
    one sent, redirects and static files included. Static files and /healthz, which load
    balancers poll, are logged at DEBUG unless they fail; server errors at ERROR. No header
    but the User-Agent is logged: never cookies or credentials.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.quiet_prefixes = ("/healthz", urlsplit(settings.STATIC_URL or "/static/").path)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status >= 500:
            level = logging.ERROR
        elif status < 400 and request.path.startswith(self.quiet_prefixes):
            level = logging.DEBUG
        else:
            level = logging.INFO
        if request_log.isEnabledFor(level):
            request_log.log(
                level,
                "%s %s %s",
                request.method,
                _truncated(request.path, MAX_LOGGED_PATH),
                status,
                extra={"fields": self.fields(request, response, duration_ms)},
            )
        return response

    @staticmethod
    def fields(request: HttpRequest, response: HttpResponse, duration_ms: float) -> dict:
        # WSGI gives the query string as the raw bytes decoded as Latin-1.
        raw_query = request.META.get("QUERY_STRING", "")
        query = unquote_plus(
            raw_query.encode("latin-1", "replace").decode("utf-8", "replace"), errors="replace"
        )
        if response.has_header("Content-Length"):
            size = int(response["Content-Length"])
        elif response.streaming:
            size = None  # not known before the body has been sent
        else:
            size = len(response.content)
        return {
            "method": request.method,
            "path": _truncated(request.path, MAX_LOGGED_PATH),
            "query": _truncated(query, MAX_LOGGED_QUERY),
            "query_bytes": len(raw_query),
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
            "bytes": size,
            "remote_addr": request.META.get("REMOTE_ADDR", ""),
            "user_agent": _truncated(
                request.META.get("HTTP_USER_AGENT", ""), MAX_LOGGED_USER_AGENT
            ),
        }


# Pages load nothing from elsewhere and run no inline script or style.
STRICT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's admin sets a few inline styles of its own.
ADMIN_POLICY = STRICT_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = ADMIN_POLICY if request.path.startswith("/admin/") else STRICT_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class DatabaseUnavailableMiddleware:
    """A view whose query the database cancelled (WENCUI_STATEMENT_TIMEOUT_MS) or could not
    run (the server is down or refuses writes) answers 503, logged, instead of a 500: the
    reader is told to try again, the API's clients get JSON. The page is rendered without
    the database, like the 500 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        cause = exception.__cause__
        if isinstance(cause, postgres_errors.QueryCanceled):
            reason = "statement_timeout"
            message = gettext(
                "这个请求在数据库里用时太长，已被中止。请缩小范围（例如加上筛选条件）后再试。"
            )
        elif isinstance(exception, OperationalError) or isinstance(
            cause, postgres_errors.ReadOnlySqlTransaction
        ):
            # The server is unreachable, or only a read-only replica is (a write then fails).
            reason = "database_unavailable"
            message = gettext("数据库暂时不可用，请稍后再试。")
        else:
            return None
        database_log.error(
            "%s %s: %s",
            request.method,
            request.path,
            reason,
            extra={"fields": {"reason": reason, "path": request.path, "error": str(exception)}},
        )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": message}, status=503, json_dumps_params={"ensure_ascii": False}
            )
        else:
            response = HttpResponse(
                loader.get_template("503.html").render({"message": message}), status=503
            )
        response["Retry-After"] = "30"
        return response
