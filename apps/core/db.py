"""Database helpers shared by every app that writes under row locks."""

from __future__ import annotations

import logging
import random
import time
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from .errors import Busy

logger = logging.getLogger(__name__)

RETRY_ATTEMPTS = 4
# A deadlock or serialization failure is over as soon as the database reports it, so
# trying again soon usually works. A lock timeout (55P03, after DATABASE_LOCK_TIMEOUT)
# means someone has held the row that long already: one more try, then "busy", so a
# shopper waits at most two lock timeouts, never forever.
ATTEMPTS_BY_SQLSTATE = {"40P01": RETRY_ATTEMPTS, "40001": RETRY_ATTEMPTS, "55P03": 2}


def _sqlstate(error: DatabaseError) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


def is_retryable(error: DatabaseError) -> bool:
    return _sqlstate(error) in ATTEMPTS_BY_SQLSTATE


def retry_on_conflict(func):
    """Run ``func`` again, a bounded number of times, when the database aborts it with
    a deadlock, a serialization failure or a lock timeout; then raise ``Busy`` (a clear
    'try again').
    ``func`` must open its own transaction so each attempt starts clean."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except DatabaseError as error:
                if not is_retryable(error):
                    raise
                logger.warning("%s: %s on attempt %d", func.__name__, error, attempt)
                if attempt >= ATTEMPTS_BY_SQLSTATE[_sqlstate(error)]:
                    raise Busy() from error
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")

    return wrapper


def lift_statement_timeout(using: str = "default") -> None:
    """For long maintenance jobs (seeding millions of rows, EXPLAIN runs): turn off this
    connection's ``statement_timeout``. The web pages keep theirs.

    Behind a transaction pooler the setting would outlive the job on a server connection
    that web pages share, so it is refused there: run such jobs against the primary
    itself (a DATABASE_URL without PgBouncer)."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        if settings.DATABASE_TRANSACTION_POOLING:
            raise ImproperlyConfigured(
                "This command changes its connection's statement_timeout, which would leak "
                "to other clients through PgBouncer's transaction pooling: run it with "
                "DATABASE_URL pointing at the PostgreSQL primary, without "
                "DATABASE_TRANSACTION_POOLING."
            )
        with conn.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
