"""The Content-Security-Policy holds in a real browser: every page, the shop's and the
admin's, loads and works with nothing refused (Chromium reports each refusal on the
console)."""

import pytest

from tests.browser.conftest import log_in_as
from tests.factories import LookFactory, LookProductFactory, UserFactory, VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def refusals(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text[:80]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return seen


def test_no_page_breaks_the_policy(strict_desktop, live_server):
    desktop = strict_desktop
    look = LookFactory(title="Rainy day")
    piece = LookProductFactory(look=look).product
    VariantFactory(product=piece, size="M", stock=4)
    seen = refusals(desktop)
    for url in [
        "/",
        f"/looks/{look.pk}/",
        "/products/",
        f"/products/{piece.pk}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]:
        desktop.goto(url)
        desktop.wait_for_load_state("networkidle")
    log_in_as(desktop, UserFactory(is_staff=True, is_superuser=True, role="admin"), live_server.url)
    for url in [
        "/",
        "/cart/",
        "/orders/",
        "/accounts/me/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/admin/",
        "/admin/products/product/",
        f"/admin/products/product/{piece.pk}/change/",
    ]:
        desktop.goto(url)
        desktop.wait_for_load_state("networkidle")
    # htmx still works under the policy: a swipe swaps in the next card.
    desktop.goto("/")
    desktop.get_by_role("button", name="Like").first.click()
    desktop.wait_for_load_state("networkidle")
    assert seen == []
