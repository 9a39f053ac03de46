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


def stock_form(product, variant, *, seen: int, wanted: int) -> dict:
    """The product change form as the admin submits it: a size's stock was ``seen``
    when the page opened and the admin typed ``wanted``."""
    return {
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
        "variants-0-stock": str(wanted),
        "initial-variants-0-stock": str(seen),
        "variants-0-sku": variant.sku,
        "variants-0-position": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }


def test_admin_stock_edit_is_applied_as_a_change_not_an_overwrite(staff):
    variant = VariantFactory(stock=10, size="M")
    product = variant.product
    form_page = staff.get(f"/admin/products/product/{product.pk}/change/")
    assert form_page.status_code == 200
    place(variant, 4)  # sold while the admin had the form open: 6 left
    # the admin restocks 10 -> 15, i.e. +5
    data = stock_form(product, variant, seen=10, wanted=15)
    response = staff.post(f"/admin/products/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Variant.objects.get(pk=variant.pk).stock == 11  # 6 left + 5 restocked


def test_a_correction_below_what_checkouts_left_is_refused_in_staff_words(staff):
    variant = VariantFactory(stock=10, size="M")
    product = variant.product
    place(variant, 8)  # sold while the admin had the form open: 2 left
    data = stock_form(product, variant, seen=10, wanted=5)  # -5, but only 2 are left
    response = staff.post(f"/admin/products/product/{product.pk}/change/", data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 in stock now" in page and "cannot go down by 5" in page
    assert "Remove it and try again" not in page  # the shopper's wording
    assert Variant.objects.get(pk=variant.pk).stock == 2


def test_a_refusal_at_save_time_is_reported_not_a_500(staff, monkeypatch):
    from apps.products import admin as product_admin
    from apps.products.services import StockCorrectionRefused

    def refuse(**kwargs):  # a checkout took the units between the form check and the save
        raise StockCorrectionRefused("Only 0 in stock now; not changed.")

    monkeypatch.setattr(product_admin, "variants_adjust_stock", refuse)
    variant = VariantFactory(stock=10, size="M")
    data = stock_form(variant.product, variant, seen=10, wanted=4)
    url = f"/admin/products/product/{variant.product.pk}/change/"
    response = staff.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Only 0 in stock now; not changed." in response.content.decode()
    assert Variant.objects.get(pk=variant.pk).stock == 10


def test_money_reads_as_won_in_the_order_list_and_on_the_order(staff):
    variant = VariantFactory(stock=10, product__base_price=196_900)
    order = place(variant, 2)
    assert order.total == 393_800

    listing = staff.get("/admin/orders/order/").content.decode()
    assert "₩393,800" in listing
    assert "393800" not in listing

    page = staff.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "₩393,800" in page  # the total
    assert "₩196,900" in page  # the item's unit price
    assert page.count("₩393,800") >= 2  # the item's line total too
    assert "393800" not in page and "196900" not in page


def test_several_stock_edits_lock_their_sizes_once_in_key_order_after_the_rest(staff, monkeypatch):
    from apps.products import services as stock_services

    low = VariantFactory(stock=10, size="M")
    product = low.product
    high = VariantFactory(product=product, size="L", stock=10)  # made later: a higher id
    # The form lists the higher id first (position 0): form order is not key order.
    high.position, low.position = 0, 1
    high.save(update_fields=["position"])
    low.save(update_fields=["position"])
    calls = []
    lock = stock_services.lock_variants
    monkeypatch.setattr(
        stock_services, "lock_variants", lambda ids: calls.append(sorted(ids)) or lock(ids)
    )
    data = stock_form(product, high, seen=10, wanted=12)
    data.update(
        {
            "variants-TOTAL_FORMS": "2",
            "variants-INITIAL_FORMS": "2",
            "variants-1-id": str(low.pk),
            "variants-1-product": str(product.pk),
            "variants-1-size": "M",
            "variants-1-colour": "",
            "variants-1-price_override": "",
            "variants-1-stock": "7",
            "initial-variants-1-stock": "10",
            "variants-1-sku": low.sku,
            "variants-1-position": "1",
            "variants-0-size": "L",
        }
    )
    response = staff.post(f"/admin/products/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calls == [sorted([low.pk, high.pk])]  # one locking query for both sizes
    stocks = dict(Variant.objects.filter(product=product).values_list("pk", "stock"))
    assert stocks == {high.pk: 12, low.pk: 7}
