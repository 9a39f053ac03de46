"""A product may be limited to a number of units per shopper, across their open orders
(ordered or shipped), all sizes together; the checkout enforces it under the shopper's
row lock, so two tabs of one shopper cannot both get past it."""

import os

import pytest

from apps.orders import services
from apps.orders.models import CartItem, Order
from apps.orders.services import Line, PurchaseLimit
from apps.products.models import Variant
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.threads import run_concurrently

pytestmark = pytest.mark.django_db


def buy(user, *variants_and_quantities):
    return services.order_place(
        user=user,
        lines=[Line(variant.pk, quantity) for variant, quantity in variants_and_quantities],
        shipping_address="1 Seongsu-ro",
        idempotency_key=os.urandom(16).hex(),
    )


@pytest.fixture
def drop():
    product = ProductFactory(name="Drop tee", max_per_shopper=2)
    return (
        product,
        VariantFactory(product=product, size="S", stock=50),
        VariantFactory(product=product, size="M", stock=50),
    )


def test_a_shopper_buys_up_to_the_limit_across_orders_and_sizes(drop):
    _, small, medium = drop
    shopper = UserFactory()
    buy(shopper, (small, 1))
    with pytest.raises(PurchaseLimit) as refused:
        buy(shopper, (medium, 2))
    assert str(refused.value) == (
        "Drop tee is limited to 2 units per shopper, and you already have 1 in open orders."
    )
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=medium.pk).stock == 50  # nothing taken
    buy(shopper, (medium, 1))  # the second unit is fine
    assert Order.objects.filter(user=shopper).count() == 2
    # Other shoppers have their own limit.
    buy(UserFactory(), (small, 2))


def test_one_order_over_the_limit_is_refused_whole(drop):
    _, small, medium = drop
    plain = VariantFactory(product=ProductFactory(name="Plain socks"), size="F", stock=9)
    with pytest.raises(PurchaseLimit, match=r"limited to 2 units per shopper\.$"):
        buy(UserFactory(), (small, 2), (medium, 1), (plain, 1))
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=plain.pk).stock == 9


def test_a_cancelled_order_frees_its_units_and_a_delivered_one_closes(drop):
    _, small, _ = drop
    shopper = UserFactory()
    first = buy(shopper, (small, 2))
    with pytest.raises(PurchaseLimit):
        buy(shopper, (small, 1))
    services.order_cancel(order_id=first.pk, user=shopper)
    second = buy(shopper, (small, 2))
    services.order_set_status(order_id=second.pk, status=Order.Status.SHIPPED)
    with pytest.raises(PurchaseLimit):  # shipped is still open
        buy(shopper, (small, 1))
    services.order_set_status(order_id=second.pk, status=Order.Status.DELIVERED)
    buy(shopper, (small, 1))


def test_the_cart_says_so_before_the_checkout(drop):
    _, small, medium = drop
    shopper = UserFactory()
    services.cart_add(user=shopper, variant_id=small.pk, quantity=1)
    with pytest.raises(PurchaseLimit):
        services.cart_add(user=shopper, variant_id=medium.pk, quantity=2)
    assert list(CartItem.objects.values_list("variant_id", "quantity")) == [(small.pk, 1)]


def test_the_checkout_page_shows_the_limit_and_places_nothing(client, drop):
    _, small, _ = drop
    shopper = UserFactory(shipping_address="1 Seongsu-ro")
    buy(shopper, (small, 2))
    client.force_login(shopper)
    page = client.get(f"/orders/checkout/?variant={small.pk}&quantity=1")
    key = page.context["form"]["idempotency_key"].value()
    response = client.post(
        "/orders/checkout/",
        {
            "variant": str(small.pk),
            "quantity": "1",
            "shipping_address": "1 Seongsu-ro",
            "idempotency_key": key,
        },
    )
    assert response.status_code == 409
    assert "limited to 2 units per shopper" in response.content.decode()
    assert Order.objects.filter(user=shopper).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_of_one_shopper_cannot_both_get_past_the_limit():
    product = ProductFactory(name="Drop tee", max_per_shopper=1)
    sizes = [VariantFactory(product=product, size=size, stock=10) for size in "SM"]
    shopper = UserFactory()
    for _ in range(3):  # the race, a few times over
        Order.objects.all().delete()
        outcomes = run_concurrently(
            lambda size: buy(shopper, (size, 1)), [(sizes[0],), (sizes[1],)] * 3
        )
        placed = [o for o in outcomes if isinstance(o, Order)]
        refused = [o for o in outcomes if isinstance(o, PurchaseLimit)]
        assert len(placed) == 1 and len(refused) == 5, outcomes
