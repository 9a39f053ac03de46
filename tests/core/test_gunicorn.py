"""The project's gunicorn.conf.py, run by a real gunicorn."""

import os
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


def test_a_worker_freezes_what_it_loaded_before_serving(monkeypatch):
    """gc.freeze() after the app is loaded: the full collections skip those objects."""
    import gc
    import logging
    import runpy
    from types import SimpleNamespace

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = SimpleNamespace(pid=os.getpid(), log=logging.getLogger("gunicorn-test"))
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](worker)
        # This test process has Django and the shop loaded, as a worker has.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
