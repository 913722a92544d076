"""Django's Redis cache, which a Redis that is down cannot turn into error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

log = logging.getLogger("wencui.cache")


class RedisCache(DjangoRedisCache):
    """What is kept here can always be made again, so a Redis that is down or slow costs the
    time to make it, never an error page: reads and writes that fail are logged and let go.
    Other operations (the rate limits' counters) raise, and their callers decide."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            log.warning("shared cache unavailable, reading past it: %s", error)
            return default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            log.warning("shared cache unavailable, not keeping a page: %s", error)
