"""Database helpers shared by every app that writes under row locks."""

from __future__ import annotations

import logging
import random
import time
from functools import wraps

from django.db import DatabaseError

from .errors import Busy

logger = logging.getLogger(__name__)

RETRY_ATTEMPTS = 4
RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure


def is_retryable(error: DatabaseError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_on_conflict(func):
    """Run ``func`` again, a bounded number of times, when the database aborts it with
    a deadlock or serialization failure; then raise ``Busy`` (a clear 'try again').
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
                if attempt == RETRY_ATTEMPTS:
                    raise Busy() from error
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")

    return wrapper
