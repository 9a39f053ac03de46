"""Shared test setup.

The suite runs on whatever the environment names: SQLite and local memory when
nothing is set, PostgreSQL and Redis with DATABASE_URL and REDIS_URL. Tests that
need a service or a browser carry a marker and are skipped, with the reason, only
when the run lacks it.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("BARO_CHROMIUM", "/usr/bin/chromium")
# axe-core, installed from the npm registry by `make install-dev` (npm ci in tests/browser).
AXE_JS = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render pages without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)  # whitenoise warns when it is missing
    # Keep test keys apart from a developer's data in the same Redis database.
    for alias, cache in settings.CACHES.items():
        cache["KEY_PREFIX"] = f"baro-test-{os.getpid()}-{alias}"


def server_gone() -> Exception:
    """The error Django raises when PostgreSQL has gone away: its OperationalError,
    caused by psycopg's (which carries no SQLSTATE for a lost connection)."""
    import psycopg
    from django.db import OperationalError

    try:
        raise psycopg.OperationalError("server closed the connection unexpectedly")
    except psycopg.OperationalError as driver_error:
        error = OperationalError(str(driver_error))
        error.__cause__ = driver_error
        return error


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def uses_redis() -> bool:
    return bool(settings.REDIS_URL)


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


def axe_available() -> bool:
    return AXE_JS.exists()


def axe_missing_reason() -> str:
    if shutil.which("npm") is None:
        return (
            "needs axe-core from npm, and npm is not installed: install Node.js and npm "
            "(Debian's 'npm' package), then run `npm ci --prefix tests/browser`"
        )
    return "needs axe-core: run `npm ci --prefix tests/browser` (make install-dev does it)"


def pytest_collection_modifyitems(config, items):
    reasons = {
        "postgres": (
            uses_postgres,
            "needs PostgreSQL: this run uses SQLite; set DATABASE_URL=postgres://... to run it",
        ),
        "redis": (
            uses_redis,
            "needs Redis: this run uses the local-memory cache; set REDIS_URL=redis://... to run it",
        ),
        "browser": (
            chromium_available,
            f"needs Chromium at {CHROMIUM}: install Debian's 'chromium' package to run it",
        ),
        "axe": (axe_available, axe_missing_reason()),
    }
    for item in items:
        for marker, (available, reason) in reasons.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skipif(not available(), reason=reason))


@pytest.fixture(autouse=True)
def _clear_caches():
    yield
    from tests.caches import empty

    for alias in settings.CACHES:
        empty(alias)


@pytest.fixture(autouse=True)
def _fault_log_of_its_own():
    """Each test starts a fresh burst: the first fault it causes is logged."""
    from apps.core.faults import burst_log

    burst_log.reset()


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path_factory):
    """Files a test writes (uploads, composed look covers) land in a folder of its own,
    never in the developer's media/. Tests that need to know where set it themselves."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def unreachable_cache(settings):
    """A real django-redis client pointed at a port where nothing listens."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        },
    }


def run_due_jobs() -> None:
    """Run the background jobs that are due, as `manage.py run_worker` does, then return.
    The worker sets its own SIGINT/SIGTERM handlers; this process gets its own back."""
    import signal

    from django.core.management import call_command

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.fixture
def run_jobs(monkeypatch):
    """``run_due_jobs`` inside a test's transaction."""
    # The worker closes stale connections between jobs, as a request does; inside a
    # test's transaction that would close the test's own connection.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    return run_due_jobs
