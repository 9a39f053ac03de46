"""What a shopper sees when the database does not answer: a toast for a swipe (the card
comes back, nothing is pasted into it), a "be right back" page for a page load."""

import pytest

from apps.swipe import services
from apps.swipe.models import Swipe
from tests.browser.conftest import log_in_as, screenshot
from tests.conftest import server_gone
from tests.factories import LookFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def database_down(*args, **kwargs):
    raise server_gone()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_swipe_during_an_outage_shows_a_toast_and_keeps_the_card(
    request, device, live_server, monkeypatch
):
    page = request.getfixturevalue(device)
    LookFactory.create_batch(3)
    user = UserFactory()
    log_in_as(page, user, live_server.url)
    page.goto("/")
    top = page.locator("#deck .look-card.is-top")
    first = top.get_attribute("data-look")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    monkeypatch.setattr(services, "swipe_record", database_down)
    page.get_by_role("button", name="Like (right arrow)").click()
    toast = page.locator("#toasts .toast-error")
    toast.wait_for()
    assert "Part of the shop is not answering right now." in toast.inner_text()
    page.wait_for_function("!document.getElementById('deck').hasAttribute('aria-busy')")
    screenshot(page, f"outage-swipe-{device}")
    assert top.get_attribute("data-look") == first, "the same card, back in place"
    assert top.evaluate("el => el.style.transform") in ("", "none")
    assert page.locator("#deck .look-card").count() >= 2, "no error page pasted into the deck"
    assert not Swipe.objects.exists()

    monkeypatch.undo()
    page.get_by_role("button", name="Like (right arrow)").click()
    page.wait_for_function(
        "first => document.querySelector('#deck .look-card.is-top').dataset.look !== first",
        arg=first,
    )
    assert [str(s.look_id) for s in Swipe.objects.filter(user=user)] == [first]
    assert not errors


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_page_during_an_outage_is_a_be_right_back_page(request, device, monkeypatch):
    page = request.getfixturevalue(device)
    monkeypatch.setattr("apps.products.selectors.product_list", database_down)
    response = page.goto("/products/")
    assert response.status == 503
    assert page.get_by_role("heading", name="We'll be right back.").is_visible()
    assert page.get_by_role("link", name="Try again").get_attribute("href") == "/products/"
    screenshot(page, f"outage-page-{device}")
