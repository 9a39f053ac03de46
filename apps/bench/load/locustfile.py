"""A day at BARO, for locust: logged-in shoppers with 1-3 s of think time.

Run by apps/bench/load/bench.py (``make bench``), which prepares the data and the
sessions file this reads (BENCH_SESSIONS) and the ids of looks, products and hot
sizes (BENCH_CATALOGUE). Mix, by weight: swipe the feed 60, browse the catalogue 20,
cart and checkout 15, orders 5. htmx requests carry the headers htmx sends.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from http.cookiejar import Cookie
from itertools import count
from pathlib import Path
from urllib.parse import urlsplit

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

SESSIONS = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
CATALOGUE = json.loads(Path(os.environ["BENCH_CATALOGUE"]).read_text())
BARE = os.environ.get("BENCH_BARE") == "1"
NO_WAIT = os.environ.get("BENCH_NO_WAIT") == "1"
_next_session = count()
_lock = threading.Lock()

TOP_LOOK = re.compile(r'class="look-card is-top" data-look="([0-9A-Z]{13})"')
UNDER_LOOK = re.compile(r'class="look-card is-under" data-look="([0-9A-Z]{13})"')
UNDO_ID = re.compile(r'name="swipe" value="([0-9A-Z]{13})"')
MORE = re.compile(r'class="more" href="([^"]+)"')
PRODUCT_LINK = re.compile(r'href="/products/([0-9A-Z]{13})/"')
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
ORDER_LINK = re.compile(r'href="/orders/([0-9A-Z]{13})/"')
CATEGORIES = ["tops", "bottoms", "outer", "shoes", "bags", "accessories"]


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain=host,
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True,
        secure=False, expires=None, discard=True, comment=None, comment_url=None, rest={},
    )  # fmt: skip


class Shopper(FastHttpUser):
    """geventhttpclient (FastHttpUser) costs the generator a fraction of the CPU that
    python-requests does, so more of the two cores is left to the server measured."""

    # Shoppers think for 1-3 s; the ceiling runs (bare view, saturated shop) do not.
    wait_time = constant(0) if BARE or NO_WAIT else between(1, 3)
    concurrency = 1  # one connection per shopper, as a browser tab keeps one alive

    def on_start(self) -> None:
        with _lock:
            session = SESSIONS[next(_next_session) % len(SESSIONS)]
        self.client.cookiejar.set_cookie(
            _cookie("sessionid", session, urlsplit(self.host).hostname)
        )
        self.rng = random.Random(session)
        self.page = "/"
        response = self.client.get("/", name="/ (feed)")
        self._remember_deck(response.text)

    # --- helpers -----------------------------------------------------------------

    def _csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def _htmx(self, target: str = "") -> dict:
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": f"{self.host}{self.page}",
            "X-CSRFToken": self._csrf(),
        }
        if target:
            headers["HX-Target"] = target
        return headers

    def _remember_deck(self, html: str) -> None:
        top, under, undo = TOP_LOOK.search(html), UNDER_LOOK.search(html), UNDO_ID.search(html)
        self.top = top.group(1) if top else None
        self.under = under.group(1) if under else ""
        self.last_swipe = undo.group(1) if undo else ""

    def _open(self, path: str, name: str):
        self.page = path
        return self.client.get(path, name=name)

    # --- a bare view: the framework's ceiling ---------------------------------------

    @task(0 if not BARE else 1)
    def bare(self) -> None:
        self.client.get("/bench/bare", name="/bench/bare")

    # --- swiping (60) ------------------------------------------------------------------

    @task(0 if BARE else 60)
    def swipe(self) -> None:
        if self.page != "/" or not self.top:
            self._remember_deck(self._open("/", "/ (feed)").text)
        if not self.top:
            return
        roll = self.rng.random()
        if roll < 0.10 and self.last_swipe:
            response = self.client.post(
                "/swipe/undo/",
                {"swipe": self.last_swipe},
                headers=self._htmx("deck"),
                name="/swipe/undo/",
            )
        elif roll < 0.22:
            self._open(f"/looks/{self.top}/", "/looks/[look]/")
            self.page = "/"
            return
        else:
            reaction = "like" if self.rng.random() < 0.45 else "dislike"
            response = self.client.post(
                f"/swipe/{self.top}/",
                {"reaction": reaction, "next": self.under},
                headers=self._htmx("deck"),
                name="/swipe/[look]/",
            )
        self._remember_deck(response.text)

    # --- browsing (20) -------------------------------------------------------------------

    @task(0 if BARE else 20)
    def browse(self) -> None:
        sort = self.rng.choice(["popular", "newest"])
        query = f"?sort={sort}"
        if self.rng.random() < 0.6:
            query += f"&category={self.rng.choice(CATEGORIES)}"
        html = self._open(f"/products/{query}", "/products/ (list)").text
        more = MORE.search(html)
        if more and self.rng.random() < 0.5:
            html = self.client.get(
                "/products/" + more.group(1).replace("&amp;", "&"),
                headers=self._htmx(),
                name="/products/ (next page)",
            ).text
        products = PRODUCT_LINK.findall(html)
        if not products:
            return
        product = self.rng.choice(products)
        self._open(f"/products/{product}/", "/products/[product]/")
        if self.rng.random() < 0.3:
            self.client.post(
                f"/products/{product}/like/",
                {"liked": "1" if self.rng.random() < 0.7 else "0"},
                headers=self._htmx(),
                name="/products/[product]/like/",
            )

    # --- cart and checkout (15) ----------------------------------------------------------

    @task(0 if BARE else 15)
    def buy(self) -> None:
        product, variants = self.rng.choice(CATALOGUE["hot"])
        self._open(f"/products/{product}/", "/products/[product]/")
        variant = self.rng.choice(variants)
        if self.rng.random() < 0.3:
            response = self.client.post(
                "/orders/buy-now/",
                {"variant": variant, "quantity": 1},
                headers=self._htmx(),
                name="/orders/buy-now/",
            )
            checkout = response.headers.get("HX-Redirect", "")
            if not checkout:
                return
            page = self._open(checkout, "/orders/checkout/ (page)").text
            form = {"variant": variant, "quantity": 1}
        else:
            self.client.post(
                "/cart/items/",
                {"variant": variant, "quantity": 1},
                headers=self._htmx(),
                name="/cart/items/",
            )
            self._open("/cart/", "/cart/")
            with self.client.get(
                "/orders/checkout/",
                name="/orders/checkout/ (page)",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:  # the cart emptied: its size sold out
                    response.success()
                    return
                page = response.text
            form = {}
        key = KEY.search(page)
        if not key:
            return
        form.update(
            shipping_address="1 Seongsu-ro, Seoul",
            idempotency_key=key.group(1),
            csrfmiddlewaretoken=self._csrf(),
        )
        with self.client.post(
            "/orders/checkout/",
            form,
            name="/orders/checkout/ (place)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409 and (
                "sold out" in response.text or "left of" in response.text
            ):
                response.success()  # a clear out-of-stock answer is the right outcome
                self._clear_cart()
            elif response.status_code != 302:
                response.failure(f"checkout answered {response.status_code}")

    def _clear_cart(self) -> None:
        html = self.client.get("/cart/", name="/cart/").text
        for item in set(re.findall(r"/cart/items/([0-9A-Z]{13})/", html)):
            self.client.post(
                f"/cart/items/{item}/",
                {"quantity": 0},
                headers=self._htmx("cart-body"),
                name="/cart/items/[item]/",
            )

    # --- orders (5) -----------------------------------------------------------------------

    @task(0 if BARE else 5)
    def orders(self) -> None:
        html = self._open("/orders/", "/orders/").text
        orders = ORDER_LINK.findall(html)
        if orders:
            self._open(f"/orders/{self.rng.choice(orders)}/", "/orders/[order]/")


class LookVisitor(FastHttpUser):
    """The original team's test shape: closed-loop visitors, no cookies and no think
    time, all on one look page (bench.py runs this class on its own)."""

    wait_time = constant(0)
    concurrency = 1

    @task
    def look(self) -> None:
        # locust's client keeps cookies, as a browser would; wrk, the original team's
        # tool, sends none, so every request here is a new visitor's.
        self.client.cookiejar.clear()
        self.client.get(CATALOGUE["look"], name="/looks/[look]/ (one look)")


@events.quitting.add_listener
def _exit_code(environment, **kwargs) -> None:
    # The harness reads the numbers from the CSV files; a failed request is not a crash.
    environment.process_exit_code = 0
