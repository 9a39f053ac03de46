"""Kakao log-in (against a stand-in for Kakao on loopback), password reset and the
limit on guessing, as a shopper meets them in the browser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests import kakao
from tests.browser.conftest import FEED_URL, log_in_with_form, screenshot
from tests.caches import empty
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_limits():
    empty()


def mailed_link(run_jobs, path: str) -> str:
    """Run the job worker, then the link under ``path`` in the one mail it sent."""
    run_jobs()
    (message,) = mail.outbox
    return re.search(rf"https?://\S+{re.escape(path)}\S+/", message.body).group(0)


@pytest.fixture
def stand_in(settings):
    with kakao.KakaoStandIn() as server:
        kakao.configure(settings, server)
        yield server


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_first_kakao_login_lands_logged_in(request, device, stand_in):
    # Under the page's policy: its form-action must let the log-in go on to Kakao.
    page = request.getfixturevalue(f"strict_{device}")
    stand_in.account(
        kakao_id=100 + len(device), nickname="Mina", email=f"mina-{device}@kakao.example"
    )
    page.goto("/accounts/login/")
    screenshot(page, f"login-with-kakao-{device}")
    page.get_by_role("button", name="Continue with Kakao").click()
    page.wait_for_url(FEED_URL)
    assert page.locator(".topbar .account-label").inner_text() == "Mina"
    assert "Welcome to BARO, Mina!" in page.locator(".toast").all_inner_texts()
    assert get_user_model().objects.filter(email=f"mina-{device}@kakao.example").exists()
    assert stand_in.requests == ["GET /oauth/authorize", "POST /oauth/token", "GET /v2/user/me"]


def test_a_kakao_login_without_an_email_asks_for_one_and_confirms_it(phone, stand_in, run_jobs):
    stand_in.account(kakao_id=555, nickname="Jiwoo", email=None)
    phone.goto("/accounts/signup/")
    phone.get_by_role("button", name="Continue with Kakao").click()
    phone.get_by_role("heading", name="One more step").wait_for()
    screenshot(phone, "kakao-asks-for-email-phone")
    phone.get_by_label("Email").fill("jiwoo@example.com")
    phone.get_by_role("button", name="Create my account").click()
    phone.get_by_role("heading", name="Verify Your Email Address").wait_for()
    screenshot(phone, "kakao-confirm-email-phone")
    phone.goto(mailed_link(run_jobs, "/accounts/confirm-email/"))
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_url(FEED_URL)
    assert phone.locator(".topbar .account-label").inner_text() == "Jiwoo"


def test_a_forgotten_password_is_reset_from_the_mailed_link(phone, run_jobs):
    UserFactory(email="mina@example.com", name="Mina Park")
    phone.goto("/accounts/login/")
    phone.get_by_role("link", name="Forgot your password?").click()
    phone.get_by_label("Email").fill("mina@example.com")
    phone.get_by_role("button", name="Send me a link").click()
    phone.get_by_role("heading", name="Check your email").wait_for()
    screenshot(phone, "password-reset-sent-phone")
    phone.goto(mailed_link(run_jobs, "/accounts/password/reset/key/"))
    phone.get_by_label("New Password", exact=True).fill("new-swipe-2026")
    phone.get_by_label("New Password (again)").fill("new-swipe-2026")
    screenshot(phone, "password-reset-new-phone")
    phone.get_by_role("button", name="Change password").click()
    phone.get_by_text("Your password is now changed").wait_for()
    log_in_with_form(phone, "mina@example.com", password="new-swipe-2026")
    assert phone.locator(".topbar .account-label").inner_text() == "Mina"


def test_guessing_a_password_is_stopped_with_a_message(desktop):
    UserFactory(email="mina@example.com")
    desktop.goto("/accounts/login/")
    for _ in range(5):
        desktop.get_by_label("Email").fill("mina@example.com")
        desktop.get_by_label("Password").fill("a-guess")
        desktop.get_by_role("button", name="Log in").click()
        desktop.get_by_text("That email and password don't match an account.").wait_for()
    desktop.get_by_label("Email").fill("mina@example.com")
    desktop.get_by_label("Password").fill(DEFAULT_PASSWORD)
    desktop.get_by_role("button", name="Log in").click()
    desktop.get_by_text("Too many failed log-ins").wait_for()
    screenshot(desktop, "login-throttled-desktop")
    assert desktop.locator(".topbar .account-label").inner_text() == "Log in"
