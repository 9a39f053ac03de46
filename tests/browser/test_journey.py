"""A new shopper's whole journey, on a phone and on a desktop, with JavaScript on and off:
sign up, swipe (button; keys and drag where JavaScript runs), open a look, buy the whole
look in one step, check out, see and cancel the order, and buy a product in the second of
its two colours. Every page on the way passes axe-core and logs no console error."""

import pytest
from django.core import mail

from apps.demo.images import ensure_garment_images
from apps.demo.looks import ensure_cover
from apps.orders.models import CartItem, Order
from apps.products.models import Variant
from tests.browser.conftest import DESKTOP, PHONE, inject_axe, screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, RUN_AXE, describe
from tests.browser.test_swipe import drag_top_card
from tests.conftest import run_due_jobs
from tests.factories import (
    LookFactory,
    LookProductFactory,
    ProductFactory,
    VariantFactory,
    product_in_colours,
)

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

OUTFITS = [
    ("Camel Weekend", [("coat", "camel"), ("pants", "navy")]),
    ("Denim Errands", [("hoodie", "grey"), ("jeans", "denim")]),
    ("Olive Walk", [("jacket", "olive"), ("sneaker", "white")]),
    ("Navy Office", [("shirt", "white"), ("pants", "navy")]),
    ("Cream Date", [("knit", "cream"), ("skirt", "black")]),
]


@pytest.fixture
def shop(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_garment_images(tmp_path)
    looks = []
    for index, (title, pieces) in enumerate(OUTFITS):
        cover, _ = ensure_cover(pieces, (236, 234, 230), tmp_path)
        look = LookFactory(title=title, cover=cover, likes_count=50 - index)
        for position, (kind, colour) in enumerate(pieces):
            product = ProductFactory(
                name=f"{colour.title()} {kind.title()}",
                thumbnail=f"demo/garments/{kind}-{colour}.jpg",
            )
            VariantFactory(product=product, size="M", stock=5)
            LookProductFactory(look=look, product=product, position=position)
        looks.append(look)
    hoodie = product_in_colours(
        name="Relaxed Hoodie", kind="hoodie", colours=("grey", "forest"), size="L", stock=4
    )
    return {"looks": looks, "hoodie": hoodie}


class Journey:
    """A page plus what the journey checks on every page it reaches."""

    def __init__(self, page, javascript: bool):
        self.page, self.javascript = page, javascript
        self.console_errors: list[str] = []
        self.violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(f"{page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )

    def check(self, name: str) -> None:
        """axe on the page as it is now (axe runs as a page script, so only with JS)."""
        page = self.page
        page.wait_for_load_state()
        screenshot(page, f"journey-{name}")
        if not self.javascript:
            return
        inject_axe(page)
        found = page.evaluate(RUN_AXE, AXE_OPTIONS)
        if found:
            self.violations.append(f"{name} ({page.url}):\n{describe(found)}")

    def wait_for_top(self, look) -> None:
        self.page.wait_for_selector(f'#deck .look-card.is-top[data-look="{look.pk}"]')
        if self.javascript:
            self.page.wait_for_function(
                "!document.getElementById('deck').hasAttribute('aria-busy')"
            )


def journey(page, shop, *, javascript: bool, device: str):
    looks, hoodie = shop["looks"], shop["hoodie"]
    trip = Journey(page, javascript)
    tag = f"{device}-{'js' if javascript else 'nojs'}"

    page.goto("/accounts/signup/")
    trip.check(f"signup-{tag}")
    page.get_by_label("Name").fill("Mina Park")
    page.get_by_label("Email").fill("mina@example.com")
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign up").click()
    trip.wait_for_top(looks[0])
    trip.check(f"feed-{tag}")

    page.get_by_role("button", name="Like").click()  # a like by button
    trip.wait_for_top(looks[1])
    if javascript:
        page.keyboard.press("ArrowLeft")  # a nope by key
        trip.wait_for_top(looks[2])
        drag_top_card(page, 300)  # a like by drag
        trip.wait_for_top(looks[3])
        assert page.locator("#liked-count").inner_text() == "2"
    else:
        page.get_by_role("button", name="Nope").click()
        trip.wait_for_top(looks[2])

    top = looks[3] if javascript else looks[2]
    page.locator("#deck .look-card.is-top .look-title a").click()
    page.wait_for_url(f"**/looks/{top.pk}/")
    trip.check(f"look-{tag}")
    for piece in page.locator(".look-product").all():
        piece.locator("label.size", has_text="M").click()
    page.get_by_role("button", name="Buy the look").click()
    page.wait_for_url("**/orders/checkout/**")
    trip.check(f"checkout-{tag}")
    page.get_by_label("Shipping address").fill("7 Seongsu-ro, Seoul")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/*/")
    order = Order.objects.get()
    assert order.items.count() == 2
    # The confirmation is the job worker's, after the page was answered.
    assert not mail.outbox
    run_due_jobs()
    # The order's confirmation, and the sign-up's link to confirm the address.
    assert sorted(m.subject for m in mail.outbox) == [
        f"BARO order {order.pk} confirmed",
        "BARO · Please Confirm Your Email Address",
    ]
    assert all(m.to == ["mina@example.com"] for m in mail.outbox)
    trip.check(f"order-{tag}")

    page.goto("/orders/")
    trip.check(f"orders-{tag}")
    page.locator(f'a[href="/orders/{order.pk}/"]').first.click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())  # "Cancel this order?"
    page.get_by_role("button", name="Cancel order").click()
    page.wait_for_selector(".status-cancelled")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert set(
        Variant.objects.filter(product__look_entries__look=top).values_list("stock", flat=True)
    ) == {5}

    page.goto(f"/products/{hoodie.pk}/")
    trip.check(f"product-{tag}")
    page.locator(".size-grid", has=page.locator("input[data-colour=forest]")).locator(
        "label.size", has_text="L"
    ).click()
    if javascript:
        assert page.locator("[data-gallery] img").first.get_attribute("data-colour") == "forest"
    page.get_by_role("button", name="Add to cart").click()
    if javascript:
        page.wait_for_selector("#product-feedback .feedback.is-ok")
    page.goto("/cart/")
    trip.check(f"cart-{tag}")
    assert "L · forest" in page.locator(".cart-lines").inner_text()
    assert CartItem.objects.get().variant.colour == "forest"

    assert trip.console_errors == []
    assert not trip.violations, "\n\n".join(trip.violations)


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_new_shopper_swipes_buys_a_whole_look_and_cancels(
    browser, live_server, shop, device, javascript
):
    context = browser.new_context(
        bypass_csp=True,
        viewport=PHONE if device == "phone" else DESKTOP,
        base_url=live_server.url,
        has_touch=device == "phone",
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        journey(page, shop, javascript=javascript, device=device)
    finally:
        context.close()
