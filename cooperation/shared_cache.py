"""The cache that several app servers share (Redis, when REDIS_URL is set), which no page ever
waits on: while Redis does not answer, every read is a miss and every write is dropped, so
pages are rendered from the database; /healthz says so."""

import logging
import pickle
import threading
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After a failure, Redis is left alone this long before it is asked again: a page then pays
# no connection attempt, and the log gets one line per outage, not one per request.
RETRY_SECONDS = 1.0

# What unpickling a value that other code kept may raise.
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, IndexError)

_down_until = {}  # the server's address -> monotonic time until which it is not asked
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    """Django's Redis cache, with an outage read as a miss (the caller's default) rather than
    raised into a page."""

    def _guarded(self, default, operation, *args, **kwargs):
        import redis

        location = self._servers[0]
        down_until = _down_until.get(location)
        if down_until is not None and time.monotonic() < down_until:
            return default
        try:
            result = operation(*args, **kwargs)
        except UNREADABLE as error:
            # A value kept by other code (a class since renamed): a miss, and Redis is fine.
            logger.warning("Shared cache: a value that cannot be read, ignored: %r", error)
            return default
        except redis.RedisError as error:
            with _lock:
                if location not in _down_until:
                    logger.error("Shared cache unavailable, pages are rendered afresh: %s", error)
                _down_until[location] = time.monotonic() + RETRY_SECONDS
            return default
        if down_until is not None:
            self._answered()
        return result

    def _answered(self):
        with _lock:
            if _down_until.pop(self._servers[0], None) is not None:
                logger.warning("Shared cache available again.")

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guarded(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        self._guarded(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read counts this one call: limits are not kept during an
        # outage (the admin's own lock-out, in the database, still is).
        return self._guarded(delta, super().incr, key, delta, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._guarded(None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded(False, super().clear)

    def state(self):
        """ "ok" or what is wrong, asked of Redis now (for /healthz)."""
        import redis

        try:
            self._cache.get_client(write=True).ping()
        except redis.RedisError as error:
            return f"unavailable ({type(error).__name__})"
        self._answered()
        return "ok"
