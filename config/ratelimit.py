"""Per-client request limits on the pages that cost the most (search, the API, feeds and
citation downloads, the admin's login), counted in Django's cache."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from redis.exceptions import RedisError

log = logging.getLogger("wencui.ratelimit")


def scope(request: HttpRequest) -> str | None:
    """Which limit a request counts against, if any."""
    path = request.path
    # A search's export (up to thousands of articles) and its feed cost what a feed does.
    if path in ("/search/export", "/search/feed/"):
        return "heavy"
    if path.startswith(("/search/", "/concordance/")):
        return "search"
    if path.startswith("/api/"):
        return "api"
    # A reuse check or two articles side by side: as heavy as a search.
    if path.startswith("/reuse/") or (path.startswith("/articles/") and "/reuse/" in path):
        return "search"
    if path.startswith("/feeds/") or path.endswith(("/cite.bib", "/cite.ris")):
        return "heavy"
    # Only attempts to sign in count: showing the form costs nothing.
    if path == "/admin/login/" and request.method == "POST":
        return "login"
    return None


def client_address(request: HttpRequest) -> str:
    """The client's address: behind the trusted proxy of production mode, the first of
    X-Forwarded-For (which the proxy must set, not append to); otherwise the peer's."""
    if settings.PRODUCTION:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            return forwarded[:64]
    return request.META.get("REMOTE_ADDR", "")


def count(key: str, requests: int, seconds: int) -> int | None:
    """Count a request in its client's current window of `seconds`: past `requests`, the
    seconds until the window ends; else None."""
    now = time.time()
    window = int(now // seconds)
    cache_key = f"ratelimit:{key}:{window}"
    # add() starts the count only if no other worker has; incr() is atomic in Redis (and
    # under LocMem's lock).
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        made = cache.incr(cache_key)
    except ValueError:  # expired between the two calls: this request starts the window
        cache.set(cache_key, 1, timeout=seconds + 1)
        made = 1
    if made <= requests:
        return None
    return max(1, int((window + 1) * seconds - now) + 1)


class RateLimitMiddleware:
    """Answers 429, with Retry-After, to a client past its limit for the kind of page it
    asks for (settings.WENCUI_RATE_LIMITS). After LocaleMiddleware, so the page is in the
    reader's language. A cache that does not answer lets requests through: a limit is a
    guard, not a reason to refuse readers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = scope(request)
        requests, seconds = settings.WENCUI_RATE_LIMITS.get(name, (0, 0)) if name else (0, 0)
        if requests > 0:
            try:
                retry_after = count(f"{name}:{client_address(request)}", requests, seconds)
            except RedisError as error:
                log.warning("rate limit not counted, the cache is unavailable: %s", error)
                retry_after = None
            if retry_after is not None:
                log.info(
                    "rate limit %s reached",
                    name,
                    extra={"fields": {"scope": name, "client": client_address(request)}},
                )
                return too_many_requests(request, name, retry_after)
        return self.get_response(request)


def too_many_requests(request: HttpRequest, name: str, retry_after: int) -> HttpResponse:
    if name == "api":
        response: HttpResponse = JsonResponse(
            {"error": gettext("请求太频繁，请稍后再试。"), "retry_after": retry_after},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
