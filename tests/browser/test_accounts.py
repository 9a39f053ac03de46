import pytest
from django.contrib.auth import get_user_model

from tests.browser.conftest import FEED_URL, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_sign_up_land_logged_in_see_name_log_out(request, device):
    page = request.getfixturevalue(device)
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill("Seo-yeon Han")
    page.get_by_label("Email").fill(f"seoyeon-{device}@example.com")
    page.get_by_label("Password").fill("swipe-right-77")
    page.get_by_role("button", name="Sign up").click()

    page.wait_for_url(FEED_URL)
    header = page.locator(".topbar")
    assert header.locator(".account-label").inner_text() == "Seo-yeon"
    toasts = page.locator(".toast").all_inner_texts()
    assert "Welcome to BARO, Seo-yeon!" in toasts
    assert (
        f"We've sent a link to seoyeon-{device}@example.com: follow it to confirm your address."
        in toasts
    )
    assert get_user_model().objects.filter(email=f"seoyeon-{device}@example.com").exists()

    header.locator(".account-label").click()
    page.wait_for_url("**/accounts/me/")
    screenshot(page, f"account-{device}")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(FEED_URL)
    assert header.locator(".account-label").inner_text() == "Log in"


def test_wrong_password_shows_a_message_and_stays_on_login(phone):
    from tests.factories import UserFactory

    UserFactory(email="mina@example.com")
    phone.goto("/accounts/login/")
    phone.get_by_label("Email").fill("mina@example.com")
    phone.get_by_label("Password").fill("not-my-password")
    phone.get_by_role("button", name="Log in").click()
    alert = phone.get_by_role("alert")
    assert "don't match an account" in alert.inner_text()
    assert phone.url.endswith("/accounts/login/")
    screenshot(phone, "login-error-phone")
