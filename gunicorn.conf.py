"""gunicorn settings for BARO (read automatically from the working directory).

One ``gthread`` worker process per core, plus one, each with 4 threads. The shop's
pages spend most of a request in Python, so more processes and threads than that only
take turns on the same two cores and GILs: with the saturated shop mix, 5 workers x 8
threads spent 5.7 ms of CPU per request where 3 x 4 spent 5.2 and served 7 % more
(docs/performance.md, "The worker model"). Threads still matter: a request that
waits (on a stock row another checkout holds, on a Redis that stopped answering) holds one
thread and the rest of its worker keeps serving pages that need no lock. The waits
themselves are bounded below the request: a row lock gives up after
DATABASE_LOCK_TIMEOUT (2 s; a checkout retries once, then answers "busy"), a statement
after DATABASE_STATEMENT_TIMEOUT (10 s), Redis after 0.5 s (settings.py). ``timeout``
is the last resort: a worker that stops reporting for 30 s is killed and replaced,
and its open transactions die with its connections. Override with GUNICORN_WORKERS /
GUNICORN_THREADS (PostgreSQL then needs workers x threads connections).
"""

import gc
import multiprocessing
import os
import secrets

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # "" turns it off
timeout = 30
# Longer than a shopper's pause between clicks, so a kept-alive connection is not closed
# just as the browser reuses it (behind a load balancer: its idle timeout, plus a bit).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "10"))
graceful_timeout = 20
# gunicorn's control socket (gunicornc) lives at one path per user by default, so a
# second server on the same host (make bench next to make run, two app nodes) would
# take it over from the first. Off unless an instance is given a path of its own through
# GUNICORN_CONTROL_SOCKET (a --control-socket flag alone does not turn it back on).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Every worker generates TSIDs, so every live worker needs its own node id.
# The master hands out node = base + slot, where slot is the lowest number no live
# worker holds; base is BARO_TSID_NODE (space hosts apart by more than their worker
# count) or a random draw made once by the master.
_TSID_NODES = 1024
_tsid_base = (
    int(os.environ["BARO_TSID_NODE"])
    if os.environ.get("BARO_TSID_NODE", "").strip()
    else secrets.randbelow(_TSID_NODES)
)


def pre_fork(server, worker):
    taken = {getattr(w, "tsid_slot", None) for w in server.WORKERS.values()}
    worker.tsid_slot = next(slot for slot in range(_TSID_NODES) if slot not in taken)


def post_fork(server, worker):
    from apps.core import tsid

    tsid.set_node((_tsid_base + worker.tsid_slot) % _TSID_NODES)
    server.log.info("worker %s uses TSID node %s", worker.pid, tsid.current_node())


def post_worker_init(worker):
    """Once a worker has loaded the shop (Django, its apps, settings and URL patterns),
    every object it has made so far is moved out of the garbage collector's reach
    (``gc.freeze``): they live as long as the process, and each full collection walked
    all of them again. In one process serving the shop's pages, the collector's share of
    the CPU fell from about 5 % to about 3 % (docs/performance.md). What is made later
    (compiled templates, cached fragments, requests) is collected as before."""
    from django.urls import reverse

    reverse("healthz")  # loads and indexes the URL patterns now, not at the first request
    gc.collect()
    gc.freeze()
    worker.log.info("worker %s froze %s objects", worker.pid, gc.get_freeze_count())
