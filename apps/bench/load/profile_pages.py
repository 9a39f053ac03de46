"""Where a request's time goes: the busiest pages, in-process, on the benchmark data.

    python apps/bench/load/profile_pages.py [--rounds 20] [--top 25] [--anonymous]

Runs after ``make bench`` has prepared baro_bench. Prints the mean time per page
(one logged-in shopper, no concurrency) and a cProfile of all of them together.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from apps.bench.load import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--sort", default="tottime", help="cProfile order: tottime (default) or cumulative."
    )
    parser.add_argument(
        "--only", default="", help="Restrict the cProfile listing to paths containing this."
    )
    parser.add_argument(
        "--queries", action="store_true", help="Also list each page's SQL statements."
    )
    parser.add_argument(
        "--dump", help="Also write the cProfile to this file (for pstats' print_callers)."
    )
    parser.add_argument(
        "--session-engine",
        help="Measure with another session engine (e.g. django.contrib.sessions.backends.cache).",
    )
    parser.add_argument(
        "--anonymous",
        action="store_true",
        help="A visitor who is not logged in: the public pages only, no swipes.",
    )
    parser.add_argument(
        "--user-load",
        action="store_true",
        help="Only compare loading the logged-in user through ModelBackend and "
        "SessionBackend, alternated in this process (CPU per request, 5 runs each).",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="Profile CPU time instead of wall time: the waits for PostgreSQL and Redis "
        "are left out (the profiler's own cost is in both).",
    )
    parser.add_argument(
        "--swipes-only",
        action="store_true",
        help="Profile only the swipes' POSTs (the feed pages they come from are not counted).",
    )
    parser.add_argument(
        "--checkout",
        action="store_true",
        help="Only the hot checkout of make bench-orders: a buy-now form and its POST, "
        "one size with plenty of stock, by one shopper (ms per request and a cProfile).",
    )
    args = parser.parse_args()
    if args.swipes_only and args.anonymous:
        parser.error("--swipes-only needs a shopper who is logged in (no --anonymous)")
    common.setup_django()
    if args.user_load:
        compare_user_load()
        return
    if args.checkout:
        profile_checkout(args)
        return
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if args.session_engine:
        settings.SESSION_ENGINE = args.session_engine
    print(f"sessions: {settings.SESSION_ENGINE}")

    from apps.accounts.models import User
    from apps.products.models import Product
    from apps.swipe.models import Look

    user = User.objects.filter(email__startswith="bench-shopper-").order_by("email").last()
    if not args.anonymous:
        # Each run swipes "nope" on a few hundred looks as this shopper: start each from
        # the same place, or after a few dozen runs no look is left to swipe. Nopes move
        # no count, so taking them back changes nothing else in the bench data.
        from django.core.cache import cache

        from apps.swipe import selectors as swipe_selectors
        from apps.swipe.models import Swipe

        Swipe.objects.filter(user=user, reaction=Swipe.Reaction.DISLIKE).delete()
        cache.delete(swipe_selectors._queue_key(user))
    client = Client(HTTP_HOST=common.HOST)
    if not args.anonymous:
        client.force_login(user)
    product = Product.objects.order_by("-likes_count").values_list("id", flat=True)[5]
    look = Look.objects.filter(is_active=True).order_by("-likes_count").first()
    pages = {
        "feed /": "/",
        "products list": "/products/?sort=popular&category=tops",
        "product page": f"/products/{product}/",
        "look page": look.get_absolute_url(),
        "orders": "/orders/",
        "cart": "/cart/",
    }
    if args.anonymous:
        pages = {name: url for name, url in pages.items() if name not in ("orders", "cart")}
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://{common.HOST}/"}

    posting = [0.0]  # seconds spent in the swipes' POSTs alone
    swipe_post: list[cProfile.Profile | None] = [None]  # the profile of the POSTs alone

    def swipe() -> None:
        html = client.get("/").content.decode()
        top = re.search(r'is-top" data-look="([0-9A-Z]{13})"', html)
        if top:
            started = time.perf_counter()
            if swipe_post[0]:
                swipe_post[0].enable()
            client.post(f"/swipe/{top.group(1)}/", {"reaction": "dislike"}, **htmx)
            if swipe_post[0]:
                swipe_post[0].disable()
            posting[0] += time.perf_counter() - started

    for name, url in pages.items():
        if args.queries:
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(f"{name}: {len(queries)} queries")
            for query in queries.captured_queries:
                print(f"    {query['time']:>6} s  {query['sql'][:150]}")
        client.get(url)
        started = time.perf_counter()
        for _ in range(args.rounds):
            client.get(url)
        print(f"{name:<16} {(time.perf_counter() - started) / args.rounds * 1000:6.1f} ms")
    started = time.perf_counter()
    if not args.anonymous:
        for _ in range(args.rounds):
            swipe()
        print(
            f"{'feed + swipe':<16} {(time.perf_counter() - started) / args.rounds * 1000:6.1f} ms"
        )
        print(f"{'  the swipe':<16} {posting[0] / args.rounds * 1000:6.1f} ms")

    profile = new_profile(args)
    if args.swipes_only:
        swipe_post[0] = profile
    else:
        profile.enable()
    for _ in range(args.rounds):
        if not args.swipes_only:
            for url in pages.values():
                client.get(url)
        if not args.anonymous:
            swipe()
    profile.disable()
    if not posting[0] and args.swipes_only:
        raise SystemExit("No swipe was made: this shopper has no look left to swipe.")
    report(profile, args)


def new_profile(args) -> cProfile.Profile:
    """A profiler of CPU time with ``--cpu``, else of wall time."""
    return cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()


def report(profile: cProfile.Profile, args) -> None:
    """Print the profile as asked (``--sort``, ``--only``, ``--top``); ``--dump`` it."""
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile).sort_stats(args.sort)
    stats.print_stats(*([args.only] if args.only else []), args.top)


def profile_checkout(args) -> None:
    """The buy-now checkout, as ``orders.py --scenario hot`` runs it, in this process
    (Django's test client, which skips the CSRF check). Each run adds a product and its
    orders to the benchmark data, as ``orders.py`` does."""
    from urllib.parse import urlencode

    from django.test import Client

    from apps.bench.load.orders import prepare

    rounds = args.rounds
    variants, (user,) = prepare("hot", buyers=1, stock=10 * rounds + 10)
    variant = str(variants[0].pk)
    client = Client(HTTP_HOST=common.HOST)
    client.force_login(user)
    form_url = f"/orders/checkout/?{urlencode({'variant': variant, 'quantity': 1})}"
    spent = {"form": 0.0, "post": 0.0}

    def buy() -> None:
        started = time.process_time()
        page = client.get(form_url).content.decode()
        middle = time.process_time()
        key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
        form = {"idempotency_key": key, "shipping_address": "1 Bench-ro, Seoul"}
        response = client.post("/orders/checkout/", {**form, "variant": variant, "quantity": 1})
        assert response.status_code == 302, response.status_code
        spent["form"] += middle - started
        spent["post"] += time.process_time() - middle

    for _ in range(3):
        buy()
    spent.update(form=0.0, post=0.0)
    for _ in range(rounds):
        buy()
    for name, seconds in spent.items():
        print(f"checkout {name:<8} {seconds / rounds * 1000:6.2f} ms of CPU")
    profile = new_profile(args)
    profile.enable()
    for _ in range(rounds):
        buy()
    profile.disable()
    report(profile, args)


def compare_user_load(runs: int = 5, calls: int = 2000) -> None:
    """django.contrib.auth.get_user for one session, recorded once with each backend."""
    from django.contrib import auth
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from apps.accounts.backends import SESSION_BACKEND
    from apps.accounts.models import User

    user = User.objects.filter(email__startswith="bench-shopper-").order_by("email").first()
    backends = {"ModelBackend": "django.contrib.auth.backends.ModelBackend"}
    backends["SessionBackend"] = SESSION_BACKEND
    cpu: dict[str, list[float]] = {name: [] for name in backends}
    for _ in range(runs):
        for name, path in backends.items():
            request = RequestFactory().get("/")
            request.session = SessionStore()
            request.session.update(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: path,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            )
            assert auth.get_user(request).pk == user.pk
            started = time.process_time()
            for _ in range(calls):
                auth.get_user(request)
            cpu[name].append((time.process_time() - started) / calls * 1e6)
    for name, values in cpu.items():
        values.sort()
        listed = ", ".join(f"{value:.0f}" for value in values)
        print(f"{name:<16} {values[len(values) // 2]:5.0f} us of CPU per request ({listed})")


if __name__ == "__main__":
    main()
