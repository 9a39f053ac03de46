"""A stock row held locked from outside, and a web worker killed in the middle of a
checkout: bounded waits, a clear "busy", and stock that adds up to the unit."""

import os
import signal
import threading
import time

import psycopg
from django.conf import settings
from django.db.models import Sum

from apps.orders.models import Order, OrderItem
from apps.products.models import Variant
from tests.factories import ProductFactory, VariantFactory
from tests.servers import wait_for

from .conftest import FAULTS, Shopper, buy_now, shop_user

pytestmark = FAULTS

LOCK_TIMEOUT_SECONDS = 2  # the shop's DATABASE_LOCK_TIMEOUT default


def hold_row_lock(variant_pk):
    """Lock a size's row from another session, as a long admin transaction or a stuck
    script would, until the returned connection is closed."""
    database = settings.DATABASES["default"]
    holder = psycopg.connect(
        host=database.get("HOST") or "127.0.0.1",
        port=int(database.get("PORT") or 5432),
        user=database.get("USER") or "postgres",
        password=database.get("PASSWORD") or None,
        dbname=database["NAME"],
        autocommit=False,
    )
    holder.execute("SELECT stock FROM products_variant WHERE id = %s FOR UPDATE", [variant_pk])
    return holder


def test_a_row_held_locked_answers_busy_within_the_lock_timeout(start_shop, redis_server):
    user = shop_user(email="mina@example.com")
    other = ProductFactory(name="Rib Beanie")
    variant = VariantFactory(stock=5)
    shop = start_shop(redis_url=redis_server.url, GUNICORN_WORKERS="1", GUNICORN_THREADS="4")
    buyer, browser = Shopper(shop.url), Shopper(shop.url)
    buyer.log_in(user.email, "correct-horse-battery")

    holder = hold_row_lock(variant.pk)
    try:
        outcome = {}

        def check_out():
            started = time.monotonic()
            outcome["response"] = buy_now(buyer, variant.pk)
            outcome["seconds"] = time.monotonic() - started

        checkout = threading.Thread(target=check_out)
        checkout.start()
        time.sleep(0.5)  # the checkout is now waiting for the row
        started = time.monotonic()
        for path in (f"/products/{other.pk}/", "/products/", "/healthz"):
            assert browser.get(path, timeout=5).status_code == 200, path
        assert time.monotonic() - started < LOCK_TIMEOUT_SECONDS, (
            "pages that need no lock wait for none"
        )
        checkout.join(timeout=30)
    finally:
        holder.close()

    response = outcome["response"]
    assert response.status_code == 409
    assert "The shop is very busy right now. Please try again in a moment." in response.text
    # One wait for the lock, one retry, then the answer: never a hang.
    assert LOCK_TIMEOUT_SECONDS <= outcome["seconds"] < 3 * LOCK_TIMEOUT_SECONDS + 2
    assert Variant.objects.get(pk=variant.pk).stock == 5
    assert not Order.objects.exists()

    again = buy_now(buyer, variant.pk)
    assert again.status_code == 302
    assert Variant.objects.get(pk=variant.pk).stock == 4


def test_a_web_worker_killed_mid_checkout_loses_no_unit(start_shop, redis_server):
    stock = 12
    variant = VariantFactory(stock=stock)
    buyers = [shop_user() for _ in range(8)]
    shop = start_shop(redis_url=redis_server.url, GUNICORN_WORKERS="2", GUNICORN_THREADS="4")
    shoppers = []
    for user in buyers:
        shopper = Shopper(shop.url)
        shopper.log_in(user.email, "correct-horse-battery")
        shoppers.append(shopper)

    answers: list = []

    def buy(shopper):
        for _ in range(3):
            try:
                answers.append(buy_now(shopper, variant.pk, timeout=20).status_code)
            except Exception as error:  # the request the killed worker was serving
                answers.append(type(error).__name__)

    # Every checkout queues on the held row, so some are surely in flight in the worker
    # that is killed: its open transactions die with its connections.
    holder = hold_row_lock(variant.pk)
    threads = [threading.Thread(target=buy, args=(s,)) for s in shoppers]
    for thread in threads:
        thread.start()
    time.sleep(0.7)
    victim = shop.web_workers()[0]
    os.kill(victim, signal.SIGKILL)
    holder.close()
    for thread in threads:
        thread.join(timeout=60)
    wait_for(lambda: len(shop.web_workers()) == 2, 15, "gunicorn did not replace the worker")

    assert 500 not in answers, answers
    left = Variant.objects.get(pk=variant.pk).stock
    sold = OrderItem.objects.filter(variant_id=variant.pk).aggregate(n=Sum("quantity"))["n"] or 0
    assert left >= 0
    assert left + sold == stock, f"stock audit: {left} left + {sold} sold != {stock}"
    orders = Order.objects.all()
    assert all(order.items.exists() for order in orders), "no half-written order"
    assert orders.count() == sold == answers.count(302)
