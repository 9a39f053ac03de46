"""The environment decides the backends; production settings are deploy-clean."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k9#Qv2!xR7mZ$pL4&wT8^nB1*cY6(hJ3)fD5-sG0=aE2+uK7~oV9",
    "DJANGO_ALLOWED_HOSTS": "shop.baro.example",
}
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_django(code: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "baro.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
    "'options': s.DATABASES['default'].get('OPTIONS', {}), "
    "'max_age': s.DATABASES['default'].get('CONN_MAX_AGE'), "
    "'health': s.DATABASES['default'].get('CONN_HEALTH_CHECKS'), "
    "'sessions': s.SESSION_ENGINE, 'session_cache': getattr(s, 'SESSION_CACHE_ALIAS', None), "
    "'caches': {k: v['BACKEND'] for k, v in s.CACHES.items()}, "
    "'fragment_location': s.CACHES['template_fragments'].get('LOCATION'), "
    "'shared_fragment_options': s.CACHES.get('shared_fragments', {}).get('OPTIONS', {}), "
    "'pg_options': s.DATABASES['default'].get('OPTIONS', {}).get('options')}))"
)


def test_nothing_set_means_sqlite_locmem_and_database_sessions():
    result = run_django(SHOW)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["db"] == "django.db.backends.sqlite3"
    assert shown["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in shown["options"]["init_command"]
    assert shown["sessions"] == "django.contrib.sessions.backends.db"
    assert shown["caches"] == {
        "default": "django.core.cache.backends.locmem.LocMemCache",
        "template_fragments": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_urls_set_mean_postgres_with_persistent_connections_and_redis_sessions():
    result = run_django(
        SHOW,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/baro",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["db"] == "apps.core.postgresql"  # Django's, with a cheaper health check
    assert shown["max_age"] > 0
    assert shown["health"] is True
    # Rows in the database, read through Redis: a Redis restart logs nobody out.
    assert shown["sessions"] == "apps.core.sessions"
    assert shown["session_cache"] == "sessions"
    assert shown["pg_options"] == "-c lock_timeout=2s -c statement_timeout=10s"
    assert shown["caches"] == {
        "default": "django_redis.cache.RedisCache",
        "sessions": "django_redis.cache.RedisCache",
        # A copy in each process of what they share (apps/core/cache.py).
        "template_fragments": "apps.core.cache.NearCache",
        "shared_fragments": "django_redis.cache.RedisCache",
    }
    assert shown["fragment_location"] == "shared_fragments"
    # A rendered fragment is only ever a saving: Redis away means render it again.
    assert shown["shared_fragment_options"]["IGNORE_EXCEPTIONS"] is True


@pytest.mark.parametrize(
    ("env", "prepared"),
    [
        ({}, True),
        ({"DATABASE_PREPARED_STATEMENTS": "0"}, False),
        # PgBouncer in transaction pooling hands each transaction any server session.
        ({"DATABASE_TRANSACTION_POOLING": "1"}, False),
    ],
)
def test_statements_are_prepared_only_on_a_connection_of_their_own(env, prepared):
    result = run_django(
        SHOW, DATABASE_URL="postgres://postgres@127.0.0.1:5432/baro", REDIS_URL="", **env
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout)["options"]
    assert options.get("server_side_binding", False) is prepared
    assert options.get("prepare_threshold") == (5 if prepared else None)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django(SHOW, DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("node", ["1024", "-1", "seven"])
def test_a_bad_tsid_node_is_refused_at_start(node):
    result = run_django("import apps.core.tsid", BARO_TSID_NODE=node)
    assert result.returncode != 0
    assert "TSID node" in result.stderr or "BARO_TSID_NODE" in result.stderr


PROXY_PROBE = (
    "import django; django.setup(); from django.test import RequestFactory; "
    "from django.conf import settings; "
    "request = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https', "
    "HTTP_X_FORWARDED_FOR='203.0.113.9', REMOTE_ADDR='10.0.0.2'); "
    "from allauth.core.internal.httpkit import get_client_ip; "
    "print(request.is_secure(), get_client_ip(request))"
)


@pytest.mark.parametrize(
    ("behind_proxy", "shown"), [(None, "False 10.0.0.2"), ("1", "True 203.0.113.9")]
)
def test_forwarded_headers_are_believed_only_behind_a_proxy(behind_proxy, shown):
    env = {**PRODUCTION, **({"DJANGO_BEHIND_PROXY": behind_proxy} if behind_proxy else {})}
    result = run_django(PROXY_PROBE, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


def test_the_policy_lets_the_kakao_log_in_go_on_to_kakao():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    assert run_django(code, **PRODUCTION).stdout.split() == ["'self'", "https://kauth.kakao.com"]
    moved = run_django(code, **PRODUCTION, KAKAO_AUTHORIZE_URL="https://auth.example/oauth/x")
    assert moved.stdout.split() == ["'self'", "https://auth.example"]


def test_a_server_process_reads_its_release_as_it_starts():
    """Fragments are cached under the release digest: it must describe the code the
    process imported, not files changed on disk before its first page."""
    result = run_django(
        "import baro.wsgi; from apps.core.pages import release; "
        "print(release.cache_info().currsize)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_translation_is_off_as_the_shop_speaks_english_only(settings):
    # Django, allauth and the admin give their English source strings, and the active
    # language is read from the setting, not a context-local, for each number, date and
    # URL a template makes.
    assert settings.USE_I18N is False
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
