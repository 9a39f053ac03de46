import pytest

from tests.browser.conftest import screenshot
from tests.factories import ProductFactory, UserFactory, VariantFactory

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


def test_the_sizes_table_fits_a_1280_window(desktop, superuser):
    product = ProductFactory(name="Oversized Heavyweight Hoodie")
    for size in ("S", "M", "L", "XL"):
        VariantFactory(
            product=product, size=size, colour="charcoal grey", price_override=49_000, stock=12
        )
    log_in_to_admin(desktop, superuser)
    desktop.goto(f"/admin/products/product/{product.pk}/change/")
    table = desktop.locator("#variants-group table")
    box = table.bounding_box()
    viewport = desktop.viewport_size["width"]
    screenshot(desktop, "admin-product-change-desktop")
    assert box["x"] + box["width"] <= viewport, f"sizes table is {box['width']:.0f} px wide"
    page_width = desktop.evaluate("document.documentElement.scrollWidth")
    assert page_width <= viewport, f"the page scrolls sideways ({page_width} px)"
