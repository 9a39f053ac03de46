"""Infrastructure faults (the database or Redis not answering) are answered 503 with
``Retry-After``, never with the 500 page, and logged once per burst.

Two ways in, one answer (``outage_response``): ``OutageMiddleware`` catches what a
view raises (in development too), and ``server_error`` (the project's ``handler500``)
catches what a middleware raises, such as a session that cannot be saved.

The 503 page is rendered without the request's context: the layout's header needs the
shopper and their counts, which is what cannot be read right now. An htmx request gets
a toast instead of a page pasted into a card (``HX-Reswap: none``; baro.js lets htmx
take the toast from a 503).
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from redis.exceptions import (
    BusyLoadingError,
    MasterDownError,
    OutOfMemoryError,
    ReadOnlyError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# One log line with the traceback per kind of fault in this window; the rest are counted
# and the count is reported with the next line.
LOG_WINDOW_SECONDS = 60

MESSAGE = "Part of the shop is not answering right now. Please try again in a few seconds."

# Redis not answering, or not taking writes for now (a replica being promoted, a
# restart still loading its data, memory full).
_CACHE_FAULTS = (
    RedisConnectionError,
    RedisTimeoutError,
    BusyLoadingError,
    MasterDownError,
    OutOfMemoryError,
    ReadOnlyError,
)
# PostgreSQL's SQLSTATE classes for a server that is not there or not taking work:
# connection exceptions, insufficient resources (too many connections), operator
# intervention (shutting down, starting up, a cancelled or timed-out statement), and a
# lock or deadlock that outlasted its retries. Anything else is a bug: a 500.
_OUTAGE_SQLSTATES = ("08", "53", "57", "55P03", "40001", "40P01")
# SQLite (the embedded default) says so in words.
_SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error")


def _database_outage(error: BaseException) -> bool:
    if isinstance(error, InterfaceError):
        return True
    driver_error = error.__cause__
    sqlstate = getattr(driver_error, "sqlstate", None)
    if isinstance(error, InternalError) and sqlstate is None:
        # psycopg's own word that the connection's protocol went astray ("received 2
        # results from command 'BEGIN'"), seen when PgBouncer's server goes away in the
        # middle of a command: the connection is lost, not the code wrong.
        return type(driver_error).__module__.startswith("psycopg")
    if not isinstance(error, OperationalError):
        return False
    if sqlstate is not None:
        return sqlstate.startswith(_OUTAGE_SQLSTATES)
    if type(driver_error).__module__.startswith("psycopg"):
        return True  # no SQLSTATE: the connection itself failed or was lost
    return any(words in str(error).lower() for words in _SQLITE_OUTAGES)


def outage_kind(error: BaseException | None) -> str | None:
    """'database' or 'cache' when ``error`` (or what caused it) is that service not
    answering; None for anything else, which stays a 500 bug."""
    seen = 0
    while error is not None and seen < 5:
        if _database_outage(error):
            return "database"
        if isinstance(error, _CACHE_FAULTS):
            return "cache"
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        seen += 1
    return None


class _BurstLog:
    """Says when a recurring fault is worth a log line: the first time in each window
    (per process), with how many were kept quiet since the last line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def due(self, kind: str) -> int | None:
        """None when ``kind`` was logged in this window (counted); else the number of
        times it was kept quiet since it was last logged."""
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(kind, -LOG_WINDOW_SECONDS) < LOG_WINDOW_SECONDS:
                self._quiet[kind] = self._quiet.get(kind, 0) + 1
                return None
            self._last[kind] = now
            return self._quiet.pop(kind, 0)

    def reset(self) -> None:
        with self._lock:
            self._last.clear()
            self._quiet.clear()


burst_log = _BurstLog()


MISSING = object()  # what ``cache_call`` gives when the cache did not answer


def cache_call(what: str, call, *args):
    """One call to a cache that the database can stand in for (get, set, delete). A
    cache that does not answer is logged, at most once a minute per kind of call (the
    ``what`` without its last word: "feed queue" of "feed queue read"), and gives
    ``MISSING``: the caller goes to the database instead."""
    try:
        return call(*args)
    except Exception as error:
        if burst_log.due(what.rsplit(" ", 1)[0]) is not None:
            logger.warning("%s failed (%s)", what, error)
        return MISSING


def outage_response(request, kind: str, error: BaseException) -> HttpResponse:
    quiet = burst_log.due(kind)
    if quiet is not None:
        logger.error(
            "%s unavailable, answering 503 (%s); %d more such answers in the last %d s",
            kind,
            request.path,
            quiet,
            LOG_WINDOW_SECONDS,
            exc_info=(type(error), error, error.__traceback__),
        )
    context = {
        "message": MESSAGE,
        # A page can simply be asked for again; a form is sent again from its page.
        # One leading slash: "//host/" would lead off the site.
        "retry_url": "/" + request.get_full_path().lstrip("/") if request.method == "GET" else "",
    }
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(render_to_string("503.html#toast-oob", context), status=503)
        response["HX-Reswap"] = "none"
    else:
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, once per burst: Django's own "Service Unavailable" line per request
    # (django.utils.log.log_response) would flood the log during an outage.
    response._has_been_logged = True
    return response


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        kind = outage_kind(exception)
        if kind is None:
            return None
        return outage_response(request, kind, exception)


def server_error(request):
    """handler500: a fault outside the views (a middleware's) is still a 503 when the
    database or Redis caused it; anything else is the plain 500 page."""
    error = sys.exc_info()[1]
    kind = outage_kind(error)
    if kind is not None:
        return outage_response(request, kind, error)
    return HttpResponseServerError(render_to_string("500.html"))
