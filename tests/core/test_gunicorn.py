"""The project's gunicorn.conf.py, run by a real gunicorn."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.servers import free_port, listening, wait_for

ROOT = Path(__file__).resolve().parents[2]


def start(port: int, home: Path, **extra) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("XDG_RUNTIME_DIR", None)
    env.update(HOME=str(home), GUNICORN_WORKERS="1", GUNICORN_ACCESSLOG="", **extra)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "baro.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_servers_on_one_host_keep_their_own_control_sockets(tmp_path):
    own = tmp_path / "second.ctl"
    servers = []
    try:
        first_port, second_port = free_port(), free_port()
        servers.append(start(first_port, tmp_path))
        servers.append(start(second_port, tmp_path, GUNICORN_CONTROL_SOCKET=str(own)))
        for port in (first_port, second_port):
            wait_for(lambda port=port: listening(port), 20, f"gunicorn did not listen on {port}")
        deadline = time.monotonic() + 10
        while not own.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        # No server sits on the shared per-user default, where the next server started
        # on this host would take the socket over; the one given a path has it there.
        assert not (tmp_path / ".gunicorn" / "gunicorn.ctl").exists()
        assert own.is_socket()
        assert all(server.poll() is None for server in servers)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def test_a_worker_freezes_what_it_loaded_before_serving(tmp_path):
    """gunicorn calls post_worker_init once the worker has loaded the shop: gc.freeze()
    there takes those objects out of every later full collection."""
    log = tmp_path / "gunicorn.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(HOME=str(tmp_path), GUNICORN_WORKERS="1", GUNICORN_ACCESSLOG="")
    with open(log, "w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "baro.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: listening(port), 20, f"gunicorn did not listen on {port}")
        wait_for(lambda: "froze" in log.read_text(), 10, "no worker said it froze its objects")
        froze = re.search(r"worker (\d+) froze (\d+) objects", log.read_text())
        assert froze and int(froze[1]) != server.pid
        # Django, the shop's apps and its URL patterns: tens of thousands of objects.
        assert int(froze[2]) > 50_000
    finally:
        server.terminate()
        server.wait(timeout=30)
