"""Helpers for tests that start real servers on loopback: a spare port, waiting, and a
shopper's browser as plain HTTP (cookies, CSRF tokens, htmx headers)."""

from __future__ import annotations

import re

import requests

from deploy import cluster
from deploy.cluster import free_port, listening  # noqa: F401 (the tests' helpers)


def wait_for(check, seconds: float, what: str) -> float:
    """Poll ``check`` until it is true and return how long that took; fail the test
    with ``what`` after ``seconds``."""
    try:
        return cluster.wait_for(check, seconds, what)
    except RuntimeError as error:
        raise AssertionError(str(error)) from None


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Shopper:
    """A browser's worth of HTTP: cookies, CSRF tokens, htmx headers when asked."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str, *, htmx: bool = False, timeout: float = 15) -> requests.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.get(
            self.base_url + path, headers=headers, timeout=timeout, allow_redirects=False
        )

    def post_form(
        self, page: str, path: str, data: dict, *, timeout: float = 15
    ) -> requests.Response:
        """Open ``page`` and send its form (with the page's CSRF token) to ``path``."""
        token = CSRF_FIELD.search(self.get(page).text).group(1)
        return self.http.post(
            self.base_url + path,
            data={"csrfmiddlewaretoken": token, **data},
            timeout=timeout,
            allow_redirects=False,
        )

    def log_in(self, email: str, password: str) -> None:
        response = self.post_form(
            "/accounts/login/", "/accounts/login/", {"login": email, "password": password}
        )
        assert response.status_code == 302, response.text[:500]

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get("sessionid")

    def logged_in_as(self, email: str) -> bool:
        response = self.get("/accounts/me/")
        return response.status_code == 200 and email in response.text


KEY_FIELD = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')


def buy_now(shopper: Shopper, variant_pk, quantity: int = 1, *, timeout: float = 15):
    """Open the one-item checkout of a size and place the order, as the form does."""
    page = shopper.get(f"/orders/checkout/?variant={variant_pk}&quantity={quantity}")
    assert page.status_code == 200, page.text[:300]
    return shopper.http.post(
        f"{shopper.base_url}/orders/checkout/",
        data={
            "csrfmiddlewaretoken": CSRF_FIELD.search(page.text).group(1),
            "idempotency_key": KEY_FIELD.search(page.text).group(1),
            "variant": str(variant_pk),
            "quantity": str(quantity),
            "shipping_address": "1 Seongsu-ro, Seoul",
        },
        timeout=timeout,
        allow_redirects=False,
    )
