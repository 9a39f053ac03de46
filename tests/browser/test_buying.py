"""Buying in two taps: Buy now, a whole look at once, colours — with JavaScript on and off."""

import pytest

from apps.demo.images import ensure_garment_images
from apps.orders.models import CartItem, Order
from apps.products.models import Variant
from tests.browser.conftest import log_in_with_form, screenshot
from tests.factories import (
    LookFactory,
    LookProductFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    product_in_colours,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_garment_images(tmp_path)
    return tmp_path


def a_look(media):
    coat = ProductFactory(
        name="Camel Coat", base_price=189_000, thumbnail="demo/garments/coat-camel.jpg"
    )
    pants = ProductFactory(
        name="Navy Pants", base_price=59_000, thumbnail="demo/garments/pants-navy.jpg"
    )
    boots = ProductFactory(
        name="Brown Boots", base_price=129_000, thumbnail="demo/garments/boots-brown.jpg"
    )
    sizes = {
        "coat_m": VariantFactory(product=coat, size="M", stock=4),
        "pants_l": VariantFactory(product=pants, size="L", stock=2),
        "boots_260": VariantFactory(product=boots, size="260", stock=0),
    }
    VariantFactory(product=coat, size="L", stock=4)
    look = LookFactory(title="Camel Weekend", cover="demo/garments/coat-camel.jpg")
    for position, product in enumerate((coat, pants, boots)):
        LookProductFactory(look=look, product=product, position=position)
    return look, sizes


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_buy_now_goes_to_checkout_with_javascript_on(device, request, media):
    page = request.getfixturevalue(device)
    product = ProductFactory(name="Navy Tee")
    medium = VariantFactory(product=product, size="M", stock=5)
    UserFactory(email="jun@example.com")
    log_in_with_form(page, "jun@example.com", f"/products/{product.pk}/")
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.locator("label.size", has_text="M").click()
    page.get_by_role("button", name="Buy now").click()
    page.wait_for_url(f"**/orders/checkout/?variant={medium.pk}&quantity=1")
    assert "Navy Tee" in page.locator(".cart-summary").inner_text()
    assert errors == []


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_shop_the_whole_look_in_one_step(device, request, media):
    page = request.getfixturevalue(device)
    look, sizes = a_look(media)
    UserFactory(email="mina@example.com", shipping_address="12 Yeonmu-ro, Suwon")
    log_in_with_form(page, "mina@example.com", f"/looks/{look.pk}/")

    boots = page.locator(".look-product", has_text="Brown Boots")
    assert "Sold out in every size" in boots.inner_text()
    assert boots.locator("input[type=radio]").count() == 0

    coat = page.locator(".look-product", has_text="Camel Coat")
    pants = page.locator(".look-product", has_text="Navy Pants")
    coat.locator("label.size", has_text="M").click()
    pants.locator("label.size", has_text="L").click()
    # The buttons stay reachable (on phones they stick above the tab bar).
    buy = page.get_by_role("button", name="Buy the look")
    buy.scroll_into_view_if_needed()
    screenshot(page, f"look-picked-{device}")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_selector("#look-feedback .feedback.is-ok")
    assert "Added 2 pieces to your cart." in page.locator("#look-feedback").inner_text()
    assert page.locator("#cart-count").inner_text() == "2"
    assert sorted(CartItem.objects.values_list("variant_id", flat=True)) == sorted(
        [sizes["coat_m"].pk, sizes["pants_l"].pk]
    )

    CartItem.objects.all().delete()
    buy.click()
    page.wait_for_url("**/orders/checkout/**")
    summary = page.locator(".cart-summary").inner_text()
    assert "Camel Coat" in summary and "Navy Pants" in summary and "Brown Boots" not in summary
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/*/")
    order = Order.objects.get()
    assert sorted(item.product_name for item in order.items.all()) == ["Camel Coat", "Navy Pants"]
    assert Variant.objects.get(pk=sizes["coat_m"].pk).stock == 3
    assert Variant.objects.get(pk=sizes["pants_l"].pk).stock == 1
    assert not CartItem.objects.exists()


def test_shop_the_look_without_javascript(browser, live_server, media):
    context = browser.new_context(
        bypass_csp=True,
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
        java_script_enabled=False,
    )
    page = context.new_page()
    look, sizes = a_look(media)
    UserFactory(email="mina@example.com", shipping_address="12 Yeonmu-ro, Suwon")
    log_in_with_form(page, "mina@example.com", f"/looks/{look.pk}/")
    page.get_by_role("button", name="Add to cart").click()  # nothing picked
    page.wait_for_load_state()
    assert "Choose a size for the pieces you want." in page.content()
    page.locator(".look-product", has_text="Camel Coat").locator("label.size", has_text="M").click()
    page.get_by_role("button", name="Buy the look").click()
    page.wait_for_url("**/orders/checkout/**")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/*/")
    assert [item.product_name for item in Order.objects.get().items.all()] == ["Camel Coat"]
    assert Variant.objects.get(pk=sizes["coat_m"].pk).stock == 3
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_product_in_two_colours(device, request, media):
    page = request.getfixturevalue(device)
    product = product_in_colours(
        name="Relaxed Hoodie", kind="hoodie", colours=("grey", "forest"), size="M", stock=3
    )
    forest_m = Variant.objects.get(product=product, colour="forest")
    UserFactory(email="jun@example.com")
    log_in_with_form(page, "jun@example.com", f"/products/{product.pk}/")
    gallery = page.locator("[data-gallery] img")
    assert gallery.first.get_attribute("data-colour") == "grey"
    page.locator(".size-grid", has=page.locator("input[data-colour=forest]")).locator(
        "label.size", has_text="M"
    ).click()
    assert gallery.first.get_attribute("data-colour") == "forest"  # the photo follows
    screenshot(page, f"product-colours-{device}")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_selector(".feedback.is-ok")
    page.goto("/cart/")
    assert "M · forest" in page.locator(".cart-lines").inner_text()
    assert page.locator(".cart-thumb img").get_attribute("src").endswith("hoodie-forest.jpg")
    assert CartItem.objects.get().variant_id == forest_m.pk
