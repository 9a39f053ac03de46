import pytest

from tests.browser.conftest import screenshot
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

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
