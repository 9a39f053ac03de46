"""Sessions kept in the database and read through the cache (Redis).

Django's ``cached_db`` engine with three changes, so that trouble with Redis never
logs anyone out and never brings back a session that was changed or ended:

- A cache that does not answer on read is not an empty session (Django's ``cache``
  engine reads it so, and the session middleware then deletes the shopper's cookie):
  the row in the database is read instead. A database that does not answer either
  raises, and the fault handler answers 503 with the cookie untouched.
- Every session lives in the database, so a Redis restart without persistence loses
  none; the cache is only a copy that saves a query per request.
- Before a stored session changes or ends (log in, log out, password change) its cached
  copy is dropped, and when the cache cannot be reached for that the change is refused
  (503) before anything was written. A copy that outlived its row would otherwise
  come back as soon as Redis answers again: a logged-out session alive again.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

from .faults import burst_log

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
            cache_answers = True
        except Exception as error:
            quiet = burst_log.due("session cache")
            if quiet is not None:
                logger.warning(
                    "session cache read failed (%s); reading sessions from the database "
                    "(%d more since the last such line)",
                    error,
                    quiet,
                )
            data, cache_answers = None, False
        if data is not None:
            return data
        row = self._get_session_from_db()  # a database fault propagates: 503, cookie kept
        if row is None:
            return {}
        data = self.decode(row.session_data)
        if cache_answers:
            try:
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
            except Exception:
                logger.warning("session cache write failed", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            return super().exists(session_key)  # the cache, then the database
        except Exception:
            return cached_db.DBStore.exists(self, session_key)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()  # a new key (reading cache_key would make one up)
        if not must_create:
            # A new key has no cached copy; an existing one's must go before its row
            # changes (raises when the cache cannot be reached: nothing is written).
            self._cache.delete(self.cache_key)
        super().save(must_create)  # the row, then a best-effort copy in the cache

    def delete(self, session_key=None):
        if session_key is None:
            session_key = self.session_key
        if session_key is None:
            return
        self._cache.delete(self.cache_key_prefix + session_key)  # first, as in save()
        cached_db.DBStore.delete(self, session_key)
