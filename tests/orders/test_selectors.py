"""The cart's reads: what a cart page, a checkout form and a cart change show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.fields import TSID
from apps.orders import selectors
from apps.orders.models import CartItem
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
