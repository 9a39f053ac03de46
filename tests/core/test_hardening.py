"""Headers every page carries: a strict Content-Security-Policy, and no caching of
what was made for one shopper."""

import pytest

from tests.factories import LookFactory, LookProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_every_page_has_a_policy_with_nothing_inline(client):
    rules = policy(client.get("/"))
    for directive in ("default-src", "script-src", "style-src"):
        assert rules[directive] == "'self'", rules
    assert "unsafe" not in client.get("/").headers["Content-Security-Policy"]
    assert rules["frame-ancestors"] == "'none'" and rules["object-src"] == "'none'"
    assert rules["form-action"].split()[0] == "'self'"


def test_no_page_has_an_inline_script_or_style(client):
    look = LookFactory()
    VariantFactory(product=LookProductFactory(look=look).product, size="M", stock=2)
    client.force_login(UserFactory())
    for url in ["/", f"/looks/{look.pk}/", "/products/", "/cart/", "/orders/", "/accounts/me/"]:
        body = client.get(url).content.decode()
        assert "<style" not in body, url
        assert " style=" not in body, url
        for script in body.split("<script")[1:]:
            assert script.lstrip().startswith("src="), (url, script[:80])


@pytest.mark.parametrize("url", ["/cart/", "/orders/", "/accounts/me/", "/", "/looks/liked/"])
def test_pages_for_a_logged_in_shopper_are_private_and_not_stored(client, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_account_pages_are_not_stored_even_before_logging_in(client):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]
    assert "no-store" in client.get("/accounts/password/reset/")["Cache-Control"]


def test_a_public_page_for_a_visitor_without_a_session_is_not_marked_private(client):
    look = LookFactory()
    response = client.get(f"/looks/{look.pk}/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_message_cannot_be_read_from_its_cookie_or_forged(client):
    import base64

    client.force_login(UserFactory())
    client.post("/accounts/logout/")
    sealed = client.cookies["messages"].value
    assert "logged out" not in sealed
    padded = sealed + "=" * (-len(sealed) % 4)
    assert b"logged out" not in base64.urlsafe_b64decode(padded.split(":")[0].encode())
    assert "logged out" in client.get("/").content.decode()  # shown, once
    assert "logged out" not in client.get("/").content.decode()

    # A cookie the server did not seal (Django's plain signed one, or garbage) is dropped.
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    plain = CookieStorage(RequestFactory().get("/"))._encode([Message(20, "Forged")])
    client.cookies["messages"] = plain
    assert "Forged" not in client.get("/").content.decode()
