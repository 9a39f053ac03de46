"""Failure drills on the cluster (deploy/cluster.py): each breaks one part under load
and checks what shoppers saw, that nobody was logged out, and that stock adds up.
Every drill puts the part back before it ends, so the next one starts whole."""

from __future__ import annotations

import threading
import time

import redis
import requests

from apps.core import tsid
from tests.servers import CSRF_FIELD, KEY_FIELD, Shopper, wait_for

from .conftest import CLUSTER, Load, logged_out, unpin

pytestmark = CLUSTER


def one(cluster, statement: str, **where):
    return cluster.sql(statement, **where)[0][0]


def catalogue_paths(cluster) -> list[str]:
    look = one(cluster, "SELECT id FROM swipe_look WHERE is_active ORDER BY id LIMIT 1")
    product = one(cluster, "SELECT id FROM products_product WHERE is_active ORDER BY id LIMIT 1")
    return ["/", "/products/", f"/products/{tsid.encode(product)}/", f"/looks/{tsid.encode(look)}/"]


def a_size_on_sale(cluster, stock: int) -> int:
    """A size of an active product with no limit per shopper, given ``stock`` units."""
    variant = one(
        cluster,
        "SELECT v.id FROM products_variant v JOIN products_product p ON p.id = v.product_id "
        "WHERE p.is_active AND p.max_per_shopper IS NULL ORDER BY v.id DESC LIMIT 1",
    )
    cluster.sql(f"UPDATE products_variant SET stock = {stock} WHERE id = {variant}")  # noqa: S608
    return variant


def sold(cluster, variant: int, since: int) -> int:
    return one(
        cluster,
        "SELECT COALESCE(SUM(i.quantity), 0) FROM orders_orderitem i "  # noqa: S608
        "JOIN orders_order o ON o.id = i.order_id "
        f"WHERE i.variant_id = {variant} AND o.id > {since} AND o.status = 'ordered'",
    )


def stock_of(cluster, variant: int) -> int:
    return one(cluster, f"SELECT stock FROM products_variant WHERE id = {variant}")  # noqa: S608


def last_order(cluster) -> int:
    return one(cluster, "SELECT COALESCE(MAX(id), 0) FROM orders_order")


def buy_one(shopper: Shopper, variant: int) -> int | None:
    """Open a size's one-item checkout and place it, as the form does. The status of
    the step that did not go through (None: no answer), or of the order's POST."""
    try:
        page = shopper.get(f"/orders/checkout/?variant={tsid.encode(variant)}", timeout=20)
        if page.status_code != 200:
            return page.status_code
        return shopper.http.post(
            f"{shopper.base_url}/orders/checkout/",
            data={
                "csrfmiddlewaretoken": CSRF_FIELD.search(page.text).group(1),
                "idempotency_key": KEY_FIELD.search(page.text).group(1),
                "variant": tsid.encode(variant),
                "quantity": "1",
                "shipping_address": "1 Seongsu-ro, Seoul",
            },
            timeout=20,
            allow_redirects=False,
        ).status_code
    except requests.RequestException:
        return None


def sessions_sent_to(cluster, node: str) -> int:
    """HAProxy's count of requests it has sent to ``node`` so far."""
    return int(cluster.node_stats()[node]["stot"])


def test_an_app_node_killed_under_load_costs_at_most_its_requests_in_flight(cluster, shoppers):
    assert set(cluster.node_states().values()) == {"UP"}
    with Load(shoppers, [*catalogue_paths(cluster), "/cart/", "/accounts/me/"]) as load:
        time.sleep(2)
        killed_at = time.monotonic()
        cluster.kill_node(0)
        try:
            out_after = wait_for(
                lambda: cluster.node_states()["node1"].startswith("DOWN"),
                10,
                "HAProxy did not take the killed node out",
            )
            sent_when_out = sessions_sent_to(cluster, "node1")
            time.sleep(3)
            sent_later = sessions_sent_to(cluster, "node1")
        finally:
            load.__exit__(None, None, None)
            cluster.start_node(0)
    wait_for(lambda: cluster.node_states()["node1"] == "UP", 20, "node1 did not come back")

    failed = load.failed()
    in_flight = load.in_flight_at(killed_at)
    served_after = [o for o in load.outcomes if o.started > killed_at + out_after]
    print(
        f"\nnode killed: out of rotation after {out_after:.1f} s; {len(load.outcomes)} requests, "
        f"{len(in_flight)} in flight at the kill, {len(failed)} failed"
    )
    assert out_after <= 5
    assert all(any(o is f for o in in_flight) for f in failed), failed
    assert sent_later == sent_when_out  # nothing more went to the dead node
    assert len(served_after) > 20 and not [o for o in served_after if o.status not in (200, 302)]
    assert logged_out(shoppers) == []


