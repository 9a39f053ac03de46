"""The shop as an operator runs it (gunicorn and the job worker, production settings), in
front of services the tests can break without touching the shared ones:

- Redis: a throw-away ``redis-server`` of the test's own on a spare loopback port,
  paused with SIGSTOP and restarted empty (no persistence, like the shared one);
- PostgreSQL: the test database, reached through a loopback proxy (``proxy.Proxy``)
  that the test can cut, as if the server had stopped.

Every test here is bounded: servers start within seconds, loops run for a fixed time,
and everything is stopped when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.servers import (  # noqa: F401 (the fault tests import them from here)
    Shopper,
    buy_now,
    free_port,
    listening,
    wait_for,
)

from .proxy import Proxy

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-tests-only-" + "x" * 40


# Every test module here carries these: PostgreSQL (the root conftest skips without it)
# and the redis-server program for a Redis of the test's own.
FAULTS = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="needs the redis-server program for a throw-away Redis: install Debian's "
        "'redis-server' package to run it",
    ),
]


class RedisServer:
    """A Redis of the test's own: no persistence, so a restart loses every key."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: listening(self.port), 10, "redis-server did not listen")

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.kill()
        self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.kill()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def pg_proxy():
    database = settings.DATABASES["default"]
    proxy = Proxy((database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)))
    yield proxy
    proxy.close()


@pytest.fixture(scope="session")
def collected_static():
    """Production settings serve hashed static files: collect them once."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": SECRET},
        check=True,
    )


class Shop:
    """gunicorn (production settings) and the job worker, on a spare port."""

    def __init__(self, *, env: dict[str, str], logdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.logdir = logdir
        self.web = self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "baro.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
        )
        self.worker = self._spawn(
            "worker",
            [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2"],
        )
        wait_for(
            lambda: listening(self.port), 30, f"gunicorn did not listen: {self.log('web')[-3000:]}"
        )

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def log(self, name: str) -> str:
        return (self.logdir / f"{name}.log").read_text(errors="replace")

    def web_workers(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.web.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process.poll() is None:
                process.terminate()
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def start_shop(transactional_db, collected_static, tmp_path):
    """Start the shop against the test database (``database_port``: the proxy's, to
    break it) and a Redis (``redis_url``: a throw-away one)."""
    shops: list[Shop] = []

    def start(*, redis_url: str, database_port: int | None = None, **extra: str) -> Shop:
        database = settings.DATABASES["default"]
        host = "127.0.0.1" if database_port else (database.get("HOST") or "127.0.0.1")
        port = database_port or int(database.get("PORT") or 5432)
        user = quote(database.get("USER") or "postgres", safe="")
        if database.get("PASSWORD"):
            user += ":" + quote(database["PASSWORD"], safe="")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "GUNICORN"))}
        env.update(
            DATABASE_URL=f"postgres://{user}@{host}:{port}/{database['NAME']}",
            REDIS_URL=redis_url,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_LOG_LEVEL="WARNING",
            BARO_CACHE_PREFIX=f"faults-{os.getpid()}",
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="4",
            GUNICORN_ACCESSLOG="",
            HOME=str(tmp_path),
        )
        env.update(extra)
        shop = Shop(env=env, logdir=tmp_path)
        shops.append(shop)
        return shop

    yield start
    for shop in shops:
        shop.stop()


def shop_user(**fields):
    """A user whose password the shop's own (production) hashers can check: the test
    settings hash with MD5, which production does not accept. Few PBKDF2 rounds, since
    the hash names its own count; the shop upgrades it on the first log-in."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.factories import DEFAULT_PASSWORD, UserFactory

    user = UserFactory(**fields)
    user.password = PBKDF2PasswordHasher().encode(DEFAULT_PASSWORD, "faultsalt", iterations=1000)
    user.save(update_fields=["password"])
    return user
