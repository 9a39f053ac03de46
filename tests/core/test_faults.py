"""A database or Redis outage is a 503 with Retry-After, never the 500 page."""

import logging

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError

from apps.core import faults
from tests.conftest import server_gone

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails the way psycopg reports a server that has gone away."""

    def refuse(*args, **kwargs):
        raise server_gone()

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


def test_a_page_during_a_database_outage_is_a_503_page(client, database_down):
    response = client.get("/products/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "be right back." in page
    assert 'href="/products/">Try again' in page
    assert "Traceback" not in page


def test_an_htmx_request_gets_a_toast_not_a_page(client, database_down):
    response = client.get("/products/?sort=newest", **HTMX)
    assert response.status_code == 503
    assert response["HX-Reswap"] == "none"
    body = response.content.decode()
    assert body.startswith('<div hx-swap-oob="beforeend:#toasts">')
    assert "Part of the shop is not answering right now." in body
    assert "<html" not in body


@pytest.mark.urls("tests.core.fault_urls")
def test_a_fault_outside_the_views_is_a_503_too(db, monkeypatch):
    """A session that cannot be written fails in the session middleware, after the view
    returned; handler500 answers that one."""
    from django.contrib.sessions.backends.db import SessionStore

    def refuse(self, must_create=False):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    client = Client(raise_request_exception=False)
    assert client.get("/remember/").status_code == 200
    monkeypatch.setattr(SessionStore, "save", refuse)
    response = client.get("/remember/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "be right back." in response.content.decode()


def test_a_burst_of_faults_is_logged_once_with_a_count(client, database_down, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        assert client.get("/products/").status_code == 503
    lines = [r for r in caplog.records if r.name == "apps.core.faults"]
    assert len(lines) == 1 and lines[0].exc_info is not None
    assert "database unavailable" in lines[0].getMessage()
    assert not [r for r in caplog.records if r.name == "django.request"]
    faults.burst_log._last["database"] -= faults.LOG_WINDOW_SECONDS  # the window has passed
    assert client.get("/products/").status_code == 503
    lines = [r for r in caplog.records if r.name == "apps.core.faults"]
    assert "2 more such answers" in lines[-1].getMessage()


def test_a_bug_is_still_a_500(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = Client(raise_request_exception=False).get("/products/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def pg_error(sqlstate: str, message: str) -> Exception:
    """Django's OperationalError over a psycopg error with this SQLSTATE."""
    import psycopg

    driver_error = psycopg.errors.lookup(sqlstate)(message)
    error = OperationalError(message)
    error.__cause__ = driver_error
    return error


def protocol_lost() -> Exception:
    """What psycopg raises when a pooler's server went away in the middle of a command:
    Django's InternalError over psycopg's, with no SQLSTATE (the server sent none)."""
    import psycopg
    from django.db import InternalError

    error = InternalError("received 2 results from command 'BEGIN'")
    error.__cause__ = psycopg.InternalError("received 2 results from command 'BEGIN'")
    return error


def pg_internal_error() -> Exception:
    """An InternalError the server itself reports (XX000): a real fault, a 500."""
    import psycopg
    from django.db import InternalError

    error = InternalError("could not read block")
    error.__cause__ = psycopg.errors.lookup("XX000")("could not read block")
    return error


def sqlite_error(message: str) -> Exception:
    import sqlite3

    error = OperationalError(message)
    error.__cause__ = sqlite3.OperationalError(message)
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (server_gone(), "database"),
        (pg_error("57P01", "terminating connection due to administrator command"), "database"),
        (pg_error("57014", "canceling statement due to statement timeout"), "database"),
        (pg_error("53300", "too many connections"), "database"),
        (pg_error("42P01", 'relation "products_product" does not exist'), None),
        (protocol_lost(), "database"),
        (pg_internal_error(), None),
        (sqlite_error("database is locked"), "database"),
        (sqlite_error("no such table: products_product"), None),
        (RedisConnectionError("refused"), "cache"),
        (ReadOnlyError("You can't write against a read only replica."), "cache"),
        (ValueError("bug"), None),
    ],
    ids=lambda value: value if isinstance(value, str | type(None)) else type(value).__name__,
)
def test_outage_kind_names_the_service(error, kind):
    assert faults.outage_kind(error) == kind
    try:
        try:
            raise error
        except Exception as cause:
            raise RuntimeError("wrapped") from cause
    except RuntimeError as wrapped:
        assert faults.outage_kind(wrapped) == kind
    try:
        try:
            raise error
        except Exception:
            raise RuntimeError("replaced on purpose") from None
    except RuntimeError as replaced:
        assert faults.outage_kind(replaced) is None
