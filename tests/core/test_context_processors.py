import re

import pytest
from django.urls import set_script_prefix

from apps.orders.models import CartItem
from apps.swipe.models import Swipe
from apps.swipe.services import swipe_record
from tests.factories import LookFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_header_counts_likes_and_cart_units_in_one_query(client, django_assert_num_queries):
    user = UserFactory()
    for reaction in (Swipe.Reaction.LIKE, Swipe.Reaction.LIKE, Swipe.Reaction.DISLIKE):
        swipe_record(user=user, look_id=LookFactory().pk, reaction=reaction)
    CartItem.objects.create(user=user, variant_id=VariantFactory(stock=9).pk, quantity=3)
    CartItem.objects.create(user=user, variant_id=VariantFactory(stock=9).pk, quantity=2)
    swipe_record(user=UserFactory(), look_id=LookFactory().pk, reaction=Swipe.Reaction.LIKE)
    client.force_login(user)

    from django.test import RequestFactory

    from baro.context_processors import header

    request = RequestFactory().get("/")
    request.user = user
    context = header(request)
    with django_assert_num_queries(1):
        assert (context["liked_count"](), context["cart_count"]()) == (2, 5)

    body = client.get("/accounts/me/").content.decode()
    assert re.search(r'id="liked-count" class="liked-count">2<', body)
    assert re.search(r'id="cart-count" class="badge" aria-label="5 items in cart">5<', body)


def test_header_counts_are_zero_for_visitors(client):
    body = client.get("/").content.decode()
    assert 'id="liked-count" class="liked-count"></span>' in body
    assert re.search(r'id="cart-count" class="badge" hidden aria-label="0 items', body)


def test_the_header_links_go_where_they_say_under_any_url_prefix(client):
    """The header's links are reversed once per prefix, not per page: a shop mounted
    under a prefix still links inside it."""
    nav = re.compile(
        r'<a (?:class|aria-current)[^>]*href="([^"]+)"[^>]*>\s*<svg[^>]*>.*?<span[^>]*>([^<]+)</span>',
        re.S,
    )

    def links(body: str) -> dict[str, str]:
        return {label.strip(): href for href, label in nav.findall(body)}

    assert links(client.get("/products/").content.decode()) == {
        "Liked looks": "/looks/liked/",
        "Swipe": "/",
        "Shop": "/products/",
        "Cart": "/cart/",
        "Orders": "/orders/",
        "Log in": "/accounts/login/",
    }
    client.force_login(UserFactory(name="Mina Park"))
    set_script_prefix("/shop/")  # what a WSGI server mounting the shop at /shop sets
    try:
        body = client.get("/products/").content.decode()
    finally:
        set_script_prefix("/")
    assert links(body) == {
        "0": "/shop/looks/liked/",  # the liked count, then "liked looks" for screen readers
        "Swipe": "/shop/",
        "Shop": "/shop/products/",
        "Cart": "/shop/cart/",
        "Orders": "/shop/orders/",
        "Mina": "/shop/accounts/me/",
    }


def test_the_header_marks_the_tab_of_each_page(client):
    """One tab carries is-active and aria-current="page": the one whose pages these are
    (checkout is a step of the cart), and none on a page of no tab."""
    user = UserFactory(name="Mina Park", shipping_address="12 Yeonmu-ro, Suwon")
    CartItem.objects.create(user=user, variant_id=VariantFactory(stock=5).pk, quantity=1)
    client.force_login(user)
    pages = {
        "/": "Swipe",
        "/products/": "Shop",
        "/cart/": "Cart",
        "/orders/checkout/": "Cart",
        "/orders/": "Orders",
        "/accounts/me/": "Mina",
        "/looks/liked/": None,
    }
    for path, tab in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert marked_tabs(response.content.decode()) == ([tab] if tab else []), path


def test_the_header_marks_the_tab_under_any_url_prefix(client):
    """A shop mounted under a prefix (SCRIPT_NAME) marks the same tab: the path is
    matched without the prefix."""
    client.force_login(UserFactory())
    set_script_prefix("/shop/")  # what a WSGI server mounting the shop at /shop sets
    try:
        body = client.get("/products/", SCRIPT_NAME="/shop").content.decode()
    finally:
        set_script_prefix("/")
    assert marked_tabs(body) == ["Shop"]


def marked_tabs(body: str) -> list[str]:
    """The labels of the header's tabs marked as the current page, each marked both
    ways (is-active for the eye, aria-current for assistive technology)."""
    nav = body.split('<nav class="nav" aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r"<a ([^>]*)>.*?<span[^>]*>([^<]+)</span>", nav, re.S)
    active = [label for attributes, label in links if "is-active" in attributes]
    current = [label for attributes, label in links if 'aria-current="page"' in attributes]
    assert active == current
    return active
