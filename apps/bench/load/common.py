"""Shared pieces of the load tests: the benchmark environment, gunicorn, an HTTP client.

The load tests run against gunicorn with production settings on 127.0.0.1, on their
own PostgreSQL database and Redis database so they never touch development data.
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import runpy
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/baro_bench"
)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
# Drawn once per run and inherited by every process the run starts (server, generators).
BENCH_SECRET = os.environ.setdefault("BENCH_SECRET_KEY", secrets.token_urlsafe(40))


def bench_environment(**extra: str) -> dict[str, str]:
    """Production settings, served over plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="baro.settings",
        DATABASE_URL=BENCH_DATABASE_URL,
        REDIS_URL=BENCH_REDIS_URL,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=BENCH_SECRET,
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_LOG_LEVEL="WARNING",
        BARO_CACHE_PREFIX="bench",
    )
    env.update(extra)
    return env


def setup_django() -> None:
    """Configure this process like the benchmark server (same database, same Redis)."""
    os.environ.update(bench_environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database() -> None:
    """Create the benchmark database if it is missing, migrate it, collect static files.
    The benchmarks reset and reseed it, so it must be a database of their own."""
    name = BENCH_DATABASE_URL.rsplit("/", 1)[1]
    if not name.endswith("_bench"):
        raise SystemExit(
            f"The benchmarks replace the data in {name!r}: point BENCH_DATABASE_URL at a "
            "database of their own, named like 'baro_bench'."
        )
    server = BENCH_DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    env = bench_environment()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes ``pids`` and their live children have
    used so far."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


def cpu_seconds_named(names: tuple[str, ...]) -> float:
    """CPU time the live processes with one of these names have used so far (the
    database's backends, say)."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info["cpu_times"]
        if process.info["name"] in names and times is not None:
            total += times.user + times.system
    return total


class CpuMeter:
    """Where the machine's CPU went from now until ``read()``: this process (the load
    generator's threads), the server, PostgreSQL and Redis, in CPU seconds and as shares
    of all the cores over the wall time. PostgreSQL and Redis are every process of that
    name on the machine, whoever they serve (a load test here has them to itself); a
    backend that ends within the window takes its time with it."""

    SERVICES = {"postgresql": ("postgres",), "redis": ("redis-server",)}

    def __init__(self, server: Gunicorn) -> None:
        self.server = server
        self.wall = time.monotonic()
        self.generator = self._own()
        self.server_cpu = server.cpu_seconds()
        self.services = {name: cpu_seconds_named(names) for name, names in self.SERVICES.items()}

    @staticmethod
    def _own() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def read(self) -> dict:
        wall = time.monotonic() - self.wall
        spent = {
            "generator": self._own() - self.generator,
            "server": self.server.cpu_seconds() - self.server_cpu,
            **{
                name: cpu_seconds_named(names) - self.services[name]
                for name, names in self.SERVICES.items()
            },
        }
        cores = os.cpu_count() or 1
        return {
            "seconds": round(wall, 1),
            **{f"{name}_cpu_s": round(value, 2) for name, value in spent.items()},
            "shares": {name: round(value / (wall * cores), 3) for name, value in spent.items()},
        }


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, started and stopped around a run."""

    def __init__(self, port: int, *, extra_env: dict[str, str] | None = None):
        self.port = port
        self.env = bench_environment(
            GUNICORN_BIND=f"{HOST}:{port}", GUNICORN_ACCESSLOG="", **(extra_env or {})
        )
        # What gunicorn.conf.py decides in this environment (workers, threads).
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.workers, self.threads = conf["workers"], conf["threads"]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        log = open(ROOT / "bench-gunicorn.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "baro.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see bench-gunicorn.log")
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the master and its live workers have used so far."""
        return cpu_seconds([self.process.pid])

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Browser:
    """A tiny keep-alive HTTP client that keeps cookies and sends htmx headers."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    connection: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        return self.connection

    def request(self, method: str, path: str, body: str | None = None, htmx: bool = False):
        headers = {"Host": f"{HOST}:{self.port}", "Referer": f"http://{HOST}:{self.port}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if "csrftoken" in self.cookies and method == "POST":
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if htmx:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = f"http://{HOST}:{self.port}/"
        for attempt in (1, 2):
            try:
                connection = self._connection()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection = None  # the server closed a kept-alive socket: reconnect
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), content.decode("utf-8", "replace")


def form_value(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return found.group(1) if found else None


def log_in_sessions(users) -> dict[int, str]:
    """Session cookies for ``users``, written straight into the session store the
    server reads (Redis), as a login would, without paying for password hashing."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from apps.accounts.backends import SESSION_BACKEND

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    cookies = {}
    for user in users:
        session = store_class()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = SESSION_BACKEND  # what every log-in records
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        cookies[user.pk] = session.session_key
    return cookies


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class ClusterServer:
    """The same benchmark through HAProxy (deploy/cluster.py): three app nodes, PgBouncer,
    a replica, Redis with Sentinels, in a temporary directory, stopped afterwards. The
    benchmark process talks to the primary itself and to the same Redis."""

    def __init__(self, workdir: Path, *, database: str = "baro_bench") -> None:
        from deploy.cluster import Cluster, Ports

        self.cluster = Cluster(
            workdir,
            Ports.spare(),
            database=database,
            seed=False,  # prepare_data seeds the benchmark's own catalogue
            node_env={
                "BARO_BENCH": "1",
                "BARO_CACHE_PREFIX": "bench",
                "DJANGO_SECRET_KEY": BENCH_SECRET,  # the sessions the run writes
                "DJANGO_LOG_LEVEL": "WARNING",
            },
        )
        self.port = self.cluster.ports.web
        self.workers = f"{len(self.cluster.ports.nodes)} nodes x {self.cluster.workers}"
        self.threads = self.cluster.threads

    def start(self) -> None:
        """Bring the cluster up and point this process's settings at it."""
        global BENCH_DATABASE_URL, BENCH_REDIS_URL
        self.cluster.up()
        BENCH_DATABASE_URL = self.cluster.primary_url()
        BENCH_REDIS_URL = "redis://baro/0"
        os.environ["REDIS_SENTINELS"] = self.cluster.sentinels

    def __enter__(self) -> ClusterServer:
        return self

    def __exit__(self, *exc) -> None:
        pass  # the run stops the cluster itself (stop), after its stock audit

    def stop(self) -> None:
        self.cluster.down()

    def cpu_seconds(self) -> float:
        """CPU time of every part: HAProxy, the nodes, PgBouncer, PostgreSQL, Redis."""
        roots = list(self.cluster.pids.values())
        for role in ("primary", "replica"):
            pidfile = self.cluster.path("pg", role, "postmaster.pid")
            if pidfile.exists():
                roots.append(int(pidfile.read_text().split()[0]))
        return cpu_seconds(roots)
