"""Phone layout of the swipe feed: everything a shopper needs is on screen, clear of
the bottom tab bar and of any toast, for a visitor (with the sign-up banner above the
deck) and for a shopper right after logging in (with the welcome toast showing)."""

import pytest

from tests.browser.conftest import FEED_URL, log_in_as, log_in_with_form, screenshot
from tests.browser.test_swipe import looks  # noqa: F401  (fixture)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 640}]

# What the shopper needs on the feed; the tab bar's own links only need to be clear of toasts.
NEEDED = [
    ".topbar .brand",
    ".topbar .liked-link",
    ".feed-banner a",
    "#deck .look-card.is-top .look-title a",
    "#deck .look-card.is-top .look-meta",
    "#deck .look-card.is-top .look-chips",
    "#deck .act",
]
TABS = ".nav .nav-link"

BOXES = """(selectors) => selectors.flatMap((selector) =>
  Array.from(document.querySelectorAll(selector))
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
    .map((el) => {
      const r = el.getBoundingClientRect();
      const name = (el.getAttribute("aria-label") || el.textContent).trim().slice(0, 30);
      return {what: `${selector} "${name}"`, top: r.top, bottom: r.bottom, left: r.left, right: r.right};
    }))"""


def overlaps(a, b) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def check_feed_layout(page, *, toast_expected: bool) -> None:
    viewport = page.viewport_size
    needed = page.evaluate(BOXES, NEEDED)
    tabs = page.evaluate(BOXES, [TABS])
    (tab_bar,) = page.evaluate(BOXES, [".nav"])
    toasts = page.evaluate(BOXES, [".toast"])
    assert bool(toasts) == toast_expected
    assert len([box for box in needed if box["what"].startswith("#deck .act")]) == 3

    problems = []
    for box in needed:
        if box["top"] < 0 or box["left"] < 0 or box["right"] > viewport["width"]:
            problems.append(f"{box['what']} is off screen: {box}")
        if box["bottom"] > tab_bar["top"]:
            problems.append(
                f"{box['what']} runs {box['bottom'] - tab_bar['top']:.0f}px under the tab bar"
            )
    for toast in toasts:
        for box in needed + tabs:
            if overlaps(box, toast):
                problems.append(f"the toast {toast['what']} covers {box['what']}")
    assert not problems, "\n".join(problems)

    card = page.locator("#deck .look-card.is-top").bounding_box()
    assert card["height"] >= 240, "the look card is squeezed too small to see"


@pytest.mark.parametrize("size", PHONES, ids=lambda size: f"{size['width']}x{size['height']}")
def test_visitor_feed_fits_above_the_tab_bar(browser, live_server, looks, size):  # noqa: F811
    context = browser.new_context(
        bypass_csp=True, viewport=size, base_url=live_server.url, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto("/")
        assert page.locator(".feed-banner").is_visible()
        screenshot(page, f"feed-visitor-{size['width']}x{size['height']}")
        check_feed_layout(page, toast_expected=False)
    finally:
        context.close()


@pytest.mark.parametrize("size", PHONES, ids=lambda size: f"{size['width']}x{size['height']}")
def test_welcome_toast_covers_nothing_on_the_feed(browser, live_server, looks, size):  # noqa: F811
    user = UserFactory(name="Mina Park")
    context = browser.new_context(
        bypass_csp=True, viewport=size, base_url=live_server.url, has_touch=True
    )
    page = context.new_page()
    try:
        log_in_with_form(page, user.email)
        assert page.locator(".toast").inner_text() == "Welcome back, Mina."
        screenshot(page, f"feed-welcome-{size['width']}x{size['height']}")
        check_feed_layout(page, toast_expected=True)
    finally:
        context.close()


@pytest.mark.parametrize("size", PHONES, ids=lambda size: f"{size['width']}x{size['height']}")
def test_goodbye_toast_covers_nothing_on_the_visitor_feed(browser, live_server, looks, size):  # noqa: F811
    user = UserFactory()
    context = browser.new_context(
        bypass_csp=True, viewport=size, base_url=live_server.url, has_touch=True
    )
    page = context.new_page()
    try:
        log_in_as(page, user, live_server.url)
        page.goto("/accounts/me/")
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(FEED_URL)
        assert page.locator(".feed-banner").is_visible()
        assert "logged out" in page.locator(".toast").inner_text()
        check_feed_layout(page, toast_expected=True)
    finally:
        context.close()
