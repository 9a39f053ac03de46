"""The PostgreSQL backend (apps/core/postgresql): a closed connection is replaced before
a request uses it, a live one is checked without a statement, and timestamps are parsed
by psycopg's compiled loader with the values Django's own loader gives."""

from datetime import UTC
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.psycopg_any import get_adapters_template, register_tzloader
from django.db.models.functions import Now
from psycopg import pq

from apps.core.postgresql.base import (
    COMPILED_MODULES,
    TIMESTAMPTZ_OID,
    FastTzLoader,
    adapters_template,
)
from apps.products.models import Product
from tests.factories import ProductFactory
from tests.servers import wait_for

COMPILED = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
needs_compiled = pytest.mark.skipif(
    not COMPILED.__module__.startswith(COMPILED_MODULES),
    reason="psycopg's compiled implementation (psycopg[binary] or [c]) is not installed here",
)

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


# Timestamps as PostgreSQL writes them in its session time zone (UTC here): microseconds,
# none, a leap day, years with fewer than four digits, the far end of the range.
TIMESTAMPS = [
    "2026-12-04 20:37:34.123456+00",
    "2026-12-04 20:37:34+00",
    "2024-02-29 23:59:59.999999+00",
    "0099-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _read(wrapper, *, djangos: bool = False, timestamps=TIMESTAMPS) -> list:
    with wrapper.cursor() as cursor:
        if djangos:  # what Django registers for a cursor whose time zone differs
            register_tzloader(wrapper.timezone, cursor.cursor)
        values = ", ".join("CAST(%s AS TIMESTAMPTZ)" for _ in timestamps)
        cursor.execute(f"SELECT {values}", timestamps)
        return list(cursor.fetchone())


@needs_compiled
def test_timestamps_are_parsed_by_psycopgs_compiled_loader(own_connection):
    loader = own_connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
    assert issubclass(loader, FastTzLoader)
    assert loader.parser is COMPILED
    # Django checks this before every cursor: equal, so it keeps the connection's loader.
    assert loader.timezone is own_connection.timezone is UTC


@needs_compiled
def test_timestamps_read_as_with_djangos_loader(own_connection):
    fast, djangos = _read(own_connection), _read(own_connection, djangos=True)
    assert fast == djangos
    assert [value.tzinfo for value in fast] == [UTC] * len(TIMESTAMPS)
    assert str(fast[0]) == "2026-12-04 20:37:34.123456+00:00"


@needs_compiled
def test_without_time_zone_support_timestamps_read_naive_as_with_djangos_loader(own_connection):
    template = adapters_template(False, None)
    assert template is not adapters_template(True, UTC)
    params = {
        key: value
        for key, value in own_connection.get_connection_params().items()
        if key not in ("context", "cursor_factory", "prepare_threshold")
    }
    with psycopg.connect(**params, context=template) as conn:
        values = ", ".join("CAST(%s AS TIMESTAMPTZ)" for _ in TIMESTAMPS)
        fast = list(conn.execute(f"SELECT {values}", TIMESTAMPS).fetchone())
        with conn.cursor() as cursor:
            register_tzloader(None, cursor)
            djangos = list(cursor.execute(f"SELECT {values}", TIMESTAMPS).fetchone())
    assert fast == djangos
    assert all(value.tzinfo is None for value in fast)


def test_a_session_in_another_time_zone_reads_as_with_djangos_loader(own_connection):
    own_connection.connection.execute("SET TIME ZONE 'Asia/Seoul'")
    # The last of them is in the year 10000 in Seoul, which neither can read.
    readable = TIMESTAMPS[:-1]
    fast = _read(own_connection, timestamps=readable)
    assert fast == _read(own_connection, djangos=True, timestamps=readable)
    assert str(fast[0]) == "2026-12-05 05:37:34.123456+00:00"  # Django's own reading


# What PostgreSQL may send, and what both loaders must refuse alike.
EDGES = [
    b"2026-12-04 20:37:34.123456+00",
    b"2026-12-05 05:37:34+09",
    b"1900-01-01 00:00:00+08:27:52",
    b"0001-01-01 00:00:00+00",
    b"9999-12-31 23:59:59.999999+00",
]
REFUSED = [b"infinity", b"-infinity", b"10000-01-01 00:00:00+00", b"2026-13-01 00:00:00+00"]


@needs_compiled
@pytest.mark.parametrize("zone", [UTC, None, ZoneInfo("Asia/Seoul")], ids=str)
def test_the_loaders_agree_on_every_kind_of_value(zone):
    fast = adapters_template(True, zone).get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
    djangos = get_adapters_template(True, zone).get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
    assert issubclass(fast, FastTzLoader) and not issubclass(djangos, FastTzLoader)
    fast, djangos = fast(TIMESTAMPTZ_OID), djangos(TIMESTAMPTZ_OID)
    for text in EDGES:
        assert fast.load(text) == djangos.load(text), text
        assert fast.load(text).tzinfo is djangos.load(text).tzinfo is zone
    for text in REFUSED:
        with pytest.raises(psycopg.DataError) as django_refusal:
            djangos.load(text)
        with pytest.raises(psycopg.DataError) as refusal:
            fast.load(text)
        assert str(refusal.value) == str(django_refusal.value), text


def test_a_models_timestamps_read_back_as_written():
    product = ProductFactory()
    read = Product.objects.annotate(now=Now()).get(pk=product.pk)
    assert read.created_at == product.created_at
    assert read.created_at.tzinfo is UTC
    assert read.now.tzinfo is UTC
