"""Which reads go to the replica (apps/core/replica.py), decided per request; the
cluster drills (tests/cluster) show the same against a real streaming replica."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from apps.core import replica
from apps.orders.models import CartItem
from apps.products.models import Product, Variant
from apps.swipe.models import Look, Swipe

from .test_settings import run_django

router = replica.ReplicaRouter()


@pytest.fixture
def replica_answers(monkeypatch):
    monkeypatch.setattr(replica, "_usable", lambda: True)


def serve(request, view=None):
    """Run ``request`` through the middleware; return the response and what the router
    chose for a catalogue model, a swipe, and a cart while the view ran."""
    seen = {}

    def get_response(request):
        match = resolve(request.path_info)
        request.resolver_match = match
        middleware.process_view(request, match.func, match.args, match.kwargs)
        if view:
            view()
        seen.update(
            product=router.db_for_read(Product),
            variant=router.db_for_read(Variant),
            swipe=router.db_for_read(Swipe),
            cart=router.db_for_read(CartItem),
        )
        return HttpResponse("ok")

    middleware = replica.ReplicaMiddleware(get_response)
    return middleware(request), seen


def test_catalogue_pages_read_the_catalogue_from_the_replica(replica_answers, rf: RequestFactory):
    for path in ("/", "/products/", "/looks/liked/", "/products/0SD2WMPBFRM00/"):
        _, seen = serve(rf.get(path))
        assert seen == {
            "product": "replica",
            "variant": "replica",
            "swipe": "replica",
            "cart": "default",  # carts, orders, accounts and sessions: always the primary
        }, path
    assert replica._reads.get() == "default"  # and nothing outlives the request


@pytest.mark.parametrize("path", ["/cart/", "/orders/", "/accounts/login/", "/admin/", "/healthz"])
def test_other_pages_read_the_primary(replica_answers, rf, path):
    _, seen = serve(rf.get(path))
    assert set(seen.values()) == {"default"}


def test_a_post_reads_the_primary_and_pins_the_browser_to_it(replica_answers, rf, settings):
    settings.BARO_REPLICA_PIN_SECONDS = 5
    response, seen = serve(rf.post("/swipe/0SD2WMPBFRM00/"))
    assert set(seen.values()) == {"default"}
    cookie = response.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 5 and cookie["httponly"]

    request = rf.get("/looks/liked/")
    request.COOKIES[replica.PIN_COOKIE] = "1"
    response, seen = serve(request)
    assert set(seen.values()) == {"default"}  # their own swipe, read where it was written
    assert replica.PIN_COOKIE not in response.cookies  # a GET does not stretch the pin


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_a_write_or_a_transaction_sends_the_rest_of_the_request_to_the_primary(replica_answers, rf):
    _, seen = serve(rf.get("/"), view=lambda: router.db_for_write(Look))
    assert set(seen.values()) == {"default"}

    chosen = {}

    def inside_a_transaction():
        with transaction.atomic():
            chosen["variant"] = router.db_for_read(Variant)

    _, seen = serve(rf.get("/products/"), view=inside_a_transaction)
    assert chosen == {"variant": "default"}  # a stock check before a lock, say
    assert seen["product"] == "replica"


def test_a_replica_that_cannot_be_used_leaves_every_read_on_the_primary(monkeypatch, rf):
    monkeypatch.setattr(replica, "_usable", lambda: False)
    _, seen = serve(rf.get("/products/"))
    assert set(seen.values()) == {"default"}


def test_a_page_that_met_a_replica_fault_is_served_again_from_the_primary(
    replica_answers, rf, monkeypatch
):
    from tests.conftest import server_gone

    closed = []

    class Replica:
        def close(self):
            closed.append(True)

    monkeypatch.setattr(replica, "connections", {replica.REPLICA: Replica()})
    monkeypatch.setattr(replica, "health", replica.ReplicaHealth())
    reads = []

    def view(request):
        reads.append(replica._reads.get())
        if replica._reads.get() == replica.REPLICA:
            raise server_gone()
        return HttpResponse("from the primary")

    request = rf.get("/products/")
    request.resolver_match = resolve("/products/")
    middleware = replica.ReplicaMiddleware(lambda request: HttpResponse())
    middleware.process_view(request, view, (), {})
    try:
        view(request)
    except Exception as error:
        response = middleware.process_exception(request, error)
    assert response.content == b"from the primary"
    assert reads == ["replica", "default"] and closed == [True]
    assert not replica.health.fit()  # resting: the next pages read the primary at once
    # A fault that is not the database's is not retried.
    other = rf.get("/products/")
    other.resolver_match = resolve("/products/")
    middleware.process_view(other, view, (), {})
    assert middleware.process_exception(other, ValueError("a bug")) is None


def test_the_lag_is_how_long_received_wal_has_waited_to_be_replayed():
    health = replica.ReplicaHealth()
    # Caught up, however long since the last write: no lag.
    assert health.lag(100.0, True, received=500, replayed=500) == 0
    # WAL arrives and is replayed before the next look: still none.
    assert health.lag(101.0, True, received=700, replayed=600) == 0
    assert health.lag(102.0, True, received=800, replayed=700) == 0
    # Replay stops at 800 while WAL keeps arriving: the lag counts from 103, when 900
    # was first seen waiting.
    assert health.lag(103.0, True, received=900, replayed=800) == 0
    assert health.lag(108.5, True, received=990, replayed=800) == 5.5
    # Replay moves on past what arrived at 103 but not past 990 (seen at 108.5).
    assert health.lag(109.0, True, received=990, replayed=950) == pytest.approx(0.5)
    assert health.lag(110.0, True, received=990, replayed=990) == 0
    # Promoted (no longer in recovery): it is the primary, with no lag.
    assert health.lag(111.0, False, received=None, replayed=None) == 0


def test_a_replica_further_behind_than_the_pin_is_not_fit(monkeypatch, settings):
    settings.BARO_REPLICA_PIN_SECONDS = 5
    health = replica.ReplicaHealth()
    positions = iter(
        [
            (True, True, 100, 100),
            (True, True, 200, 100),
            (True, True, 300, 100),
            (True, True, 300, 300),
            (True, False, 300, 300),  # the link to the primary is cut
        ]
    )
    clock = {"now": 0.0}

    class Cursor:
        def execute(self, sql):
            self.row = next(positions)

        def fetchone(self):
            return self.row

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class Connection:
        def cursor(self):
            return Cursor()

    monkeypatch.setattr(replica, "connections", {replica.REPLICA: Connection()})
    monkeypatch.setattr(replica.time, "monotonic", lambda: clock["now"])
    assert health.fit()  # caught up
    clock["now"] = 1.0
    assert health.fit()  # 200 arrived, not replayed yet: 0 s behind
    clock["now"] = 7.0
    assert not health.fit()  # still not replayed 6 s later
    clock["now"] = 9.0
    assert not health.fit()  # resting: not looked at again yet
    clock["now"] = 12.5
    assert health.fit()  # replayed (looked at again after the rest)
    clock["now"] = 14.0
    assert not health.fit()  # caught up with what it has, but receiving nothing


SHOW_CLUSTER = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'default': s.DATABASES['default'], "
    "'replica': s.DATABASES.get('replica'), 'routers': s.DATABASE_ROUTERS, "
    "'middleware': s.MIDDLEWARE, 'cache': s.CACHES['default'], "
    "'sessions': s.CACHES.get('sessions')}, default=str))"
)


def test_pooled_settings_keep_no_state_on_a_connection():
    result = run_django(
        SHOW_CLUSTER,
        DATABASE_URL="postgres://shop@127.0.0.1:6432/baro",
        DATABASE_TRANSACTION_POOLING="1",
    )
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "options" not in default["OPTIONS"]  # PgBouncer refuses startup options
    assert default["OPTIONS"].get("prepare_threshold") is None  # no prepared statements

    direct = json.loads(run_django(SHOW_CLUSTER, DATABASE_URL="postgres://shop@db/baro").stdout)
    assert "lock_timeout=2s" in direct["default"]["OPTIONS"]["options"]
    assert not direct["default"].get("DISABLE_SERVER_SIDE_CURSORS")


def test_a_replica_url_adds_the_replica_and_its_router():
    shown = json.loads(
        run_django(
            SHOW_CLUSTER,
            DATABASE_URL="postgres://shop@primary/baro",
            DATABASE_REPLICA_URL="postgres://shop@replica:5433/baro",
        ).stdout
    )
    assert shown["replica"]["HOST"] == "replica" and shown["replica"]["PORT"] == 5433
    assert shown["replica"]["TEST"]["MIRROR"] == "default"  # tests read what they wrote
    assert "lock_timeout=2s" in shown["replica"]["OPTIONS"]["options"]
    assert shown["routers"] == ["apps.core.replica.ReplicaRouter"]
    assert shown["middleware"][-1] == "apps.core.replica.ReplicaMiddleware"  # innermost
    assert shown["replica"]["OPTIONS"]["tcp_user_timeout"] == 5000

    plain = json.loads(run_django(SHOW_CLUSTER, DATABASE_URL="postgres://shop@primary/baro").stdout)
    assert plain["replica"] is None and plain["routers"] == []
    assert "apps.core.replica.ReplicaMiddleware" not in plain["middleware"]


def test_sentinels_name_the_redis_primary_for_the_cache_and_the_sessions():
    shown = json.loads(
        run_django(
            SHOW_CLUSTER,
            REDIS_URL="redis://baro/0",
            REDIS_SENTINELS="127.0.0.1:26379, 127.0.0.1:26380,127.0.0.1:26381",
        ).stdout
    )
    for alias in ("cache", "sessions"):
        cache = shown[alias]
        assert cache["LOCATION"] == ["redis://baro/0?is_master=1"]  # never a lagging replica
        assert cache["OPTIONS"]["CLIENT_CLASS"] == "django_redis.client.SentinelClient"
        assert (
            cache["OPTIONS"]["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
        )
        assert cache["OPTIONS"]["SENTINELS"] == [
            ["127.0.0.1", 26379],
            ["127.0.0.1", 26380],
            ["127.0.0.1", 26381],
        ]
        assert cache["OPTIONS"]["SOCKET_TIMEOUT"] == 0.5


def test_a_maintenance_job_refuses_to_change_a_pooled_connection(settings, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from apps.core import db

    class PooledPostgres:
        vendor = "postgresql"

        def cursor(self):
            raise AssertionError("a SET here would outlive the job on a shared connection")

    monkeypatch.setattr(db, "connections", {"default": PooledPostgres()})
    settings.DATABASE_TRANSACTION_POOLING = True
    with pytest.raises(ImproperlyConfigured, match="PgBouncer"):
        db.lift_statement_timeout()
