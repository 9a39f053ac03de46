"""Sessions: rows in the database, read through a cache (Redis in production).

The fault cases point the sessions cache at a real django-redis client on a port where
nothing listens, so they run with or without a Redis server; the real pause and restart
of a Redis server are in tests/faults/.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db.backends.utils import CursorWrapper
from django.test import Client

from apps.accounts.models import User
from apps.core.sessions import ENDED, SessionStore
from tests.caches import empty
from tests.conftest import server_gone
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
}


@pytest.fixture
def cached_sessions(settings):
    """The production session engine over a cache that answers (until told not to)."""
    settings.SESSION_ENGINE = "apps.core.sessions"
    settings.SESSION_CACHE_ALIAS = "sessions"
    if "sessions" not in settings.CACHES:
        settings.CACHES = {
            **settings.CACHES,
            "sessions": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "baro-test-sessions",
            },
        }

    def break_cache() -> None:
        settings.CACHES = {**settings.CACHES, "sessions": UNREACHABLE}

    return break_cache


def log_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def form_kept_with_503(response, email: str) -> str:
    """The log-in or sign-up page again, as typed, answered 503 with Retry-After."""
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "We couldn&#x27;t log you in just now" in page
    assert f'value="{email}"' in page
    return page


def cached_copy(session_key):
    return caches["sessions"].get(SessionStore.cache_key_prefix + session_key)


def test_a_session_is_a_row_with_a_copy_in_the_cache(client, cached_sessions):
    user = UserFactory()
    session_key = log_in(client, user)
    assert Session.objects.get(session_key=session_key).get_decoded()[SESSION_KEY] == str(user.pk)
    assert cached_copy(session_key)[SESSION_KEY] == str(user.pk)

    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=session_key).exists()
    assert cached_copy(session_key) == ENDED


def test_a_request_that_read_the_row_before_the_log_out_cannot_bring_it_back(
    client, cached_sessions, monkeypatch
):
    """Two requests with one cookie: one logs out while the other, on a cache miss, has
    just read the row and is about to put its copy in the cache."""
    user = UserFactory()
    session_key = log_in(client, user)
    empty("sessions")
    read_row = SessionStore._get_session_from_db

    def read_then_log_out(self):
        row = read_row(self)
        monkeypatch.setattr(SessionStore, "_get_session_from_db", read_row)
        client.post("/accounts/logout/")
        return row

    monkeypatch.setattr(SessionStore, "_get_session_from_db", read_then_log_out)
    racing = SessionStore(session_key)
    assert racing.load()[SESSION_KEY] == str(user.pk), "it read the row before the log out"
    thief = Client()
    thief.cookies["sessionid"] = session_key
    assert thief.get("/accounts/me/").status_code == 302, "the ended session stays ended"


def test_an_emptied_cache_logs_nobody_out(client, cached_sessions):
    """What a Redis restart without persistence does to the copies."""
    user = UserFactory()
    session_key = log_in(client, user)
    empty("sessions")
    assert "Log out" in client.get("/accounts/me/").content.decode()
    assert cached_copy(session_key)[SESSION_KEY] == str(user.pk), "the copy is made again"


def test_a_cache_that_does_not_answer_reads_the_session_from_the_database(client, cached_sessions):
    user = UserFactory()
    session_key = log_in(client, user)
    cached_sessions()
    response = client.get("/accounts/me/")
    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert "sessionid" not in response.cookies, "the cookie is neither deleted nor replaced"
    assert client.cookies["sessionid"].value == session_key


def test_neither_cache_nor_database_answering_is_a_503_that_keeps_the_cookie(
    client, cached_sessions, monkeypatch
):
    session_key = log_in(client, UserFactory())
    cached_sessions()

    def database_down(self):
        raise server_gone()

    monkeypatch.setattr(SessionStore, "_get_session_from_db", database_down)
    response = client.get("/accounts/me/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "sessionid" not in response.cookies
    assert client.cookies["sessionid"].value == session_key
    monkeypatch.undo()
    assert client.get("/accounts/me/").status_code == 200


def test_log_out_while_the_cache_does_not_answer_is_refused_and_changes_nothing(
    client, cached_sessions, settings
):
    """Dropping the row but not the copy would bring the session back once the cache
    answers again: a log-out that did not happen."""
    user = UserFactory()
    session_key = log_in(client, user)
    working = settings.CACHES["sessions"]
    cached_sessions()
    response = client.post("/accounts/logout/")
    assert response.status_code == 503
    assert Session.objects.filter(session_key=session_key).exists()
    settings.CACHES = {**settings.CACHES, "sessions": working}
    assert cached_copy(session_key)[SESSION_KEY] == str(user.pk)
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=session_key).exists()
    assert cached_copy(session_key) == ENDED


def test_log_in_while_the_cache_does_not_answer_is_a_503_with_the_form_kept(
    client, cached_sessions
):
    user = UserFactory(email="mina@example.com")
    client.get("/accounts/login/")  # a visitor's session, as a browser has
    cached_sessions()
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    form_kept_with_503(response, "mina@example.com")
    assert "sessionid" not in response.cookies
    assert client.get("/accounts/me/").status_code == 302, "not logged in half-way"


def test_sign_up_while_sessions_cannot_be_stored_keeps_no_account(client, cached_sessions):
    client.get("/accounts/signup/")
    cached_sessions()
    data = {"name": "Jiwoo Park", "email": "jiwoo@example.com", "password1": "swipe-right-77"}
    response = client.post("/accounts/signup/?next=/cart/", data)
    form_kept_with_503(response, "jiwoo@example.com")
    assert not User.objects.filter(email="jiwoo@example.com").exists()


def test_with_the_database_engine_a_session_is_a_row(client, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = UserFactory()
    session_key = log_in(client, user)
    row = Session.objects.get(session_key=session_key)
    assert row.get_decoded()[SESSION_KEY] == str(user.pk)


def test_log_in_while_the_database_does_not_answer_keeps_the_form(client, monkeypatch):
    client.get("/accounts/login/")
    user = UserFactory(email="mina@example.com")

    def refuse(*args, **kwargs):
        raise server_gone()

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.post(
        "/accounts/login/?next=/cart/", {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    page = form_kept_with_503(response, "mina@example.com")
    assert 'name="next" value="/cart/"' in page


@pytest.mark.urls("tests.core.fault_urls")
def test_a_session_that_cannot_be_written_for_a_database_outage_is_a_503_not_a_400(
    cached_sessions, monkeypatch
):
    """Django reads any failed update as "deleted meanwhile" (400); an outage is a 503."""
    client = Client(raise_request_exception=False)
    assert client.get("/remember/").status_code == 200

    def refuse(*args, **kwargs):
        raise server_gone()

    monkeypatch.setattr(Session, "save", refuse)
    response = client.get("/remember/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
