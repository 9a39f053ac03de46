"""PostgreSQL stopped (the proxy in front of it cut): a 503 page, then full recovery."""

import time

from django.db import connection

from tests.factories import ProductFactory
from tests.servers import wait_for

from .conftest import FAULTS, Shopper, shop_user

pytestmark = FAULTS


def test_postgres_stopped_answers_503_and_recovers(start_shop, pg_proxy, redis_server):
    user = shop_user(email="mina@example.com")
    product = ProductFactory(name="Wool Coat")
    shop = start_shop(redis_url=redis_server.url, database_port=pg_proxy.port)
    shopper = Shopper(shop.url)
    shopper.log_in(user.email, "correct-horse-battery")
    cookie = shopper.session_cookie
    assert shopper.get(f"/products/{product.pk}/").status_code == 200

    pg_proxy.cut()
    started = time.monotonic()
    page = shopper.get("/products/")
    assert time.monotonic() - started < 5, "answered at once, not after a hang"
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "right back" in page.text and "Traceback" not in page.text
    toast = shopper.get("/products/?sort=newest", htmx=True)
    assert toast.status_code == 503 and toast.headers["HX-Reswap"] == "none"
    assert 'hx-swap-oob="beforeend:#toasts"' in toast.text
    assert shopper.get("/healthz").status_code == 503
    for path in ("/", "/accounts/me/", "/cart/", f"/products/{product.pk}/"):
        assert shopper.get(path).status_code == 503, path
    assert shopper.session_cookie == cookie

    pg_proxy.restore()
    wait_for(lambda: shopper.get("/healthz").status_code == 200, 15, "/healthz did not recover")
    assert shopper.logged_in_as(user.email), "still logged in after the outage"
    assert shopper.get(f"/products/{product.pk}/").status_code == 200
    web_log = shop.log("web")
    assert "database unavailable, answering 503" in web_log
    assert "Internal Server Error" not in web_log
    assert connection.is_usable()