def test_a_shopper_sees_their_own_swipe_while_the_replica_lags(cluster, shoppers):
    shopper = shoppers[2]
    look = one(cluster, "SELECT id FROM swipe_look WHERE is_active ORDER BY id DESC LIMIT 1")
    card = f"/looks/{tsid.encode(look)}/"
    replica = {"port": cluster.ports.replica}
    # A fresh commit for the replica to replay, then replay stops: the replica is behind
    # from the next write on, by less than the lag it is trusted with.
    cluster.sql("SELECT txid_current()")
    wait_for(
        lambda: one(
            cluster, "SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()", **replica
        ),
        10,
        "the replica did not catch up",
    )
    cluster.sql("SELECT pg_wal_replay_pause()", **replica)
    try:
        swiped = shopper.post_form("/", f"/swipe/{tsid.encode(look)}/", {"reaction": "like"})
        assert swiped.status_code == 302
        own_page = shopper.get("/looks/liked/")
        # The same session without the cookie the swipe set reads the replica:
        stranger = Shopper(cluster.url)
        stranger.http.cookies.set("sessionid", shopper.session_cookie)
        replica_page = stranger.get("/looks/liked/")
    finally:
        cluster.sql("SELECT pg_wal_replay_resume()", **replica)
    # Both are the shopper's own liked list: the page is for logged-in shoppers only, and
    # a visitor without the session would be sent to log in (302).
    assert own_page.status_code == 200 and replica_page.status_code == 200
    own_page, replica_page = own_page.text, replica_page.text
    assert card in own_page
    assert card not in replica_page  # what the shopper would have seen without the pin


def replica_catalogue_scans(cluster) -> int:
    """How often the replica has read the catalogue's own tables (its statistics): not
    the health checks' SELECT 1, which touch no table."""
    return one(
        cluster,
        "SELECT SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)) FROM pg_stat_user_tables "
        "WHERE relname IN ('products_product', 'products_variant', 'swipe_look')",
        port=cluster.ports.replica,
    )


def replica_is_read(cluster, browser, paths, seconds: float) -> float:
    """Open the catalogue pages until the replica's own statistics show they read the
    catalogue there (the statistics reach the view within about ten seconds)."""
    unpin(browser)
    before = replica_catalogue_scans(cluster)

    def reads():
        for path in paths:
            assert browser.get(path).status_code == 200
        return replica_catalogue_scans(cluster) > before + len(paths)

    return wait_for(reads, seconds, "the catalogue pages did not read the replica")


def test_the_replica_stopped_sends_the_catalogue_to_the_primary(cluster, shoppers):
    paths = catalogue_paths(cluster)
    replica_is_read(cluster, shoppers[0], paths, 20)

    unpin(*shoppers)  # their log-ins pinned them to the primary for a few seconds
    cluster.stop_replica()
    try:
        statuses = [browser.get(path).status_code for browser in shoppers for path in paths]
    finally:
        cluster.start_replica()
    print(f"\nreplica stopped: {len(statuses)} catalogue pages, statuses {sorted(set(statuses))}")
    assert set(statuses) == {200}
    # Back on the replica once it answers again (a replica that failed rests 5 s).
    back = replica_is_read(cluster, shoppers[1], paths, 30)
    print(f"replica started again: its reads seen again after {back:.1f} s")


