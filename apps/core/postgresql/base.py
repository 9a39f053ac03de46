"""Django's PostgreSQL backend (psycopg 3), with a health check that costs no round trip
and timestamps read by psycopg's compiled parser.

A persistent connection is checked before the first statement of every request
(``CONN_HEALTH_CHECKS``), so one that PostgreSQL closed in the meantime (a restart, an
administrator's ``pg_terminate_backend``, ``idle_session_timeout``) is replaced before it
fails a shopper's page. Django checks by sending ``SELECT 1`` and waiting for the answer:
a round trip on every request, and a statement for PostgreSQL to run on the same cores.

An idle connection has nothing to read: psycopg consumes every answer up to the
server's "ready for query" before it returns, and the shop never LISTENs. So when its
socket is readable, the server has sent something unasked, which in practice is the
FATAL message it sends as it closes the connection, then the end of the stream. Asking
the socket (``poll`` with no wait) therefore tells a closed connection from a live
one for the price of one system call. A connection that psycopg already knows is broken,
or whose transaction has failed, is unusable as before. What neither check can see is a
server that went silent without closing (a host that vanished): the next statement then
waits for the TCP time limits either way.

Timestamps: Django reads every ``timestamptz`` through a loader of its own that sets the
time zone it expects (``BaseTzLoader``). It derives from psycopg's pure-Python loader,
so with psycopg's compiled implementation installed every timestamp is still parsed in
Python: about 4 µs each, where the compiled parser takes about 0.6 (the statement that
reads a feed card returns 30 of them; docs/performance.md). ``FastTzLoader`` is a
subclass of Django's loader with the same ``timezone`` (which Django compares before
every cursor), whose parsing is done by psycopg's compiled ``timestamptz`` loader, the
one psycopg registers when ``psycopg[binary]`` or ``psycopg[c]`` is installed; the
result gets the same ``replace(tzinfo=...)`` as Django's. Without the compiled
implementation (or with another loader registered in its place) the connection keeps
Django's loader.
"""

from __future__ import annotations

import functools
import select
from datetime import tzinfo

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader, get_adapters_template
from psycopg import adapt, pq
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = psycopg.postgres.types["timestamptz"].oid
# Where psycopg's compiled implementations live (psycopg[binary], psycopg[c]).
COMPILED_MODULES = ("psycopg_binary.", "psycopg_c.")

# Where a connection can take a statement: between transactions, or inside one that
# has not failed (a test's, say). Not in a failed transaction, nor mid-statement.
_READY = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)


class FastTzLoader(BaseTzLoader):
    """Django's timestamp loader, parsing with psycopg's own (see the module docstring)."""

    parser: type[adapt.Loader] = TimestamptzLoader

    def __init__(self, oid: int, context: adapt.AdaptContext | None = None) -> None:
        # Not TimestamptzLoader.__init__: the time zone and date style it reads are for
        # its own parsing, which the compiled loader does instead.
        adapt.Loader.__init__(self, oid, context)
        self._parse = self.parser(oid, context).load

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)


@functools.cache
def adapters_template(use_tz: bool, timezone: tzinfo | None) -> adapt.AdaptersMap:
    """Django's adapters for new connections (``get_adapters_template``), with
    ``FastTzLoader`` for ``timestamptz`` when psycopg's loader for it is compiled."""
    parser = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
    template = get_adapters_template(use_tz, timezone)
    if parser is None or not parser.__module__.startswith(COMPILED_MODULES):
        return template  # pure-Python psycopg, or a loader of someone else's: Django's
    context = adapt.AdaptersMap(template)
    context.register_loader(
        "timestamptz",
        type(
            "FastTzLoader",
            (FastTzLoader,),
            {"__module__": __name__, "timezone": timezone, "parser": parser},
        ),
    )
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["context"] = adapters_template(settings.USE_TZ, self.timezone)
        return params

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status not in _READY:
            return False
        try:
            # poll, not select: a busy worker's descriptors may number past select's 1,024.
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, psycopg.OperationalError):
            return False
