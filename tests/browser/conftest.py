"""Headless Chromium (the system package, never a downloaded browser) via Playwright."""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import AXE_JS, CHROMIUM
from tests.factories import DEFAULT_PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the
    # browser is open; the ORM calls that tests and fixtures make meanwhile are still
    # plain synchronous calls, so Django's async guard is lifted for that span only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch(sync_playwright):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


# These contexts bypass the page's Content-Security-Policy: Playwright's waits on a
# condition evaluate strings, which the policy refuses. strict_phone and strict_desktop
# (below) keep to it.
@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        bypass_csp=True, viewport=PHONE, base_url=live_server.url, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(bypass_csp=True, viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _under_policy(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def strict_phone(browser, live_server):
    """A phone that keeps to the page's Content-Security-Policy, as a real one does."""
    context, page = _under_policy(browser, live_server, viewport=PHONE, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def strict_desktop(browser, live_server):
    """A desktop browser that keeps to the page's Content-Security-Policy."""
    context, page = _under_policy(browser, live_server, viewport=DESKTOP)
    yield page
    context.close()


def inject_axe(page) -> None:
    """axe-core into the page, as the test's own script."""
    page.evaluate(AXE_JS.read_text())


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in_as(page, user, base_url: str) -> None:
    """Log the page's browser context in as ``user`` with a session cookie made by
    Django's test client: no login form, no welcome toast."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


# The feed's own address. A glob like "**/" also matches the page being left (the login
# page, /accounts/me/), so a wait on it can return before the navigation happened.
FEED_URL = re.compile(r"^https?://[^/]+/$")


def log_in_with_form(page, email: str, next_url: str = "/", password: str = DEFAULT_PASSWORD):
    """Log in through the login form, as a shopper does, and wait for the page it leads to."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url != "/" else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if next_url == "/":
        page.wait_for_url(FEED_URL)
    else:
        page.wait_for_url(f"**{next_url}")