def test_the_redis_primary_killed_is_replaced_and_nobody_is_logged_out(cluster, shoppers):
    old = cluster.redis_primary()
    (new,) = [port for port in cluster.ports.redis if port != old]
    with Load(shoppers, [*catalogue_paths(cluster), "/cart/"]) as load:
        time.sleep(1)
        killed_at = time.monotonic()
        cluster.kill_redis(old)
        try:
            promoted = wait_for(
                lambda: cluster.redis_primary() == new, 20, "Sentinel did not promote the replica"
            )
            followed = wait_for(
                lambda: requests.get(cluster.url + "/healthz", timeout=5).status_code == 200,
                15,
                "the app did not follow the new Redis primary",
            )
            followed_at = time.monotonic()
            time.sleep(2)
        finally:
            load.__exit__(None, None, None)
    try:
        failed = load.failed()
        print(
            f"\nRedis primary killed: promoted after {promoted:.1f} s, the app on it "
            f"{promoted + followed:.1f} s after the kill; {len(load.outcomes)} requests, "
            f"{len(failed)} answered 503"
        )
        assert {o.status for o in failed} <= {503}  # a clear "try again", never a 500
        assert not [o for o in failed if o.started > followed_at]
        assert [o for o in load.outcomes if o.started > followed_at]
        assert killed_at < followed_at
        assert logged_out(shoppers) == []
        # A new log-in writes a session again.
        late = Shopper(cluster.url)
        late.log_in("drill-7@baro.local", "drill-password-2026")
    finally:
        cluster.start_redis(old)  # back, as the new primary's replica
    wait_for(
        lambda: redis.Redis(port=new).info("replication")["connected_slaves"] == 1,
        15,
        "the old primary did not rejoin as a replica",
    )


def test_the_primary_database_restarted_under_checkouts(cluster, shoppers):
    stock = 2000  # more than six buyers take in the drill: checkouts go on after it
    variant = a_size_on_sale(cluster, stock)
    since = last_order(cluster)
    outcomes: list[tuple[float, int | None]] = []
    stop = threading.Event()

    def shop(browser):
        while not stop.is_set():
            outcomes.append((time.monotonic(), buy_one(browser, variant)))

    threads = [threading.Thread(target=shop, args=(b,), daemon=True) for b in shoppers[:6]]
    for thread in threads:
        thread.start()
    started_before = one(cluster, "SELECT pg_postmaster_start_time()")
    try:
        time.sleep(1.5)
        cluster.stop_primary()
        time.sleep(3)
        cluster.start_primary()
        back_at = time.monotonic()
        time.sleep(8)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        if not (cluster.path("pg", "primary", "postmaster.pid")).exists():
            cluster.start_primary()

    statuses = [status for _, status in outcomes]
    recovered = [status for started, status in outcomes if started > back_at + 3]
    remaining, sold_units = stock_of(cluster, variant), sold(cluster, variant, since)
    print(
        f"\nprimary restarted: {len(outcomes)} checkouts, "
        f"{ {s: statuses.count(s) for s in set(statuses)} }; "
        f"sold {sold_units}, {remaining} left of {stock}"
    )
    assert one(cluster, "SELECT pg_postmaster_start_time()") > started_before  # restarted
    # Placed, or "try again". (PgBouncer holds a checkout that finds no server for up to
    # query_wait_timeout, so a short restart may be felt only as a slow answer.)
    assert set(statuses) <= {302, 503}
    assert 302 in recovered and set(recovered) == {302}  # and over a few seconds later
    assert remaining >= 0 and remaining + sold_units == stock  # nothing oversold or lost
    assert statuses.count(302) <= sold_units
    # The replica follows the restarted primary again.
    target = one(cluster, "SELECT pg_current_wal_lsn()::text")
    wait_for(
        lambda: one(
            cluster,
            f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
            port=cluster.ports.replica,
        ),
        30,
        "the replica did not follow the restarted primary",
    )


def test_checkout_through_pgbouncer_sells_each_unit_once(cluster, shoppers):
    pooled = {"port": cluster.ports.pgbouncer}
    # The time limits come from the database, on every pooled server connection.
    assert one(cluster, "SHOW lock_timeout", **pooled) == "2s"
    assert one(cluster, "SHOW statement_timeout", **pooled) == "10s"
    for _ in range(3):
        units = 3
        variant = a_size_on_sale(cluster, units)
        since = last_order(cluster)
        start = threading.Barrier(len(shoppers))
        statuses: list[int | None] = []

        def buy(browser, variant=variant, start=start, statuses=statuses):
            start.wait(timeout=10)
            statuses.append(buy_one(browser, variant))

        threads = [threading.Thread(target=buy, args=(b,)) for b in shoppers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses, key=str) == [302] * units + [409] * (len(shoppers) - units)
        assert stock_of(cluster, variant) == 0
        assert sold(cluster, variant, since) == units
