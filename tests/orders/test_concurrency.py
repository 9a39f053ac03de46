"""Stock under concurrent buyers. Each thread opens (and closes) its own connection."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from apps.core import db
from apps.orders import services
from apps.orders.models import Order, OrderItem
from apps.orders.services import Line
from apps.products import services as stock_services
from apps.products.models import Variant
from tests.factories import UserFactory, VariantFactory
from tests.threads import run_concurrently

ROOT = Path(__file__).resolve().parents[2]


def run_threads(target, args_list):
    """(kind, value) per thread: "ok", a clear "out_of_stock", or any other "error"."""

    def kind(outcome):
        if isinstance(outcome, services.OutOfStock):
            return "out_of_stock"
        return "error" if isinstance(outcome, BaseException) else "ok"

    return [(kind(outcome), outcome) for outcome in run_concurrently(target, args_list)]


@pytest.fixture
def conflicts(monkeypatch) -> list:
    """Every deadlock or serialization failure the database reports, including the
    ones ``retry_on_conflict`` then absorbs by running the checkout again."""
    seen: list = []
    is_retryable = db.is_retryable

    def spy(error) -> bool:
        retryable = is_retryable(error)
        if retryable:
            seen.append(f"{error.__cause__.sqlstate}: {error}".strip())
        return retryable

    monkeypatch.setattr(db, "is_retryable", spy)
    return seen


def stock(variant_id) -> int:
    return Variant.objects.values_list("stock", flat=True).get(pk=variant_id)


def ordered_units(variant_id) -> int:
    return sum(
        OrderItem.objects.filter(
            variant_id=variant_id, order__status=Order.Status.ORDERED
        ).values_list("quantity", flat=True)
    )


def buy(user, variant_id, quantity=1, key=None):
    return services.order_place(
        user=user,
        lines=[Line(variant_id, quantity)],
        shipping_address="1 Seongsu-ro",
        idempotency_key=key or os.urandom(16).hex(),
    )


def single_size_race():
    variant = VariantFactory(stock=10)
    buyers = [UserFactory() for _ in range(50)]
    outcomes = run_threads(buy, [(user, variant.pk) for user in buyers])
    kinds = Counter(kind for kind, _ in outcomes)
    errors = [value for kind, value in outcomes if kind == "error"]
    assert errors == []
    assert kinds == {"ok": 10, "out_of_stock": 40}
    assert stock(variant.pk) == 0
    assert Order.objects.count() == 10
    assert ordered_units(variant.pk) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_for_ten_units_on_postgres():
    single_size_race()


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_for_ten_units_on_sqlite():
    if connection.vendor == "sqlite":
        single_size_race()
        return
    # This run is on PostgreSQL: run the same race on the embedded default too.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_fifty_buyers_for_ten_units_on_sqlite",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opposite_carts_never_deadlock_and_conserve_stock(conflicts):
    first, second = VariantFactory(stock=200), VariantFactory(stock=200)
    buyers = [UserFactory() for _ in range(20)]

    def checkout(user, order_of_lines, quantity):
        lines = [Line(variant_id, quantity) for variant_id in order_of_lines]
        return services.order_place(
            user=user, lines=lines, shipping_address="x", idempotency_key=os.urandom(16).hex()
        )

    for round_number in range(3):
        args = [
            (user, (first.pk, second.pk) if i % 2 else (second.pk, first.pk), 1 + round_number)
            for i, user in enumerate(buyers)
        ]
        outcomes = run_threads(checkout, args)
        # Not one deadlock, not even one the retry wrapper hid by checking out again.
        assert conflicts == []
        assert [value for kind, value in outcomes if kind == "error"] == []
    for variant in (first, second):
        assert stock(variant.pk) + ordered_units(variant.pk) == 200
    assert stock(first.pk) == 200 - 20 * (1 + 2 + 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_checkout_racing_cancel_and_restock_conserves_stock():
    variant = VariantFactory(stock=30)
    shoppers = [UserFactory() for _ in range(12)]
    placed = [buy(user, variant.pk, 2) for user in shoppers[:6]]  # 12 units sold up front

    jobs = []
    for index, order in enumerate(placed):  # six cancels...
        jobs.append(("cancel", order.pk))
        jobs.append(("restock", 5 if index % 2 else -1))  # ...six admin corrections...
    for user in shoppers[6:]:  # ...and six new checkouts, all at once
        jobs.append(("buy", user))

    def act(kind, value):
        if kind == "cancel":
            return services.order_cancel(order_id=value)
        if kind == "restock":
            return stock_services.variant_adjust_stock(variant_id=variant.pk, delta=value)
        return buy(value, variant.pk, 2)

    outcomes = run_threads(act, jobs)
    assert [value for kind, value in outcomes if kind == "error"] == []
    restocked = sum(5 if i % 2 else -1 for i in range(6))
    assert stock(variant.pk) + ordered_units(variant.pk) == 30 + restocked
    assert stock(variant.pk) >= 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_submissions_of_one_key_make_one_order():
    variant = VariantFactory(stock=10)
    user = UserFactory()
    key = "c" * 32
    outcomes = run_threads(buy, [(user, variant.pk, 1, key)] * 5)
    assert [kind for kind, _ in outcomes] == ["ok"] * 5
    assert len({value.pk for _, value in outcomes}) == 1
    assert Order.objects.count() == 1
    assert stock(variant.pk) == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_look_added_twice_at_once_in_opposite_orders_never_deadlocks(conflicts):
    """A shopper's double submit of a look whose pieces arrive in different orders."""
    from apps.orders.models import CartItem

    def add(user, lines):
        return services.cart_add_lines(user=user, lines=lines)

    for _ in range(8):
        shopper = UserFactory()
        first, second = VariantFactory(stock=50), VariantFactory(stock=50)
        forward = [Line(first.pk, 1), Line(second.pk, 1)]
        outcomes = run_concurrently(add, [(shopper, forward), (shopper, forward[::-1])])
        assert [o for o in outcomes if isinstance(o, BaseException)] == []
        assert conflicts == []
        lines = dict(CartItem.objects.filter(user=shopper).values_list("variant_id", "quantity"))
        assert set(lines) == {first.pk, second.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_size_added_at_once_by_many_clicks_counts_every_click(conflicts):
    """A line already in the cart, added to from several tabs at once: each add reads
    the line under its lock, so none writes over another's quantity."""
    from apps.orders.models import CartItem

    shopper, variant = UserFactory(), VariantFactory(stock=50)
    services.cart_add(user=shopper, variant_id=variant.pk)
    outcomes = run_concurrently(
        lambda lines: services.cart_add_lines(user=shopper, lines=lines),
        [([Line(variant.pk, 1)],)] * 6,
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert conflicts == []
    assert CartItem.objects.get(user=shopper, variant_id=variant.pk).quantity == 7
