import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return client.cookies["sessionid"].value


@pytest.mark.redis
def test_with_redis_a_session_lives_in_redis(client, settings):
    from django.core.cache import caches
    from django_redis import get_redis_connection

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    user = UserFactory()
    session_key = log_in(client, user)

    redis = get_redis_connection(settings.SESSION_CACHE_ALIAS)
    keys = list(redis.scan_iter(match=f"*{session_key}"))
    assert len(keys) == 1, "the session should be one key in Redis"
    stored = caches[settings.SESSION_CACHE_ALIAS].get("django.contrib.sessions.cache" + session_key)
    assert stored[SESSION_KEY] == str(user.pk)
    assert set(stored) <= {SESSION_KEY, "_auth_user_backend", "_auth_user_hash", "_messages"}
    assert not Session.objects.exists()

    client.post("/accounts/logout/")
    assert not list(redis.scan_iter(match=f"*{session_key}"))


def test_with_the_database_engine_a_session_is_a_row(client, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = UserFactory()
    session_key = log_in(client, user)
    row = Session.objects.get(session_key=session_key)
    assert row.get_decoded()[SESSION_KEY] == str(user.pk)
