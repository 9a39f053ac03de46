"""Context shared by every page that needs more than one app: the project package
sits above the apps, so it may read from swipe and orders together."""

import functools

from django.conf import settings
from django.db import connection
from django.urls import get_script_prefix, get_urlconf, reverse

from apps.orders.models import CartItem
from apps.swipe.models import Swipe


def header(request):
    """The header's liked-looks and cart counts.

    Both come from one query, made only when a page renders them (callables in the
    context are called by the template on first use)."""
    user = getattr(request, "user", None)
    counts: dict[str, int] = {}

    def load() -> dict[str, int]:
        if not counts:
            counts.update(header_counts(user))
        return counts

    return {
        "liked_count": lambda: load()["liked"],
        "cart_count": lambda: load()["cart"],
        "nav": nav_links(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF),
        "nav_tab": nav_tab(request),
    }


# The header's tabs by the start of the path they cover (under any URL prefix), first
# match wins. Checkout is a step of the cart, though its URL is under /orders/.
NAV_TABS = (
    ("/orders/checkout/", "cart"),
    ("/products/", "shop"),
    ("/cart/", "cart"),
    ("/orders/", "orders"),
    ("/accounts/", "account"),
)


def nav_tab(request) -> str:
    """Which of the header's tabs the page belongs to ("" for none): worked out here
    once, not by five comparisons of sliced paths in base.html (docs/performance.md)."""
    path = getattr(request, "path_info", "")
    if path == "/":
        return "feed"
    return next((tab for start, tab in NAV_TABS if path.startswith(start)), "")


# The header's links, by the name base.html uses for each.
NAV = {
    "feed": "swipe:feed",
    "liked": "swipe:liked",
    "shop": "products:list",
    "cart": "orders:cart",
    "orders": "orders:list",
    "me": "accounts:me",
    "log_in": "account_login",
}


@functools.cache
def nav_links(prefix: str, urlconf: str) -> dict[str, str]:
    """The header's links, reversed once per process (and URL prefix and URL
    configuration) instead of on every page: eight reversals were a third of base.html's
    rendering (docs/performance.md)."""
    return {name: reverse(view, urlconf=urlconf) for name, view in NAV.items()}


def header_counts(user) -> dict[str, int]:
    """Two counts in one statement, written out: the ORM's subquery expressions took
    4 ms of Python to build for a statement PostgreSQL answers in 0.15 ms
    (docs/performance.md). Read on the primary, as a shopper's own writes are."""
    if user is None or not user.is_authenticated:
        return {"liked": 0, "cart": 0}
    with connection.cursor() as cursor:
        cursor.execute(_HEADER_COUNTS, [user.pk, Swipe.Reaction.LIKE.value, user.pk])
        liked, cart = cursor.fetchone()
    return {"liked": int(liked), "cart": int(cart)}


# Table names from the models; every value is a parameter.
_HEADER_COUNTS = (
    f"SELECT (SELECT COUNT(*) FROM {Swipe._meta.db_table} WHERE user_id = %s AND reaction = %s),"  # noqa: S608
    f" (SELECT COALESCE(SUM(quantity), 0) FROM {CartItem._meta.db_table} WHERE user_id = %s)"
)
