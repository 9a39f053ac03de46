"""Django's PostgreSQL backend (psycopg 3), with a health check that costs no round trip.

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
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

# Where a connection can take a statement: between transactions, or inside one that
# has not failed (a test's, say). Not in a failed transaction, nor mid-statement.
_READY = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
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
