"""BARO as several hosts would run it, as separate processes on this machine's loopback.

    python deploy/cluster.py up      # make cluster
    python deploy/cluster.py status
    python deploy/cluster.py down    # make cluster-down

Every part is a Debian package people already run; nothing here balances, pools or
fails over by itself::

    shoppers ──► HAProxy :8080 ──► gunicorn node1 :8101 ─┐   (health: GET /healthz)
                                 ├► gunicorn node2 :8102 ─┤
                                 └► gunicorn node3 :8103 ─┤   + the job worker
                                                          │
       writes, carts, orders ◄───────────────────────────┤───► catalogue reads
       PgBouncer :6432 (transaction pooling)              │     PostgreSQL replica :55433
       PostgreSQL primary :55432 ──── streaming ─────────────►  (pg_basebackup)
                                                          │
       cache and sessions ◄──────────────────────────────┘
       Redis primary :6380 ──► Redis replica :6381, watched by three Sentinels :26379-26381

The PostgreSQL primary here is one of its own (initdb), never the machine's shared
server, so the drills can stop and restart it. Everything lives in one directory
(``BARO_CLUSTER_DIR``, default /tmp/baro-cluster), which ``down`` removes.
``tests/cluster`` drives the same class on spare ports to run the failure drills.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path(os.environ.get("BARO_CLUSTER_DIR", Path(tempfile.gettempdir(), "baro-cluster")))
DATABASE = "baro"
SENTINEL_SERVICE = "baro"
PROGRAMS = ("haproxy", "pgbouncer", "redis-server", "redis-sentinel")
DEBIAN_PACKAGES = "haproxy pgbouncer redis-server redis-sentinel postgresql"
MARKER = ".baro-cluster"  # in every directory `up` made: `down` removes no other
# Debian puts haproxy and pgbouncer in /usr/sbin, which a normal user's PATH leaves out.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def program(name: str) -> str | None:
    return shutil.which(name, path=SEARCH_PATH)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def wait_for(check, seconds: float, what: str) -> float:
    """Poll ``check`` until it is true and return how long that took; after ``seconds``,
    raise RuntimeError saying ``what`` did not happen."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError(f"{what} within {seconds:g} s")


