import pytest

from apps.accounts.models import User
from apps.orders.models import Order
from apps.orders.services import Line, order_place
from apps.products.models import Variant
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def place(variant, quantity=1):
    return order_place(
        user=UserFactory(email=f"buyer-{variant.pk}-{quantity}@example.com"),
        lines=[Line(variant.pk, quantity)],
        shipping_address="x",
        idempotency_key="9" * 32,
    )


def act(client, action, *orders):
    return client.post(
        "/admin/orders/order/",
        {"action": action, "_selected_action": [str(o.pk) for o in orders]},
        follow=True,
    )


def test_staff_ship_deliver_and_cancel_through_the_services(staff):
    variant = VariantFactory(stock=10)
    shipped, cancelled = place(variant, 2), place(variant, 3)
    act(staff, "mark_shipped", shipped)
    act(staff, "mark_delivered", shipped)
    response = act(staff, "cancel_orders", cancelled, shipped)
    body = response.content.decode()
    assert "1 order(s) cancelled." in body
    assert "can no longer be cancelled" in body  # the delivered one was refused
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {shipped.pk: "delivered", cancelled.pk: "cancelled"}
    assert Variant.objects.get(pk=variant.pk).stock == 8


def test_order_search_by_id_and_email(staff):
    variant = VariantFactory(stock=10)
    order = place(variant)
    body = staff.get(f"/admin/orders/order/?q={str(order.pk).lower()}").content.decode()
    assert str(order.pk) in body
    body = staff.get(f"/admin/orders/order/?q={order.user.email}").content.decode()
    assert str(order.pk) in body


def test_admin_stock_edit_is_applied_as_a_change_not_an_overwrite(staff):
    variant = VariantFactory(stock=10, size="M")
    product = variant.product
    form_page = staff.get(f"/admin/products/product/{product.pk}/change/")
    assert form_page.status_code == 200
    place(variant, 4)  # sold while the admin had the form open: 6 left
    data = {
        "store": str(product.store_id),
        "category": str(product.category_id),
        "name": product.name,
        "description": product.description,
        "base_price": str(product.base_price),
        "is_active": "on",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-0-id": str(variant.pk),
        "variants-0-product": str(product.pk),
        "variants-0-size": "M",
        "variants-0-colour": "",
        "variants-0-price_override": "",
        "variants-0-stock": "15",  # the admin restocks 10 -> 15, i.e. +5
        "initial-variants-0-stock": "10",
        "variants-0-sku": variant.sku,
        "variants-0-position": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    response = staff.post(f"/admin/products/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Variant.objects.get(pk=variant.pk).stock == 11  # 6 left + 5 restocked
