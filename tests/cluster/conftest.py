"""One cluster (deploy/cluster.py) for the drills of this folder: HAProxy over three app
nodes, PgBouncer, a PostgreSQL primary of its own with a streaming replica, Redis with
three Sentinels, all on spare loopback ports in a temporary directory. It never
touches the machine's shared PostgreSQL or Redis, and it is stopped and removed when
the last drill ends, passed or not."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from deploy.cluster import Cluster, Ports, missing_programs
from tests.servers import Shopper

PASSWORD = "drill-password-2026"
SHOPPERS = 8
# Few PBKDF2 rounds (the hash names its own count), so eight log-ins cost no CPU to speak of.
MAKE_SHOPPERS = f"""
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from apps.accounts.models import User
password = PBKDF2PasswordHasher().encode({PASSWORD!r}, "drillsalt", iterations=1000)
for index in range({SHOPPERS}):
    User.objects.update_or_create(
        email=f"drill-{{index}}@baro.local",
        defaults={{"name": f"Drill {{index}}", "password": password,
                  "shipping_address": "1 Seongsu-ro, Seoul"}},
    )
"""

CLUSTER = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        bool(missing_programs()),
        reason=f"needs {', '.join(missing_programs())} for the cluster drills: install "
        "Debian's haproxy pgbouncer redis-server redis-sentinel postgresql (make cluster-install)",
    ),
]


@pytest.fixture(scope="package")
def cluster():
    workdir = Path(tempfile.mkdtemp(prefix="baro-cluster-test-"))
    shop = Cluster(workdir, Ports.spare())
    try:
        shop.up()
    except Exception as error:
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}"
            for log in sorted([*workdir.glob("logs/*.log"), *workdir.glob("pg/*.log")])
        )
        shop.down()
        raise RuntimeError(f"the cluster did not come up ({error}); its logs:\n{logs}") from None
    try:
        yield shop
    finally:
        try:  # the parts' logs outlive the cluster, for a drill that failed
            keep = Path(__file__).resolve().parents[2] / "test-artifacts" / "cluster-logs"
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(workdir / "logs", keep, dirs_exist_ok=True)
            for role in ("primary", "replica"):
                if (workdir / "pg" / f"{role}.log").exists():
                    shutil.copy(workdir / "pg" / f"{role}.log", keep / f"postgres-{role}.log")
        finally:
            shop.down()


def email(index: int) -> str:
    return f"drill-{index}@baro.local"


@pytest.fixture(scope="package")
def shoppers(cluster):
    """Eight browsers, each logged in, through HAProxy, as a shopper of its own."""
    cluster.manage("shell", "-c", MAKE_SHOPPERS)
    browsers = [Shopper(cluster.url) for _ in range(SHOPPERS)]
    for index, browser in enumerate(browsers):
        browser.log_in(email(index), PASSWORD)
    return browsers


def unpin(*browsers) -> None:
    """Forget the cookie that keeps a browser on the primary after its own write (a
    log-in is one): its catalogue pages read the replica again at once."""
    for browser in browsers:
        browser.http.cookies.pop("baro_primary", None)


def logged_out(browsers) -> list[int]:
    """Which of the browsers the shop no longer knows as logged in."""
    return [i for i, browser in enumerate(browsers) if not browser.logged_in_as(email(i))]


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    path: str


@dataclass
class Load:
    """Every browser asks for ``paths`` in turn, back to back, until stopped; each
    request's start, end and status are kept."""

    browsers: list
    paths: list[str]
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list = field(default_factory=list)

    def _run(self, browser, offset: int) -> None:
        turn = offset
        while not self._stop.is_set():
            path = self.paths[turn % len(self.paths)]
            turn += 1
            started = time.monotonic()
            try:
                status = browser.get(path, timeout=10).status_code
            except requests.RequestException:
                status = None
            self.outcomes.append(Outcome(started, time.monotonic(), status, path))

    def __enter__(self) -> Load:
        for offset, browser in enumerate(self.browsers):
            thread = threading.Thread(target=self._run, args=(browser, offset), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def failed(self, *, ok=(200, 302)) -> list[Outcome]:
        return [o for o in self.outcomes if o.status not in ok]

    def in_flight_at(self, moment: float) -> list[Outcome]:
        return [o for o in self.outcomes if o.started <= moment <= o.ended]
