import pytest

from apps.demo.images import ensure_garment_images, relative_path
from apps.swipe.covers import look_compose_cover
from tests.browser.conftest import screenshot
from tests.factories import (
    CategoryFactory,
    LookFactory,
    LookProductFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_to_admin(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def superuser():
    return UserFactory(email="boss@baro.local", is_staff=True, is_superuser=True, role="admin")


def assert_sizes_table_fits(page):
    box = page.locator("#variants-group table").bounding_box()
    viewport = page.viewport_size["width"]
    assert box["x"] + box["width"] <= viewport, f"sizes table is {box['width']:.0f} px wide"
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= viewport, f"the page scrolls sideways ({page_width} px)"


def test_the_sizes_table_fits_a_1280_window(desktop, superuser):
    product = ProductFactory(name="Oversized Heavyweight Hoodie")
    for size in ("S", "M", "L", "XL"):
        VariantFactory(
            product=product, size=size, colour="charcoal grey", price_override=49_000, stock=12
        )
    log_in_to_admin(desktop, superuser)
    desktop.goto(f"/admin/products/product/{product.pk}/change/")
    screenshot(desktop, "admin-product-change-desktop")
    assert_sizes_table_fits(desktop)

    # A new product's suggested rows are unsaved rows, each with a remove link.
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    desktop.goto(f"/admin/products/product/add/?category={shoes.pk}")
    rows = desktop.locator("#variants-group tr.form-row:not(.empty-form)")
    assert rows.count() == 5
    assert rows.locator(".inline-deletelink").count() == 5
    screenshot(desktop, "admin-product-add-desktop")
    assert_sizes_table_fits(desktop)


def test_a_looks_products_show_their_pictures_and_the_cover_shows_them_all(
    desktop, superuser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ensure_garment_images(tmp_path)
    pieces = [
        ("hoodie", "navy", "Navy Zip Hoodie"),
        ("jeans", "denim", "Wide Denim Jeans"),
        ("sneaker", "white", "White Court Sneakers"),
        ("cap", "black", "Black Washed Cap"),
        ("tote", "camel", "Camel Canvas Tote"),
    ]
    look = LookFactory(title="Street Campus", cover="")
    for position, (kind, colour, name) in enumerate(pieces):
        product = ProductFactory(name=name, thumbnail=relative_path(kind, colour))
        LookProductFactory(look=look, product=product, position=position)
    look_compose_cover(look_id=look.pk)

    log_in_to_admin(desktop, superuser)
    desktop.goto(f"/admin/swipe/look/{look.pk}/change/")
    rows = desktop.locator("#look_products-group tr.has_original")
    assert rows.count() == 5
    assert "Street Campus · Navy Zip Hoodie" in rows.first.inner_text()
    loaded = "img => img.complete && img.naturalWidth > 0"
    for thumb in rows.locator("img.baro-thumb").all():
        assert thumb.evaluate(loaded)
    cover = desktop.locator(".field-cover_preview img")
    assert cover.evaluate(loaded)
    screenshot(desktop, "admin-look-change-desktop")
    page_width = desktop.evaluate("document.documentElement.scrollWidth")
    assert page_width <= desktop.viewport_size["width"]
