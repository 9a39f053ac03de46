"""Sessions kept in the database and read through the cache (Redis).

Django's ``cached_db`` engine with these changes, so that trouble with Redis never
logs anyone out and never brings back a session that was changed or ended:

- A cache that does not answer on read is not an empty session (Django's ``cache``
  engine reads it so, and the session middleware then deletes the shopper's cookie):
  the row in the database is read instead. A database that does not answer either
  raises, and the fault handler answers 503 with the cookie untouched.
- Every session lives in the database, so a Redis restart without persistence loses
  none; the cache is only a copy that saves a query per request.
- Before a stored session changes its cached copy is dropped, and when the cache cannot
  be reached for that the change is refused (503) before anything was written: a copy
  that outlived its row would come back as soon as Redis answers again.
- An ended session (log out) leaves a short-lived tombstone in the cache instead of
  nothing, and a copy is put back only where there is none (``add``): a request that
  read the row just before it was deleted cannot bring it back afterwards.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError

from .faults import burst_log, outage_kind

logger = logging.getLogger(__name__)

ENDED = "ended"  # the tombstone's value; a live session is always a dict
# Longer than any request that may still be holding the row it read (the database's
# statement limit is 10 s); after that the row is gone and cannot be read again.
TOMBSTONE_SECONDS = 120


def _log_cache_trouble(what: str, error: Exception) -> None:
    quiet = burst_log.due("session cache")
    if quiet is not None:
        logger.warning(
            "session cache %s failed (%s); sessions are read from the database "
            "(%d more since the last such line)",
            what,
            error,
            quiet,
        )


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
            cache_answers = True
        except Exception as error:
            _log_cache_trouble("read", error)
            data, cache_answers = None, False
        if data == ENDED:
            self._session_key = None
            return {}
        if data is not None:
            return data
        row = self._get_session_from_db()  # a database fault propagates: 503, cookie kept
        if row is None:
            return {}
        data = self.decode(row.session_data)
        if cache_answers:
            try:
                self._cache.add(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
            except Exception as error:
                _log_cache_trouble("write", error)
        return data

    def exists(self, session_key):
        try:
            return super().exists(session_key)  # the cache (a tombstone too), then the database
        except Exception:
            return cached_db.DBStore.exists(self, session_key)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()  # a new key (reading cache_key would make one up)
        if not must_create:
            # A new key has no cached copy; an existing one's must go before its row
            # changes (raises when the cache cannot be reached: nothing is written).
            self._cache.delete(self.cache_key)
        try:
            super().save(must_create)  # the row, then a best-effort copy in the cache
        except UpdateError as error:
            # Django reads any database error on update as "the session was deleted
            # meanwhile" (a 400); a database that does not answer is a 503.
            outage = error.__context__
            if outage_kind(outage) is not None:
                raise outage from outage.__cause__
            raise

    def delete(self, session_key=None):
        if session_key is None:
            session_key = self.session_key
        if session_key is None:
            return
        # First, as in save(): raises, changing nothing, when the cache cannot be reached.
        self._cache.set(self.cache_key_prefix + session_key, ENDED, TOMBSTONE_SECONDS)
        cached_db.DBStore.delete(self, session_key)
