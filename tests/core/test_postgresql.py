"""The PostgreSQL backend's health check: a closed connection is replaced before a
request uses it, and a live one is checked without a statement (apps/core/postgresql)."""

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from tests.servers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def own_connection():
    """A connection of the test's own, on the test database, outside its transaction."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def terminate(wrapper) -> None:
    """End the server side of ``wrapper``'s connection, as a restart or an operator's
    pg_terminate_backend does, and wait until the client could know."""
    pid = wrapper.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    def ended() -> bool:
        with connection.cursor() as cursor:
            # Inside the test's transaction the statistics are read once unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            return cursor.fetchone()[0] == 0

    wait_for(ended, 5, "the backend did not end")


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(own_connection):
    assert own_connection.is_usable()
    terminate(own_connection)

    assert not own_connection.is_usable()
    # What Django does before a request's first statement (CONN_HEALTH_CHECKS).
    own_connection.health_check_done = False
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_live_connection_is_checked_without_a_statement(own_connection, monkeypatch):
    def no_statement(*args, **kwargs):
        raise AssertionError("the health check sent a statement")

    monkeypatch.setattr(own_connection.connection, "cursor", no_statement)
    monkeypatch.setattr(own_connection.connection, "execute", no_statement)
    assert own_connection.is_usable()


def test_a_failed_transaction_or_a_closed_connection_is_not_usable(own_connection):
    own_connection.connection.autocommit = False
    with pytest.raises(psycopg.errors.DivisionByZero):
        own_connection.connection.execute("SELECT 1 / 0")
    assert not own_connection.is_usable()
    own_connection.connection.rollback()
    assert own_connection.is_usable()

    own_connection.connection.close()
    assert not own_connection.is_usable()
