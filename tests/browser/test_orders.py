import pytest

from apps.demo.images import ensure_garment_images
from apps.orders.models import Order
from apps.products.models import Variant
from tests.browser.conftest import log_in_with_form, screenshot
from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pick_a_size_add_to_cart_check_out_and_cancel(phone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_garment_images(tmp_path)
    product = ProductFactory(
        name="Camel Wool Coat", base_price=189_000, thumbnail="demo/garments/coat-camel.jpg"
    )
    VariantFactory(product=product, size="S", stock=0)
    medium = VariantFactory(product=product, size="M", stock=3)
    UserFactory(email="mina@example.com", shipping_address="12 Yeonmu-ro, Suwon")

    log_in_with_form(phone, "mina@example.com", f"/products/{product.pk}/")
    assert phone.locator("#cart-count").is_hidden()

    # Without a size, the shop says what is missing.
    phone.get_by_role("button", name="Add to cart").click()
    assert phone.locator("input[name=variant]:invalid").count() >= 1  # the browser asks first

    phone.locator("label.size", has_text="M").click()
    phone.get_by_role("button", name="Add to cart").click()
    phone.wait_for_selector(".feedback.is-ok")
    assert phone.locator("#cart-count").inner_text() == "1"
    screenshot(phone, "added-to-cart-phone")

    phone.locator(".feedback a", has_text="View cart").click()
    phone.wait_for_url("**/cart/")
    assert "Camel Wool Coat" in phone.locator(".cart-lines").inner_text()
    phone.get_by_role("link", name="Check out").click()
    phone.wait_for_url("**/orders/checkout/")
    assert phone.get_by_label("Shipping address").input_value() == "12 Yeonmu-ro, Suwon"
    screenshot(phone, "checkout-phone")
    phone.get_by_role("button", name="Place order").click()
    phone.wait_for_url("**/orders/*/")
    assert "Thank you! Your order is placed." in phone.locator(".toast").first.inner_text()
    assert Variant.objects.get(pk=medium.pk).stock == 2
    assert phone.locator("#cart-count").is_hidden()
    order = Order.objects.get()
    assert phone.url.endswith(f"/orders/{order.pk}/")
    screenshot(phone, "order-phone")

    phone.on("dialog", lambda dialog: dialog.accept())  # "Cancel this order?"
    phone.get_by_role("button", name="Cancel order").click()
    phone.wait_for_selector(".status-cancelled")
    assert Variant.objects.get(pk=medium.pk).stock == 3

    phone.goto(f"/products/{product.pk}/")
    assert "Only 3 left" in phone.locator("label.size", has_text="M").inner_text()
