import re

import pytest

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
