"""A copy, in this process, of a shared cache whose entries never change.

The ``template_fragments`` alias holds HTML under keys that are digests of everything
it shows (apps/core/pages.py, the ``{% cache %}`` tags): once written, a key always
means the same value. So a value read once can be kept in the process that read it
and served again with no round trip to Redis and nothing to unpickle. ``NearCache``
keeps the most recently used entries, up to ``MAX_CHARS`` characters in all, in front
of the alias its ``LOCATION`` names, and reads and writes that alias for the rest.

Only strings, and tuples of strings, are kept in the process: a caller cannot change
them in place. Other values go to the shared cache alone. A delete or a clear reaches
the shared cache and this process's copy, not other processes' copies: right for
entries that never change, wrong for any other use. Use it for digest-keyed entries
only.
"""

from __future__ import annotations

import threading
import time

from cachetools import LRUCache
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_MISSING = object()

# One copy per shared alias and process, shared by the threads (Django builds a backend
# instance per thread). cachetools' caches are not thread-safe: each has its lock.
_copies: dict[str, tuple[LRUCache, threading.Lock]] = {}
_copies_lock = threading.Lock()


def _chars(entry: tuple) -> int:
    value, _expires = entry
    return len(value) if isinstance(value, str) else sum(len(part) for part in value)


def _keepable(value) -> bool:
    return isinstance(value, str) or (
        isinstance(value, tuple) and all(isinstance(part, str) for part in value)
    )


class NearCache(BaseCache):
    """``LOCATION``: the alias of the shared cache. ``OPTIONS["MAX_CHARS"]``: how much
    this process keeps (16 Mi characters unless set)."""

    def __init__(self, location: str, params: dict):
        super().__init__(params)
        self._shared_alias = location
        max_chars = int(params.get("OPTIONS", {}).get("MAX_CHARS", 16 * 1024 * 1024))
        with _copies_lock:
            if location not in _copies:
                _copies[location] = (LRUCache(max_chars, getsizeof=_chars), threading.Lock())
            self._copy, self._lock = _copies[location]

    @property
    def _shared(self) -> BaseCache:
        return caches[self._shared_alias]

    def _keep(self, key: str, value, timeout) -> None:
        if not _keepable(value):
            return
        expires = self.get_backend_timeout(timeout)
        with self._lock:
            try:
                self._copy[key] = (value, expires)
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
            value, expires = entry
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
        self._forget(self.make_key(key, version))
        return self._shared.delete(key, version=version)

    def has_key(self, key, version=None):
        return self.get(key, _MISSING, version=version) is not _MISSING

    def clear(self):
        self.clear_copy()
        self._shared.clear()

    def clear_copy(self) -> None:
        """Drop this process's copy only (the shared cache and other processes keep
        theirs)."""
        with self._lock:
            self._copy.clear()
