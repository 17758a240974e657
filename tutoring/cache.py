"""The cache of rate-limit counters: Redis while it answers, this process's memory when not.

With ``REDIS_URL`` set, every process counts rate limits in Redis, so a limit holds across
processes. If Redis is unreachable, failing every request that counts (turns, messages,
``/say``, admin logins) would turn a broken optional dependency into a broken chat; failing
open would drop the limits exactly when something is already wrong. So the counters move to
this process's memory: each process still enforces the configured limit (a client spread over
N processes may get up to N times it), and the log says so once (``tutoring.breaker``).
Redis is tried again every few seconds and used as soon as it answers.

Django builds a cache object per request context under ASGI, and the stock ``RedisCache``
gives each object its own connection pool: a new TCP connection to Redis per request. Here
the Redis client (with its pool), the breaker and the fallback counters are per process.
"""

import logging
import threading

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from tutoring.breaker import CircuitBreaker

logger = logging.getLogger(__name__)

# Besides Redis's own errors, a broken socket can surface as OSError.
REDIS_ERRORS = (RedisError, OSError)

# Counters of this many clients and sessions fit before the oldest third is dropped.
LOCAL_MAX_ENTRIES = 10_000

_lock = threading.Lock()
_clients: dict[str, RedisCacheClient] = {}
_breakers: dict[str, CircuitBreaker] = {}


def reset_breakers() -> None:
    """Forget every outage (tests start from a known state)."""
    with _lock:
        for breaker in _breakers.values():
            breaker.reset()


class FallbackRedisCache(RedisCache):
    """Django's ``RedisCache`` that falls back to a per-process ``LocMemCache``.

    ``OPTIONS`` are those of ``RedisCache`` plus ``RETRY_SECONDS`` (default 5): how long to
    use the fallback after a failure before trying Redis again.
    """

    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("RETRY_SECONDS", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        location = ",".join(self._servers)
        self._shared_key = f"{location} {sorted(options.items())!r} {retry_after}"
        # LocMemCache objects with one name share their storage within the process.
        self.fallback = LocMemCache(
            f"redis-fallback:{self._shared_key}",
            {"KEY_PREFIX": self.key_prefix, "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}},
        )
        with _lock:
            if self._shared_key not in _breakers:
                _breakers[self._shared_key] = CircuitBreaker(
                    "Redis (rate-limit counters)",
                    while_down="rate limits are counted per process",
                    logger=logger,
                    retry_after=retry_after,
                )
            self.breaker = _breakers[self._shared_key]

    @property
    def _cache(self) -> RedisCacheClient:
        client = _clients.get(self._shared_key)
        if client is None:
            with _lock:
                client = _clients.setdefault(
                    self._shared_key, self._class(self._servers, **self._options)
                )
        return client

    def _either(self, method: str, *args, **kwargs):
        if self.breaker.allows_call():
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except REDIS_ERRORS:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
                return result
        return getattr(self.fallback, method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        self.fallback.clear()
        return self._either("clear")
