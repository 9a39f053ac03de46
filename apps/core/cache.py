"""A copy, in this process, of a shared cache whose entries never change.

The ``template_fragments`` alias holds HTML under keys that are digests of everything
it shows (apps/core/pages.py, the ``{% cache %}`` tags): once written, a key always
means the same value. So a value read once can be kept in the process that read it
and served again with no round trip to Redis and nothing to unpickle. ``NearCache``
keeps the most recently used entries, up to ``MAX_BYTES`` of memory in all, in front of
the alias its ``LOCATION`` names, and reads and writes that alias for the rest.

Only strings (``str`` and Django's ``SafeString``), and tuples of them, are kept in the
process: a caller cannot change them in place. Other values go to the shared cache
alone. A delete or a clear reaches the shared cache and this process's copy, not other
processes' copies: right for entries that never change, wrong for any other use. Use it
for digest-keyed entries only.

Also here: ``skip_closing_caches``, which spares each request Django's call to every
cache's ``close()`` when none of the configured backends' ``close()`` does anything.
"""

from __future__ import annotations

import sys
import threading
import time

from cachetools import LRUCache
from django.conf import settings
from django.core.cache import caches, close_caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.signals import request_finished
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

_MISSING = object()
_STRINGS = (str, SafeString)
# What an entry costs besides its value and key: the tuple, the expiry and the LRU's
# own bookkeeping (measured near 200 bytes on CPython 3.11).
ENTRY_OVERHEAD = 256

# One copy per shared alias, size and process, shared by the threads (Django builds a
# backend instance per thread). cachetools' caches are not thread-safe: each has a lock.
_copies: dict[tuple[str, int], tuple[LRUCache, threading.Lock]] = {}
_copies_lock = threading.Lock()


def _keepable(value) -> bool:
    if type(value) in _STRINGS:
        return True
    return type(value) is tuple and all(type(part) in _STRINGS for part in value)


def _size(key: str, value) -> int:
    """Bytes, as CPython holds them: a string with "₩" in it takes two a character, and
    keeps its UTF-8 form beside it once it has been pickled."""
    parts = (value,) if type(value) in _STRINGS else (value, *value)
    return ENTRY_OVERHEAD + sys.getsizeof(key) + sum(sys.getsizeof(part) for part in parts)


class NearCache(BaseCache):
    """``LOCATION``: the alias of the shared cache. ``OPTIONS["MAX_BYTES"]``: how much
    memory this process's copy may take (32 MiB unless set)."""

    def __init__(self, location: str, params: dict):
        super().__init__(params)
        self._shared_alias = location
        max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))
        with _copies_lock:
            if (location, max_bytes) not in _copies:
                copy = LRUCache(max_bytes, getsizeof=lambda entry: entry[2])
                _copies[location, max_bytes] = (copy, threading.Lock())
            self._copy, self._lock = _copies[location, max_bytes]

    @property
    def _shared(self) -> BaseCache:
        return caches[self._shared_alias]

    def _keep(self, key: str, value, timeout) -> None:
        if not _keepable(value):
            return
        entry = (value, self.get_backend_timeout(timeout), _size(key, value))
        with self._lock:
            try:
                self._copy[key] = entry
            except ValueError:  # larger than the whole copy: the shared cache has it
                self._copy.pop(key, None)

    def _forget(self, key: str) -> None:
        with self._lock:
            self._copy.pop(key, None)

    def get(self, key, default=None, version=None):
        local = self.make_key(key, version)
        with self._lock:
            entry = self._copy.get(local)
        if entry is not None:
            value, expires, _ = entry
            if expires is None or expires > time.time():
                return value
            self._forget(local)
        value = self._shared.get(key, _MISSING, version=version)
        if value is _MISSING:
            return default
        # How long the shared cache keeps it is not known here: this alias's timeout.
        self._keep(local, value, DEFAULT_TIMEOUT)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._shared.set(key, value, timeout, version=version)
        self._keep(self.make_key(key, version), value, timeout)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self._shared.add(key, value, timeout, version=version)
        if added:
            self._keep(self.make_key(key, version), value, timeout)
        return added

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(self.make_key(key, version))  # read again, with its new time
        return self._shared.touch(key, timeout, version=version)

    def delete(self, key, version=None):
        # The shared entry first, so a read between the two cannot bring it back here.
        # Another thread's read that began before may still keep it: this cache is for
        # entries that never change, which no one needs to delete.
        deleted = self._shared.delete(key, version=version)
        self._forget(self.make_key(key, version))
        return deleted

    def has_key(self, key, version=None):
        return self.get(key, _MISSING, version=version) is not _MISSING

    def clear(self):
        """Both copies. On django-redis, the shared cache's ``clear()`` empties the whole
        Redis database, other aliases' keys included; ``clear_copy()`` is the one to use
        to free this process's memory."""
        self.clear_copy()
        self._shared.clear()

    def clear_copy(self) -> None:
        """Drop this process's copy only (the shared cache and other processes keep
        theirs)."""
        with self._lock:
            self._copy.clear()


# --- Closing caches after a request ---------------------------------------------------

# Django calls close() on every cache a thread has used after each request (close_caches
# on request_finished), through two context-local lookups an alias. Most backends'
# close() is BaseCache's, which does nothing; django-redis's closes its pool only when
# asked to. With only those configured, the call is cost and nothing else.


def _close_does_nothing(params: dict) -> bool:
    backend = import_string(params["BACKEND"])
    if params["BACKEND"].startswith("django_redis."):
        from django_redis.cache import RedisCache
        from django_redis.client import DefaultClient

        options = params.get("OPTIONS", {})
        client = import_string(options.get("CLIENT_CLASS", "django_redis.client.DefaultClient"))
        asked = options.get(
            "CLOSE_CONNECTION", getattr(settings, "DJANGO_REDIS_CLOSE_CONNECTION", False)
        )
        # The client's close() disconnects only when asked (CLOSE_CONNECTION).
        return (
            backend.close is RedisCache.close and client.close is DefaultClient.close and not asked
        )
    return backend.close is BaseCache.close


def skip_closing_caches() -> bool:
    """Stop closing the caches after each request when no configured cache's close()
    does anything (33 µs a request with the shop's four aliases, docs/performance.md).
    With any other backend (memcached, say) Django's receiver stays. True if it was
    removed."""
    if all(_close_does_nothing(params) for params in settings.CACHES.values()):
        return request_finished.disconnect(close_caches)
    return False
