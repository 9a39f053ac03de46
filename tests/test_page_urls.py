"""Every form the shop's pages show posts to one of its URLs. The templates reverse a
URL once into a variable (``{% url ... as name %}``) where two attributes name it, and
such a variable is "" rather than an error when it is misspelt or out of scope."""

import re

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from apps.orders.services import Line, cart_add, order_place
from apps.swipe.models import Swipe
from apps.swipe.services import swipe_record
from tests.factories import LookFactory, LookProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

TARGET = re.compile(r'\b(action|hx-post|formaction)="([^"]*)"')


def targets(body: str) -> list[tuple[str, str]]:
    return TARGET.findall(body)


def test_every_form_on_the_shops_pages_posts_to_a_url_of_the_shop():
    shopper = UserFactory(shipping_address="12 Yeonmu-ro, Suwon")
    look = LookFactory()
    piece = LookProductFactory(look=look).product
    size = VariantFactory(product=piece, size="M", stock=5)
    cart_add(user=shopper, variant_id=size.pk, quantity=1)
    order = order_place(
        user=shopper, lines=[Line(size.pk, 1)], shipping_address="x", idempotency_key="f" * 32
    )
    swipe_record(user=shopper, look_id=look.pk, reaction=Swipe.Reaction.LIKE)
    client = Client()
    client.force_login(shopper)
    pages = {
        "product page": client.get(f"/products/{piece.pk}/"),
        "like answer": client.post(
            f"/products/{piece.pk}/like/", {"liked": "1"}, HTTP_HX_REQUEST="true"
        ),
        "cart": client.get("/cart/"),
        "look page": client.get(f"/looks/{look.pk}/"),
        "look page for a visitor": Client().get(f"/looks/{look.pk}/"),
        "order": client.get(f"/orders/{order.pk}/"),
        "liked looks": client.get("/looks/liked/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert 'href=""' not in body, f"a link to nowhere on the {name}"
        found = targets(body)
        assert found, f"no form on the {name}"
        for attribute, url in found:
            try:
                resolve(url.split("?")[0])
            except Resolver404:
                pytest.fail(f"the {name}'s {attribute} posts to {url!r}")
