"""Who a session belongs to: every log-in hands the session to SessionBackend, which
loads the same user row as ModelBackend in one statement written out."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from apps.accounts.backends import SESSION_BACKEND, SessionBackend
from apps.accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _greets(client, user) -> bool:
    return user.name in client.get("/accounts/me/").content.decode()


def test_a_log_in_through_the_form_is_served_by_the_session_backend(client):
    user = UserFactory(name="Mina Park")
    client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert client.session[BACKEND_SESSION_KEY] == SESSION_BACKEND
    assert _greets(client, user)


def test_the_session_backend_loads_the_same_row_and_no_one_inactive_or_missing():
    user = UserFactory(name="Mina Park", phone="010-1234-5678")
    loaded = SessionBackend().get_user(user.pk)
    expected = User.objects.get(pk=user.pk)
    assert [getattr(loaded, f.attname) for f in User._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in User._meta.concrete_fields
    ]
    other = UserFactory()
    assert SessionBackend().get_user(other.pk).email == other.email  # the id decides
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert SessionBackend().get_user(user.pk) is None
    assert SessionBackend().get_user(user.pk + 1) is None
    assert SessionBackend().get_user("not an id") is None


def test_the_session_backend_checks_no_passwords():
    user = UserFactory()
    assert SessionBackend().authenticate(None, email=user.email, password=DEFAULT_PASSWORD) is None
    assert (
        SessionBackend().authenticate(None, username=user.email, password=DEFAULT_PASSWORD) is None
    )


def test_a_session_begun_with_model_backend_keeps_its_shopper_logged_in(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = UserFactory(name="Mina Park")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert _greets(client, user)
    User.objects.filter(pk=user.pk).update(password="changed-elsewhere")
    assert not _greets(client, user)  # the session's hash still has to match
