"""Reads from a streaming replica, where a stale answer can do no harm.

Only when ``DATABASE_REPLICA_URL`` is set (settings.py adds the ``replica`` alias, this
router and ``ReplicaMiddleware``); on the single-machine default nothing here runs.

What reads the replica: GET and HEAD requests of the catalogue, look and feed pages
(the ``swipe`` and ``products`` URL namespaces), and of those only the catalogue's own
tables (products, looks, swipes). Everything else reads and writes the primary: carts,
orders, checkout, accounts and sessions, the admin, the job worker, management
commands, and any query inside a transaction (a stock check before a lock, say).

Read-your-writes: a shopper's POST (a swipe, a like, an order) answers with a short
cookie; while it lasts that shopper's pages read the primary, so nobody sees their own
swipe come back because the replica is a moment behind. The cookie cannot harm anyone
who forges it: it only sends that browser's reads to the primary.

A replica that does not answer, is not streaming from the primary, or lags further
behind than the cookie lasts, is left alone for a few seconds, and those pages read the
primary meanwhile; a page that met a replica fault half-way is served again from the
primary.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

from .faults import burst_log, outage_kind

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "baro_primary"
REPLICA_NAMESPACES = frozenset({"swipe", "products"})
REPLICA_APPS = frozenset({"products", "swipe"})
SAFE_METHODS = frozenset({"GET", "HEAD"})
CHECK_EVERY = 1.0  # seconds between two looks at the replica's lag, per process
RESTING = 5.0  # seconds a replica that failed a look is left alone

_reads: contextvars.ContextVar[str] = contextvars.ContextVar("baro_reads", default=PRIMARY)

# Where the replica stands: WAL received from the primary and WAL replayed (applied).
# A replica whose WAL receiver is not streaming (the link to the primary is cut, or
# being made again) receives nothing and so shows no replay lag while the primary moves
# on: it is not fit either.
POSITION_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint,
       pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint
"""


class ReplicaHealth:
    """Is the replica fit to read, in this process: it answered, and nothing it has
    received has waited to be replayed for longer than BARO_REPLICA_PIN_SECONDS. Looked
    at most every ``CHECK_EVERY`` seconds; a failed look rests it for ``RESTING``.

    The lag is measured by the replica's own positions, not by the age of its last
    replayed transaction: on a quiet shop that age grows without any lag at all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._fit = False
        # (when first seen, received position) for WAL not replayed at the last look
        self._waiting: list[tuple[float, int]] = []

    def fit(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < (CHECK_EVERY if self._fit else RESTING):
                return self._fit
            self._checked_at = now  # one thread looks; the others use the last answer
        fit = self._look(now)
        with self._lock:
            self._fit = fit
        return fit

    def failed(self, error: Exception) -> None:
        """A request could not reach the replica: rest it."""
        with self._lock:
            self._fit, self._checked_at = False, time.monotonic()
        self._log("did not answer (%s)", error)

    def lag(self, now: float, in_recovery: bool, received: int | None, replayed: int | None):
        """Seconds the oldest WAL not yet replayed has waited (0: none waits)."""
        if not in_recovery or received is None or replayed is None:
            self._waiting = []
            return 0.0
        self._waiting = [(seen, lsn) for seen, lsn in self._waiting if lsn > replayed]
        if received > replayed and (not self._waiting or received > self._waiting[-1][1]):
            self._waiting.append((now, received))
        return now - self._waiting[0][0] if self._waiting else 0.0

    def _look(self, now: float) -> bool:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(POSITION_SQL)
                in_recovery, streaming, received, replayed = cursor.fetchone()
        except DatabaseError as error:
            connections[REPLICA].close()
            self._log("did not answer (%s)", error)
            return False
        if in_recovery and not streaming:
            self._log("is not streaming from the primary")
            return False
        with self._lock:
            lag = self.lag(now, in_recovery, received, replayed)
        # Looked at once a second: a lag seen now may be a second older by the next look,
        # and the pin must outlast it.
        if lag > settings.BARO_REPLICA_PIN_SECONDS - CHECK_EVERY:
            self._log("has WAL waiting %.1f s to be replayed", lag)
            return False
        return True

    @staticmethod
    def _log(what: str, *args) -> None:
        quiet = burst_log.due("replica")
        if quiet is not None:
            logger.warning(
                "replica " + what + "; pages read the primary (%d more since the last such line)",
                *args,
                quiet,
            )


health = ReplicaHealth()


def _usable() -> bool:
    if not health.fit():
        return False
    replica = connections[REPLICA]
    try:
        # Django's health check of a kept connection (it would otherwise run at the
        # first query, too late to choose the primary), or a new one (1 s to connect).
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as error:
        replica.close()
        health.failed(error)
        return False
    return True


class ReplicaMiddleware:
    """Decides, per request, whether its catalogue reads may go to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reads.set(PRIMARY)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS:
            # This browser's next pages read the primary until the replica has this write.
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=max(1, round(settings.BARO_REPLICA_PIN_SECONDS)),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and PIN_COOKIE not in request.COOKIES
            and match is not None
            and match.namespace in REPLICA_NAMESPACES
            and _usable()
        ):
            _reads.set(REPLICA)
            request._replica_view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        """A page that read the replica and met a database fault (the replica went away
        after the check, a statement ran past its limit, a recovery conflict) is served
        once more from the primary, and the replica rests. A fault of the primary's
        raises again from there, and is the usual 503."""
        view = getattr(request, "_replica_view", None)
        if view is None or outage_kind(exception) != "database":
            return None
        request._replica_view = None
        connections[REPLICA].close()
        health.failed(exception)
        _reads.set(PRIMARY)
        view_func, view_args, view_kwargs = view
        return view_func(request, *view_args, **view_kwargs)


class ReplicaRouter:
    """Sends the catalogue's reads to the replica when the request allows it."""

    def db_for_read(self, model, **hints):
        if (
            _reads.get() == REPLICA
            and model._meta.app_label in REPLICA_APPS
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        _reads.set(PRIMARY)  # a request that writes reads its own write from now on
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
