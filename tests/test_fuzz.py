"""No input answers 5xx: every URL in the URL map, GET and POST, anonymous and logged
in, with and without htmx headers, fed malformed ids, cursors, quantities, sizes,
unicode, 100 KB fields and broken ``HX-Current-URL``, ``Referer`` and ``next``. None of
it may change stock, carts or orders. The admin's lists are fuzzed the same way.

Bad input never holds a valid combination (a real size with a real quantity, a
"like"), so a change to the shop's state is a defect, not a purchase.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib.admin import site as admin_site
from django.db.models import Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.orders.models import CartItem, Order
from apps.products.models import Variant
from tests.factories import (
    LookFactory,
    LookProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

# Words that mean something to a form: bad input never uses them.
MEANINGFUL = {"like", "dislike", "nope", "true", "false", "on", "off", "yes", "no", "1", "0"}
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999",
    "1e9",
    "1.5",
    "NaN",
    "0000000000000",
    "ZZZZZZZZZZZZZ",
    "0SDBMYRF370EE",
    "http://[",
    "http://[::1",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/accounts/login/",
    "/\\evil.example",
    "%00",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "ü💥中文",
    "x" * 100_000,
]
# URLs a header or ``next`` may carry that are not URLs, or not ours.
BAD_URLS = ["http://[", "http://[::1", "//evil.example/", "javascript:alert(1)", "\x00"]
url_value = st.one_of(st.none(), st.sampled_from(BAD_URLS), st.text(max_size=20))
value = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40).filter(lambda text: text.strip().lower() not in MEANINGFUL),
)
FIELDS = [
    "variant",
    "quantity",
    "look",
    "variant-0",
    "variant-1",
    "reaction",
    "liked",
    "swipe",
    "source",
    "next",
    "q",
    "sort",
    "category",
    "cursor",
    "shipping_address",
    "idempotency_key",
    "name",
    "phone",
    "email",
    "login",
    "password",
    "password1",
    "oldpassword",
    "action",
    "process",
    "code",
    "state",
]
fields = st.dictionaries(st.sampled_from(FIELDS), st.lists(value, min_size=1, max_size=3))


def routes() -> list[str]:
    """Every route in the URL map but the admin's (fuzzed below), as written."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


ROUTES = routes()
PLACEHOLDER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def fill(route: str, parts: list[str]) -> str:
    """A concrete path: each converter or regex group replaced by the next part."""
    parts = iter(parts)
    path = PLACEHOLDER.sub(lambda _: quote(next(parts), safe=""), route)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.fixture
def shop():
    look = LookFactory()
    size = VariantFactory(product=LookProductFactory(look=look).product, size="M", stock=5)
    shopper = UserFactory(email="fuzz-shopper@example.com")
    other = UserFactory(email="fuzz-other@example.com")
    staff = UserFactory(email="fuzz-staff@example.com", is_staff=True, is_superuser=True)
    theirs = CartItem.objects.create(user=other, variant=size, quantity=1)
    ids = [str(look.pk), str(size.product_id), str(size.pk), str(theirs.pk)]
    return {"shopper": shopper, "staff": staff, "ids": ids}


def state() -> tuple:
    return (
        Variant.objects.aggregate(units=Sum("stock"))["units"],
        list(CartItem.objects.order_by("pk").values_list("user_id", "variant_id", "quantity")),
        list(Order.objects.order_by("pk").values_list("pk", "status")),
    )


def headers(draw_htmx: bool, current_url: str | None, referer: str | None) -> dict:
    extra = {}
    if draw_htmx:
        extra["HTTP_HX_REQUEST"] = "true"
        if current_url is not None:
            extra["HTTP_HX_CURRENT_URL"] = current_url
    if referer is not None:
        extra["HTTP_REFERER"] = referer
    return extra


def fuzz(examples: int):
    """hypothesis's settings for these tests: no deadline (a request's time varies on a
    shared machine), and the shop fixture kept across examples on purpose."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@fuzz(400)
@given(data=st.data())
def test_no_input_answers_5xx_or_changes_the_shop(shop, data):
    route = data.draw(st.sampled_from(ROUTES), label="route")
    parts = data.draw(
        st.lists(st.one_of(st.sampled_from(shop["ids"]), value), min_size=3, max_size=3),
        label="path parts",
    )
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    who = data.draw(st.sampled_from([None, "shopper", "staff"]), label="who")
    query = data.draw(fields, label="query")
    body = data.draw(fields, label="body")
    extra = headers(
        data.draw(st.booleans(), label="htmx"),
        data.draw(url_value, label="HX-Current-URL"),
        data.draw(url_value, label="Referer"),
    )
    client = Client(raise_request_exception=False)
    if who:
        client.force_login(shop[who])
    path = fill(route, parts)
    url = f"{path}?{urlencode(query, doseq=True)}" if query else path
    if data.draw(st.booleans(), label="bytes that are not UTF-8"):
        url += ("&" if "?" in url else "?") + "next=%FF%FE&q=%C0%AF"
    before = state()
    response = client.get(url, **extra) if method == "GET" else client.post(url, body, **extra)
    assert response.status_code < 500, f"{method} {url[:200]} -> {response.status_code}"
    assert state() == before, f"{method} {url[:200]} changed the shop"


ADMIN_LISTS = [
    f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin_site._registry
]


@fuzz(150)
@given(data=st.data())
def test_no_admin_list_input_answers_5xx(shop, data):
    url = data.draw(st.sampled_from(ADMIN_LISTS), label="list")
    lookup = data.draw(
        st.sampled_from(
            [
                "created_at__year",
                "created_at__month",
                "created_at__day",
                "created_at__gte",
                "status__exact",
                "is_active__exact",
                "o",
                "p",
                "q",
                "e",
                "_changelist_filters",
                "id__in",
                "store__id__exact",
            ]
        ),
        label="lookup",
    )
    query = {lookup: data.draw(value, label="lookup value")}
    client = Client(raise_request_exception=False)
    client.force_login(shop["staff"])
    before = state()
    listing = client.get(f"{url}?{urlencode(query)}")
    assert listing.status_code < 500, f"GET {url}?{urlencode(query)[:200]}"
    action = data.draw(
        st.sampled_from(
            ["delete_selected", "mark_shipped", "mark_delivered", "cancel_orders", "compose_covers"]
        ),
        label="action",
    )
    selected = data.draw(st.lists(value, min_size=1, max_size=3), label="selected")
    posted = client.post(url, {"action": action, "_selected_action": selected, "post": "yes"})
    assert posted.status_code < 500, f"POST {url} {action} {selected!r}"[:300]
    assert state() == before
