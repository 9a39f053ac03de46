"""The cart's and an order's reads: what a cart page, a checkout form, a cart change and
an order's page show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.fields import TSID
from apps.orders import selectors
from apps.orders.models import CartItem, Order, OrderItem
from apps.orders.services import Line, order_place
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_the_cart_and_its_count_are_read_by_statements_written_out():
    shopper, other = UserFactory(), UserFactory()
    first, second = VariantFactory(stock=5), VariantFactory(stock=1)
    kept = CartItem.objects.create(user=shopper, variant_id=first.pk, quantity=2)
    CartItem.objects.create(user=shopper, variant_id=second.pk, quantity=3)
    CartItem.objects.create(user=other, variant_id=first.pk, quantity=7)

    with CaptureQueriesContext(connection) as queries:
        cart = selectors.cart_for(user=shopper)
        count = selectors.cart_count(user=shopper)

    # One statement each, under the alias of apps/core/rows.py, not built by the ORM.
    reads = [q["sql"] for q in queries.captured_queries if '"orders_cartitem"' in q["sql"]]
    assert len(reads) == 2 and all('"orders_cartitem" ci' in sql for sql in reads)
    # The shopper's own lines, oldest first, as the instances the ORM would give.
    assert [line.item.pk for line in cart.lines] == sorted(
        CartItem.objects.filter(user=shopper).values_list("pk", flat=True)
    )
    assert cart.lines[0].item == kept and isinstance(cart.lines[0].item.variant_id, TSID)
    assert [line.item.quantity for line in cart.lines] == [2, 3]
    assert [line.variant.pk for line in cart.lines] == [first.pk, second.pk]
    assert count == cart.count == 5
    assert not cart.ready  # 3 wanted of the one left


def test_an_empty_cart_counts_nothing():
    shopper = UserFactory()
    assert selectors.cart_for(user=shopper).lines == []
    assert selectors.cart_count(user=shopper) == 0


def test_an_order_is_read_with_its_items_in_one_statement_for_its_shopper_alone(
    django_assert_num_queries,
):
    shopper, other = UserFactory(), UserFactory()
    sizes = [VariantFactory(stock=9) for _ in range(3)]
    lines = [Line(sizes[2].pk, 1), Line(sizes[0].pk, 3), Line(sizes[1].pk, 2)]
    placed = order_place(user=shopper, lines=lines, shipping_address="x", idempotency_key="a" * 32)
    order_place(
        user=other, lines=[Line(sizes[0].pk, 1)], shipping_address="y", idempotency_key="b" * 32
    )

    with django_assert_num_queries(1):
        order = selectors.order_for(user=shopper, order_id=placed.pk)
    assert order == placed and isinstance(order.pk, TSID)
    assert (order.status, order.total, order.shipping_address) == (
        placed.status,
        placed.total,
        "x",
    )
    # Its own items, as the ORM gives them, in the order they were added.
    assert order.lines == list(OrderItem.objects.filter(order=placed).order_by("id"))
    assert [(item.quantity, item.line_total) for item in order.lines] == [
        (item.quantity, item.line_total) for item in placed.items.order_by("id")
    ]
    with pytest.raises(Order.DoesNotExist):
        selectors.order_for(user=other, order_id=placed.pk)
    with pytest.raises(Order.DoesNotExist):
        selectors.order_for(user=shopper, order_id=placed.pk + 1)


def test_the_order_list_pages_the_shoppers_orders_newest_first_with_their_items():
    shopper, other = UserFactory(), UserFactory()
    coat, scarf = VariantFactory(stock=50), VariantFactory(stock=50)
    placed = [
        order_place(
            user=shopper,
            lines=[Line(coat.pk, 1), Line(scarf.pk, 2)] if n % 2 else [Line(scarf.pk, 1)],
            shipping_address="1 Bench-ro",
            idempotency_key=f"{n:032x}",
        )
        for n in range(selectors.ORDERS_PAGE_SIZE + 3)
    ]
    order_place(
        user=other, lines=[Line(coat.pk, 1)], shipping_address="x", idempotency_key="f" * 32
    )

    first = selectors.orders_page(user=shopper, cursor=None)
    second = selectors.orders_page(user=shopper, cursor=first.next_cursor)
    newest_first = [order.pk for order in reversed(placed)]
    assert [order.pk for order in first.items] == newest_first[: selectors.ORDERS_PAGE_SIZE]
    assert [order.pk for order in second.items] == newest_first[selectors.ORDERS_PAGE_SIZE :]
    assert first.has_next and not second.has_next

    orders = selectors.OrdersWithItems(first.items)
    with CaptureQueriesContext(connection) as queries:
        shown = {order.pk: [item.pk for item in order.lines] for order in orders}
        assert [order.pk for order in orders] == newest_first[: selectors.ORDERS_PAGE_SIZE]
    assert len(queries) == 1  # the page's items in one statement, and read once
    assert shown == {
        order.pk: list(order.items.order_by("id").values_list("pk", flat=True))
        for order in placed[-selectors.ORDERS_PAGE_SIZE :]
    }
    assert {len(lines) for lines in shown.values()} == {1, 2}