def postgres_bin() -> Path | None:
    """Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # /usr/local/bin/initdb may be a link
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def missing_programs() -> list[str]:
    missing = [name for name in PROGRAMS if program(name) is None]
    if postgres_bin() is None:
        missing.append("initdb (PostgreSQL server)")
    return missing


@dataclass
class Ports:
    # Away from the ports Debian's own pgbouncer and redis-sentinel services take.
    web: int = 8080
    stats: int = 8404
    nodes: list[int] = field(default_factory=lambda: [8101, 8102, 8103])
    pgbouncer: int = 16432
    primary: int = 55432
    replica: int = 55433
    redis: list[int] = field(default_factory=lambda: [16379, 16380])
    sentinels: list[int] = field(default_factory=lambda: [26479, 26480, 26481])

    def all(self) -> list[int]:
        return [
            self.web,
            self.stats,
            *self.nodes,
            self.pgbouncer,
            self.primary,
            self.replica,
            *self.redis,
            *self.sentinels,
        ]

    @classmethod
    def spare(cls, nodes: int = 3) -> Ports:
        return cls(
            web=free_port(),
            stats=free_port(),
            nodes=[free_port() for _ in range(nodes)],
            pgbouncer=free_port(),
            primary=free_port(),
            replica=free_port(),
            redis=[free_port(), free_port()],
            sentinels=[free_port() for _ in range(3)],
        )


class AlreadyThere(RuntimeError):
    """`up` found the directory in use: nothing was started, nothing is to be stopped."""


def _start_time(pid: int) -> str | None:
    try:  # field 22 of /proc/<pid>/stat: when the process started, in clock ticks
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def remove_cluster_dir(path: Path) -> None:
    """Remove a directory `up` made, and nothing else."""
    if (path / MARKER).exists():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        print(f"cluster: {path} was not made by `up`; left as it is", file=sys.stderr)


class Cluster:
    """Starts, inspects, breaks and stops the parts. ``state.json`` in the directory
    records the ports and process ids, so another process (``down``) can stop them."""

    def __init__(
        self,
        workdir: Path = DEFAULT_DIR,
        ports: Ports | None = None,
        *,
        database: str = DATABASE,
        node_env: dict[str, str] | None = None,
        workers: int = 2,
        threads: int = 8,
        seed: bool = True,
        python: str = sys.executable,
    ) -> None:
        self.dir = workdir
        self.ports = ports or Ports()
        self.database = database
        self.node_env = node_env or {}
        self.workers, self.threads = workers, threads
        self.seed = seed
        self.python = python
        self.pids: dict[str, int] = {}
        self.started: dict[str, str | None] = {}  # each pid's start time, from /proc
        self.bin = postgres_bin()
        # PostgreSQL and PgBouncer refuse to run as root: they run as "postgres" then.
        self.as_postgres = os.geteuid() == 0
        self.secret = ""
        self.last_health = "none yet"

    # --- paths and addresses ---------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports.web}"

    def path(self, *parts: str) -> Path:
        return self.dir.joinpath(*parts)

    def log(self, name: str) -> Path:
        return self.path("logs", f"{name}.log")

    def primary_url(self, port: int | None = None) -> str:
        return f"postgres://postgres@127.0.0.1:{port or self.ports.primary}/{self.database}"

    @property
    def pooled_url(self) -> str:
        return self.primary_url(self.ports.pgbouncer)

    @property
    def replica_url(self) -> str:
        return self.primary_url(self.ports.replica)

    @property
    def sentinels(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.ports.sentinels)

    def app_env(self, *, direct: bool = False, redis_db: int = 0) -> dict[str, str]:
        """The environment of an app node: production settings over plain HTTP behind
        HAProxy. ``direct`` talks to the primary itself (migrations, maintenance)."""
        env = dict(os.environ)
        for name in ("DATABASE_REPLICA_URL", "DATABASE_TRANSACTION_POOLING", "REDIS_SENTINELS"):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE="baro.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=self.secret,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_BEHIND_PROXY="1",
            REDIS_URL=f"redis://{SENTINEL_SERVICE}/{redis_db}",
            REDIS_SENTINELS=self.sentinels,
            MEDIA_ROOT=str(self.path("media")),
            PYTHONUNBUFFERED="1",
        )
        if direct:
            env["DATABASE_URL"] = self.primary_url()
        else:
            env.update(
                DATABASE_URL=self.pooled_url,
                DATABASE_TRANSACTION_POOLING="1",
                DATABASE_REPLICA_URL=self.replica_url,
            )
        env.update(self.node_env)
        return env

    # --- processes -------------------------------------------------------------------

    def _user(self) -> dict:
        return (
            {"user": "postgres", "group": "postgres", "extra_groups": []}
            if self.as_postgres
            else {}
        )

    def _run(self, args: list, *, postgres: bool = False, env=None, cwd=None) -> None:
        args = [program(str(args[0])) or str(args[0]), *args[1:]]
        result = subprocess.run(
            [str(a) for a in args],
            cwd=cwd or self.dir,
            env=env,
            capture_output=True,
            text=True,
            **(self._user() if postgres else {}),
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def _spawn(self, name: str, args: list, *, postgres: bool = False, env=None, cwd=None) -> int:
        """A long-running part, in a session of its own so it outlives ``up`` and a
        signal to its process group reaches its children (gunicorn's workers)."""
        log = open(self.log(name), "ab")  # noqa: SIM115 (the child keeps it)
        args = [program(str(args[0])) or str(args[0]), *args[1:]]
        process = subprocess.Popen(
            [str(a) for a in args],
            cwd=cwd or self.dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **(self._user() if postgres else {}),
        )
        log.close()
        self.pids[name] = process.pid
        self.started[name] = _start_time(process.pid)
        self._save()
        return process.pid

    def _ours(self, name: str) -> int | None:
        """The part's pid, if that process is still the one `up` started (a pid the
        system has since given to another program is left alone)."""
        pid = self.pids.get(name)
        if pid is None or _start_time(pid) != self.started.get(name):
            return None
        return pid

    def _signal(self, name: str, sig: int) -> None:
        pid = self._ours(name)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)

    def alive(self, name: str) -> bool:
        pid = self._ours(name)
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        try:  # a child of ours that exited is a zombie until reaped
            done, _ = os.waitpid(pid, os.WNOHANG)
            return done == 0
        except ChildProcessError:
            return True  # not our child (started by another `cluster.py`): it runs

    def stop(self, name: str, *, sig: int = signal.SIGTERM, wait: float = 20) -> None:
        self._signal(name, sig)
        deadline = time.monotonic() + wait
        while self.alive(name) and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive(name):
            self._signal(name, signal.SIGKILL)
            wait_for(lambda: not self.alive(name), 10, f"{name} did not stop")
        self.pids.pop(name, None)
        self.started.pop(name, None)
        self._save()

    def kill(self, name: str) -> None:
        """As if the host died: SIGKILL to the part and its children, at once."""
        self.stop(name, sig=signal.SIGKILL, wait=10)

    def _save(self) -> None:
        state = {
            "ports": asdict(self.ports),
            "pids": self.pids,
            "started": self.started,
            "database": self.database,
        }
        self.path("state.json").write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls, workdir: Path = DEFAULT_DIR) -> Cluster:
        state = json.loads((workdir / "state.json").read_text())
        cluster = cls(workdir, Ports(**state["ports"]), database=state["database"])
        cluster.pids = {name: int(pid) for name, pid in state["pids"].items()}
        cluster.started = dict(state.get("started", {}))
        secret = workdir / "secret"
        cluster.secret = secret.read_text().strip() if secret.exists() else ""
        return cluster

    # --- PostgreSQL ------------------------------------------------------------------

    def _pg_dir(self, role: str) -> Path:
        return self.path("pg", role)

    def _pg_ctl(self, role: str, action: str, *extra: str) -> None:
        port = self.ports.primary if role == "primary" else self.ports.replica
        args = [self.bin / "pg_ctl", "-D", self._pg_dir(role), "-w", "-t", "60"]
        if action in ("start", "restart"):
            options = (
                f"-c port={port} -c listen_addresses=127.0.0.1 "
                f"-c unix_socket_directories={self.path('pg', 'run')}"
            )
            # The server writes its log itself, as "postgres": in a folder it owns.
            args += ["-l", self.path("pg", f"{role}.log"), "-o", options]
        self._run([*args, action, *extra], postgres=True)

    def start_primary(self) -> None:
        self._pg_ctl("primary", "start")

    def stop_primary(self) -> None:
        self._pg_ctl("primary", "stop", "-m", "fast")

    def start_replica(self) -> None:
        self._pg_ctl("replica", "start")

    def stop_replica(self) -> None:
        self._pg_ctl("replica", "stop", "-m", "fast")

    def sql(self, statement: str, *, port: int | None = None, database: str | None = None):
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=port or self.ports.primary,
            user="postgres",
            dbname=database or self.database,
            autocommit=True,
            connect_timeout=3,
        ) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def _postgres(self) -> None:
        pg = self.path("pg")
        pg.mkdir()
        self.path("pg", "run").mkdir()
        if self.as_postgres:
            shutil.chown(pg, "postgres", "postgres")
            shutil.chown(self.path("pg", "run"), "postgres", "postgres")
        self._run(
            [
                self.bin / "initdb",
                "-D",
                self._pg_dir("primary"),
                "-U",
                "postgres",
                "--auth=trust",  # loopback only (listen_addresses below)
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
            postgres=True,
        )
        with open(self._pg_dir("primary") / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# baro cluster\nwal_level = replica\nmax_wal_senders = 5\n"
                "hot_standby = on\nmax_connections = 200\n"
            )
        self.start_primary()
        self.sql(f'CREATE DATABASE "{self.database}"', database="postgres")
        # Through PgBouncer no client can bring its own startup options, so the time
        # limits (settings.py's DATABASE_LOCK_TIMEOUT and DATABASE_STATEMENT_TIMEOUT)
        # are the database's own: every server connection PgBouncer opens has them.
        for setting, value in (
            ("lock_timeout", os.environ.get("DATABASE_LOCK_TIMEOUT", "2s")),
            ("statement_timeout", os.environ.get("DATABASE_STATEMENT_TIMEOUT", "10s")),
            ("timezone", "UTC"),
        ):
            self.sql(f"ALTER DATABASE \"{self.database}\" SET {setting} = '{value}'")
        self._run(
            [
                self.bin / "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                self.ports.primary,
                "-U",
                "postgres",
                "-D",
                self._pg_dir("replica"),
                "--write-recovery-conf",  # standby.signal and primary_conninfo
                "--wal-method=stream",
                "--checkpoint=fast",
            ],
            postgres=True,
        )
        self.start_replica()

    # --- Redis and Sentinel ----------------------------------------------------------

    def _redis(self, index: int, *, replica_of: int | None = None) -> None:
        port = self.ports.redis[index]
        data = self.path("redis", str(port))
        data.mkdir(parents=True, exist_ok=True)
        args = ["redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", data]
        args += ["--save", "", "--appendonly", "no"]
        if replica_of is not None:
            args += ["--replicaof", "127.0.0.1", replica_of]
        self._spawn(f"redis-{port}", args)
        self._wait_listening(f"redis-{port}", port, 10)

    def _sentinels(self) -> None:
        for port in self.ports.sentinels:
            data = self.path("sentinel", str(port))
            data.mkdir(parents=True, exist_ok=True)
            conf = data / "sentinel.conf"  # Sentinel rewrites its own file as it learns
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {data}\n"
                f"sentinel monitor {SENTINEL_SERVICE} 127.0.0.1 {self.ports.redis[0]} 2\n"
                # One second of silence and a quorum of two: a dead primary is replaced
                # in about two seconds.
                f"sentinel down-after-milliseconds {SENTINEL_SERVICE} 1000\n"
                f"sentinel failover-timeout {SENTINEL_SERVICE} 5000\n"
                f"sentinel parallel-syncs {SENTINEL_SERVICE} 1\n"
            )
            self._spawn(f"sentinel-{port}", ["redis-sentinel", conf])
            self._wait_listening(f"sentinel-{port}", port, 10)

    def redis_primary(self) -> int | None:
        """The port of the Redis primary, as the Sentinels' majority names it."""
        import redis

        votes: dict[int, int] = {}
        for port in self.ports.sentinels:
            try:
                client = redis.Redis(port=port, socket_timeout=0.5, socket_connect_timeout=0.5)
                answer = client.sentinel_get_master_addr_by_name(SENTINEL_SERVICE)
            except redis.RedisError:
                continue
            if answer:
                votes[int(answer[1])] = votes.get(int(answer[1]), 0) + 1
        best = max(votes.items(), key=lambda item: item[1], default=None)
        return best[0] if best and best[1] >= 2 else None

    def kill_redis(self, port: int) -> None:
        self.kill(f"redis-{port}")

    def start_redis(self, port: int) -> None:
        """Back as a replica of whoever is primary now (with no data of its own it must
        not come back as a primary: the Sentinels would then see an empty master)."""
        self._redis(self.ports.redis.index(port), replica_of=self.redis_primary())

    # --- PgBouncer, app nodes, worker, HAProxy ---------------------------------------

    def _pgbouncer(self) -> None:
        conf_dir = self.path("pgbouncer")
        conf_dir.mkdir()
        (conf_dir / "userlist.txt").write_text('"postgres" ""\n')
        (conf_dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{self.database} = host=127.0.0.1 port={self.ports.primary} dbname={self.database}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.ports.pgbouncer}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {conf_dir / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 2000\n"
            # The primary's connections, whatever the number of app threads.
            "default_pool_size = 40\n"
            "reserve_pool_size = 10\n"
            # A primary that went away is tried again soon, so recovery is quick.
            "server_login_retry = 1\n"
            "server_connect_timeout = 3\n"
            # A client waits at most this long for a server connection.
            "query_wait_timeout = 10\n"
            "admin_users = postgres\n"
            "log_connections = 0\n"
            "log_disconnections = 0\n"
        )
        if self.as_postgres:
            shutil.chown(conf_dir, "postgres", "postgres")
        self._spawn("pgbouncer", ["pgbouncer", conf_dir / "pgbouncer.ini"], postgres=True)
        self._wait_listening("pgbouncer", self.ports.pgbouncer, 10)

    def _prepare_shop(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if self.seed:
            self.manage("seed_demo", "--if-empty")

    def manage(self, *args: str) -> None:
        """A management command against the primary itself, as an operator runs one."""
        self._run([self.python, ROOT / "manage.py", *args], env=self.app_env(direct=True), cwd=ROOT)

    def node_name(self, index: int) -> str:
        return f"node{index + 1}"

    def start_node(self, index: int) -> None:
        port = self.ports.nodes[index]
        env = self.app_env()
        env.update(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(self.workers),
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_ACCESSLOG="",
            # Each node's workers take nodes base+0, base+1, ... (gunicorn.conf.py).
            BARO_TSID_NODE=str(100 * (index + 1)),
        )
        self._spawn(
            self.node_name(index),
            [self.python, "-m", "gunicorn", "baro.wsgi:application"],
            env=env,
            cwd=ROOT,
        )
        self._wait_listening(self.node_name(index), port, 60)

    def kill_node(self, index: int) -> None:
        self.kill(self.node_name(index))

    def _worker(self) -> None:
        env = {**self.app_env(), "BARO_TSID_NODE": "1000"}
        self._spawn("worker", [self.python, ROOT / "manage.py", "run_worker"], env=env, cwd=ROOT)

    def _haproxy(self) -> None:
        servers = "\n".join(
            f"    server {self.node_name(i)} 127.0.0.1:{port} check"
            for i, port in enumerate(self.ports.nodes)
        )
        config = self.path("haproxy.cfg")
        config.write_text(
            f"""global
    maxconn 4096
    stats socket {self.path("haproxy.sock")} mode 600 level admin

defaults
    mode http
    log stdout format raw local0 err
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s
    timeout queue 10s

frontend shop
    bind 127.0.0.1:{self.ports.web}
    # The app believes these two (DJANGO_BEHIND_PROXY=1): set here, never the client's.
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    http-request set-header X-Forwarded-Proto http unless {{ ssl_fc }}
    http-request del-header X-Forwarded-For
    option forwardfor
    default_backend nodes

backend nodes
    balance leastconn
    # A node that does not answer /healthz twice in a row (1 s apart) gets no more
    # requests; two answers bring it back. A dead node refuses the check at once; a busy
    # one has 5 s to answer. A 503 is an answer: it says the database or Redis is down,
    # which every node would say alike, so it takes no node out.
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect rstatus ^(200|503)$
    timeout check 5s
    default-server inter 1s fastinter 500ms fall 2 rise 2
    # A request that could not reach its node goes to another. GET and HEAD are tried
    # again even when the node closed the connection without answering; other methods
    # only when the connection never opened, so nothing is done twice.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    http-request disable-l7-retry unless METH_GET || METH_HEAD
{servers}

frontend stats
    bind 127.0.0.1:{self.ports.stats}
    stats enable
    stats uri /
    stats refresh 2s
"""
        )
        self._run(["haproxy", "-c", "-q", "-f", config])
        self._spawn("haproxy", ["haproxy", "-f", config])
        self._wait_listening("haproxy", self.ports.web, 10)

    def _wait_listening(self, name: str, port: int, seconds: float) -> None:
        def up() -> bool:
            if not self.alive(name):
                raise RuntimeError(f"{name} exited; see {self.log(name)}")
            return listening(port)

        wait_for(up, seconds, f"{name} did not listen on :{port}")

    def haproxy_command(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(str(self.path("haproxy.sock")))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def node_stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's statistics row of each node (``show stat``), by node name."""
        lines = self.haproxy_command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = (dict(zip(header, line.split(","), strict=False)) for line in lines[1:])
        return {
            row["svname"]: row
            for row in rows
            if row.get("pxname") == "nodes" and row.get("svname", "").startswith("node")
        }

    def node_states(self) -> dict[str, str]:
        """HAProxy's view of each node: UP, DOWN, or a transition (e.g. 'UP 1/2')."""
        return {name: row["status"] for name, row in self.node_stats().items()}

    # --- the whole -------------------------------------------------------------------

    def up(self) -> None:
        missing = missing_programs()
        if missing:
            raise RuntimeError(
                f"missing {', '.join(missing)}: install Debian's {DEBIAN_PACKAGES} "
                "(make cluster-install)"
            )
        if self.dir.exists() and any(self.dir.iterdir()):
            raise AlreadyThere(
                f"{self.dir} is not empty: a cluster runs there, or one left it behind "
                "(make cluster-down stops and removes it)"
            )
        taken = [port for port in self.ports.all() if listening(port)]
        if taken:
            raise RuntimeError(f"ports already in use on 127.0.0.1: {taken}")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)  # PostgreSQL, as "postgres", works under it
        self.path(MARKER).touch()
        self.path("logs").mkdir()
        self.path("media").mkdir()
        self.secret = secrets.token_urlsafe(40)
        with os.fdopen(
            os.open(self.path("secret"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w"
        ) as secret:
            secret.write(self.secret)
        self._save()
        self._postgres()
        self._redis(0)
        self._redis(1, replica_of=self.ports.redis[0])
        self._sentinels()
        wait_for(lambda: self.redis_primary() == self.ports.redis[0], 15, "no Sentinel quorum")
        self._pgbouncer()
        self._prepare_shop()
        for index in range(len(self.ports.nodes)):
            self.start_node(index)
        self._worker()
        self._haproxy()
        wait_for(self._every_node_up, 30, "HAProxy did not see every node up")
        # Up means serving: the database and Redis answer through the whole chain.
        try:
            wait_for(self._healthy, 30, f"{self.url}/healthz did not answer 200")
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its last answer: {self.last_health}") from None

    def _every_node_up(self) -> bool:
        # Just after start, the statistics socket may not answer yet, or answer nothing.
        try:
            states = self.node_states()
        except (OSError, IndexError):
            return False
        return len(states) == len(self.ports.nodes) and set(states.values()) == {"UP"}

    def _healthy(self) -> bool:
        import http.client

        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.ports.web, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            self.last_health = f"{response.status} {response.read(200).decode(errors='replace')}"
            return response.status == 200
        except OSError as error:
            self.last_health = repr(error)
            return False

    def down(self, *, remove: bool = True) -> None:
        for name in [n for n in ("haproxy", "worker") if n in self.pids]:
            self.stop(name)
        for name in [n for n in list(self.pids) if n.startswith("node")]:
            self.stop(name)
        if "pgbouncer" in self.pids:
            self.stop("pgbouncer")
        for role in ("replica", "primary"):
            if (self._pg_dir(role) / "postmaster.pid").exists():
                try:
                    self._pg_ctl(role, "stop", "-m", "fast")
                except RuntimeError as error:
                    print(error, file=sys.stderr)
        for name in [n for n in list(self.pids) if n.startswith("sentinel")]:
            self.stop(name)  # the Sentinels first: no failover as Redis stops
        for name in list(self.pids):
            self.stop(name)
        if remove:
            remove_cluster_dir(self.dir)

    def describe(self) -> str:
        nodes = ", ".join(f"{self.node_name(i)} :{port}" for i, port in enumerate(self.ports.nodes))
        return (
            f"BARO cluster in {self.dir}\n"
            f"  shop            {self.url}  (HAProxy; statistics on "
            f"http://127.0.0.1:{self.ports.stats}/)\n"
            f"  app nodes       {nodes}, and the job worker\n"
            f"  PostgreSQL      primary :{self.ports.primary} through PgBouncer "
            f":{self.ports.pgbouncer}, replica :{self.ports.replica}\n"
            f"  Redis           :{self.ports.redis[0]} and :{self.ports.redis[1]}, "
            f"Sentinels {self.sentinels}\n"
            f"  logs            {self.path('logs')}\n"
            f"  stop it with    make cluster-down"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    if args.command == "up":
        cluster = Cluster(args.dir)
        try:
            cluster.up()
        except AlreadyThere as error:
            print(f"cluster: {error}", file=sys.stderr)
            sys.exit(1)
        except (Exception, KeyboardInterrupt) as error:
            print(f"cluster: {error}", file=sys.stderr)
            print("cluster: stopping what had started", file=sys.stderr)
            cluster.down(remove=False)
            cluster.path("state.json").unlink(missing_ok=True)
            print(
                f"cluster: logs are in {cluster.path('logs')}; make cluster-down removes them",
                file=sys.stderr,
            )
            sys.exit(1)
        print(cluster.describe())
        print("  log in as      demo@baro.local / swipe-right-2026 (staff: staff@baro.local)")
        return
    if not (args.dir / "state.json").exists():
        print(f"cluster: none running in {args.dir}")
        if args.command == "down":
            remove_cluster_dir(args.dir)
        return
    cluster = Cluster.load(args.dir)
    if args.command == "down":
        cluster.down()
        print("cluster: stopped, and its directory removed")
    else:
        print(cluster.describe())
        for name, state in cluster.node_states().items():
            print(f"  {name:<15} {state}")
        print(f"  Redis primary   :{cluster.redis_primary()}")


if __name__ == "__main__":
    main()
