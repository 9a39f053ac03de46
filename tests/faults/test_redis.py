"""Redis paused and restarted under a logged-in shopper: nobody is logged out, nothing 500s."""

import threading
import time
from collections import Counter

from tests.factories import DEFAULT_PASSWORD, LookFactory, ProductFactory

from .conftest import FAULTS, Shopper, shop_user

pytestmark = FAULTS

PAGES = ["/", "/products/", "/accounts/me/", "/cart/", "/orders/"]


def browse(shopper: Shopper, seconds: float) -> Counter:
    """Open pages one after another, as a shopper clicking around, for ``seconds``."""
    answers: Counter = Counter()
    deadline = time.monotonic() + seconds
    index = 0
    while time.monotonic() < deadline:
        response = shopper.get(PAGES[index % len(PAGES)], timeout=10)
        answers[response.status_code] += 1
        if response.status_code == 503:
            assert response.headers["Retry-After"] == "5"
        index += 1
    return answers


def test_redis_paused_for_five_seconds_logs_nobody_out(start_shop, redis_server):
    user = shop_user(email="mina@example.com")
    ProductFactory.create_batch(3)
    LookFactory.create_batch(2)
    shop = start_shop(redis_url=redis_server.url)
    shopper = Shopper(shop.url)
    shopper.log_in(user.email, DEFAULT_PASSWORD)
    cookie = shopper.session_cookie
    assert shopper.logged_in_as(user.email)

    during: Counter = Counter()
    browsing = threading.Thread(target=lambda: during.update(browse(shopper, 7)))
    browsing.start()
    time.sleep(1)
    redis_server.pause()
    time.sleep(5)
    redis_server.resume()
    browsing.join(timeout=30)

    assert during[500] == 0, during
    assert set(during) <= {200, 503}, during
    assert during[200] > 0, during
    assert shopper.session_cookie == cookie, "the cookie was neither deleted nor replaced"
    assert shopper.logged_in_as(user.email)
    # Noticed, and logged once per burst by each of the two gunicorn workers, not per request.
    assert 1 <= shop.log("web").count("session cache read failed") <= 2


def test_a_redis_restart_keeps_every_session(start_shop, redis_server):
    users = [shop_user() for _ in range(3)]
    shop = start_shop(redis_url=redis_server.url)
    shoppers = []
    for user in users:
        shopper = Shopper(shop.url)
        shopper.log_in(user.email, DEFAULT_PASSWORD)
        shoppers.append(shopper)

    redis_server.kill()
    down = [shopper.get("/accounts/me/").status_code for shopper in shoppers]
    assert down == [200, 200, 200], "with Redis gone, sessions are read from the database"
    redis_server.start()  # empty: no persistence

    for shopper, user in zip(shoppers, users, strict=True):
        assert shopper.logged_in_as(user.email)
