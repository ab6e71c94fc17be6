"""The cache backends: for a single web host, Django's file cache culled on a clock instead of on every
write (``FileCache``); for several, Django's Redis cache made to fail open (``FailOpenRedisCache``, below).

Django's ``FileBasedCache`` lists its whole folder (a ``glob``) on every ``set`` to decide whether to cull,
so each write costs time in proportion to the number of entries. The API's rate throttle writes on every
request (directives/api/throttling.py), and the folder holds two counters per client active in the last two
minutes besides everything else, up to ``MAX_ENTRIES`` (10,000 here): one throttle check took 0.77 ms with
the folder empty, 4.9 ms with 1,000 other entries and 20 ms with 5,000; with this class 0.69, 0.76 and
1.6 ms (``python bench/throttle.py``, docs/benchmarks.md, section 4). Django's documentation recommends this subclass for a large number of
files (ticket #29994).

This one lists the folder at most once every ``CULL_INTERVAL`` seconds (an ``OPTIONS`` key, default 10) per
process. Culling itself is Django's: once the folder holds ``MAX_ENTRIES`` files, a ``1/CULL_FREQUENCY``
share of them is removed at random. Between two culls a process may write past ``MAX_ENTRIES`` by what it
writes in the interval. Expired entries are still deleted when read, as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("docket.cache")

REDIS_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class FileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        options = params.get("OPTIONS", {})
        self._cull_interval = float(options.get("CULL_INTERVAL", 10))
        self._next_cull = 0.0  # the first write of a process culls if needed

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + self._cull_interval
        super()._cull()  # type: ignore[misc]  # private in Django, absent from django-stubs


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache that fails open: while Redis cannot be reached it behaves as an empty cache that
    keeps nothing (as Django's ``DummyCache``), so that a Redis outage costs the cache's benefits, never a
    request. What the cache holds here is derived or best effort (throttle counters, the dashboard's
    snapshot and its lock); the truth is in the database.

    After a failure Redis is left alone for ``FAIL_OPEN_RETRY_SECONDS`` (an ``OPTIONS`` key, default 5) per
    process, so that a host that drops packets costs one connect timeout per interval, not one per call;
    the connect and read timeouts default to half a second. ``probe()`` (for /healthz) always asks Redis.
    Only connection errors and timeouts are swallowed: a command Redis refuses is a bug and still raises."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._retry_seconds = float(options.pop("FAIL_OPEN_RETRY_SECONDS", 5))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0

    def _guarded(self, fallback: Any, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = call(*args, **kwargs)
        except REDIS_UNAVAILABLE as exc:
            if not self._down_until:
                log.warning("cache: Redis unreachable (%s); serving without a cache", type(exc).__name__)
            self._down_until = time.monotonic() + self._retry_seconds
            return fallback
        if self._down_until:
            log.warning("cache: Redis reachable again")
            self._down_until = 0.0
        return result

    def probe(self) -> None:
        """One PING, whatever the recent failures; raises when Redis cannot be reached."""
        self._cache.get_client(write=True).ping()  # type: ignore[attr-defined]  # absent from django-stubs

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._guarded(True, super().add, key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guarded(default, super().get, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._guarded(False, super().touch, key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._guarded(False, super().delete, key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return dict(self._guarded({}, super().get_many, keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._guarded(False, super().has_key, key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        result = self._guarded(None, super().incr, key, delta, version)
        if result is None:  # as on an empty cache: callers already handle a key that is not there
            raise ValueError(f"Key {key!r} not found (the cache is unavailable)")
        return int(result)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return list(self._guarded([], super().set_many, data, timeout, version) or [])

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guarded(None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._guarded(None, super().clear)
