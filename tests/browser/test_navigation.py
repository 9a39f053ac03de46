import pytest

from apps.orders.models import CartItem
from tests.browser.conftest import log_in_as
from tests.factories import UserFactory, VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def active_tab(page) -> str:
    """The label of the one tab the main navigation marks as the current page."""
    active = page.get_by_role("navigation", name="Main").locator(".nav-link.is-active")
    assert active.count() == 1
    return active.locator("span").first.inner_text()


def current_tab(page) -> str:
    """The same, as assistive technology is told it (aria-current)."""
    current = page.get_by_role("navigation", name="Main").locator('[aria-current="page"]')
    assert current.count() == 1
    return current.locator("span").first.inner_text()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_checkout_marks_the_cart_tab(request, live_server, device):
    page = request.getfixturevalue(device)
    user = UserFactory(shipping_address="12 Yeonmu-ro, Suwon")
    CartItem.objects.create(user=user, variant=VariantFactory(stock=5), quantity=1)
    log_in_as(page, user, live_server.url)

    page.goto("/orders/checkout/")
    assert page.get_by_role("heading", level=1).inner_text() == "Checkout"
    assert active_tab(page) == "Cart"
    assert current_tab(page) == "Cart"

    for path, tab in [("/cart/", "Cart"), ("/orders/", "Orders"), ("/", "Swipe")]:
        page.goto(path)
        assert (active_tab(page), current_tab(page)) == (tab, tab)
