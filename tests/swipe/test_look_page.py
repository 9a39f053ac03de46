import re

import pytest
from django.test import Client

from apps.core import tsid
from tests.factories import LookFactory, LookProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_look_page_is_one_form_with_a_picker_per_piece(client):
    look = LookFactory()
    coat = LookProductFactory(look=look, position=0).product
    boots = LookProductFactory(look=look, position=1).product
    camel = VariantFactory(product=coat, size="M", colour="camel", stock=2)
    VariantFactory(product=coat, size="M", colour="black", stock=5)
    VariantFactory(product=boots, size="260", stock=0)
    body = client.get(f"/looks/{look.pk}/").content.decode()
    assert f'name="variant-0" value="{tsid.encode(camel.pk)}"' in body  # the size it buys
    assert body.count('<form id="look-buy"') == 1
    assert body.count('name="variant-0"') == 3  # the coat: two colours of M, and Skip
    assert 'name="variant-0" value="" checked' in body  # left out unless picked
    assert "Camel" in body and "Black" in body and "Only 2 left" in body
    assert 'name="variant-1"' not in body  # boots: sold out in every size
    assert "Sold out in every size." in body
    assert "Buy the look" in body
    assert "{#" not in body and "{%" not in body  # no template source leaks into the page


def test_the_cached_piece_list_follows_every_sale_price_and_rename(client):
    """The rendered "shop the look" list is cached under a digest of what it shows: a
    size selling down, a new price or a renamed piece is a new entry, never stale."""
    from apps.products.models import Product, Variant

    look = LookFactory()
    coat = LookProductFactory(look=look, product__name="Wool coat", product__base_price=99_000)
    size = VariantFactory(product=coat.product, size="M", stock=5)
    url = f"/looks/{look.pk}/"

    def page() -> str:
        return client.get(url).content.decode()

    assert "Wool coat" in page() and "Only" not in page()  # rendered, then from the cache
    Variant.objects.filter(pk=size.pk).update(stock=2)
    assert "Only 2 left" in page()
    Variant.objects.filter(pk=size.pk).update(stock=0)
    assert "Sold out in every size." in page()
    Variant.objects.filter(pk=size.pk).update(stock=4)
    Product.objects.filter(pk=coat.product_id).update(base_price=89_000)
    assert "₩89,000" in page() and "₩99,000" not in page()
    # A size priced on its own shows its price beside it; the piece keeps the product's.
    Variant.objects.filter(pk=size.pk).update(price_override=79_000)
    assert '<div class="price">₩89,000</div>' in page()
    assert '<span class="size-note">₩79,000</span>' in page()
    # The piece's own price moves while its only size keeps its price.
    Product.objects.filter(pk=coat.product_id).update(base_price=85_000)
    assert '<div class="price">₩85,000</div>' in page()
    # A rename reaches the page when the admin drops the look's entry (as it does).
    Product.objects.filter(pk=coat.product_id).update(name="Camel coat")
    from apps.swipe.selectors import look_detail_invalidate

    look_detail_invalidate(look.pk)
    assert "Camel coat" in page() and "Wool coat" not in page()


def test_of_two_pieces_alike_in_price_and_stock_the_page_shows_the_one_on_sale(client):
    """Taking one piece off sale and then the other leaves the same prices and stock on
    the page, but not the same piece: each is its own entry."""
    from apps.products.models import Product

    look = LookFactory()
    coat = LookProductFactory(look=look, product__name="Wool coat", product__base_price=99_000)
    cape = LookProductFactory(look=look, product__name="Wool cape", product__base_price=99_000)
    VariantFactory(product=coat.product, size="M", stock=3)
    VariantFactory(product=cape.product, size="M", stock=3)
    url = f"/looks/{look.pk}/"

    def page() -> str:
        return client.get(url).content.decode()

    assert "Wool coat" in page() and "Wool cape" in page()  # both kept in the cache
    Product.objects.filter(pk=cape.product_id).update(is_active=False)
    assert "Wool coat" in page() and "Wool cape" not in page()
    Product.objects.filter(pk=cape.product_id).update(is_active=True)
    Product.objects.filter(pk=coat.product_id).update(is_active=False)
    assert "Wool cape" in page() and "Wool coat" not in page()


def test_a_fragment_cache_that_does_not_answer_is_only_a_miss(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {"BACKEND": "apps.core.cache.NearCache", "LOCATION": "dead"},
        "dead": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "IGNORE_EXCEPTIONS": True,
            },
        },
    }
    look = LookFactory()
    VariantFactory(product=LookProductFactory(look=look).product, size="M", stock=2)
    response = client.get(f"/looks/{look.pk}/")
    assert response.status_code == 200
    assert "Only 2 left" in response.content.decode()


def _csrf_field(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_a_visitor_gets_the_stored_page_with_a_token_of_their_own():
    """Visitors who are not logged in share one rendering of a look page; each gets it
    with their own CSRF token, which their next POST passes with."""
    look = LookFactory()
    VariantFactory(product=LookProductFactory(look=look).product, size="M", stock=3)
    url = f"/looks/{look.pk}/"
    first = Client(enforce_csrf_checks=True).get(url)
    assert [t.name for t in first.templates][:1] == ["swipe/detail.html"]  # rendered

    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(url)
    body = response.content.decode()
    assert response.templates == []  # served from the cache, nothing rendered
    assert "Only 3 left" in body
    token = _csrf_field(body)
    assert token != _csrf_field(first.content.decode())
    assert f'"X-CSRFToken": "{token}"' in body
    assert response.cookies["csrftoken"].value
    action = re.search(r'<form id="look-buy"[^>]* action="([^"]+)"', body).group(1)
    posted = visitor.post(action, {"csrfmiddlewaretoken": token})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")


def stored_look_page() -> str:
    """A look page that visitors have already been served from the cache."""
    look = LookFactory()
    VariantFactory(product=LookProductFactory(look=look).product, size="M", stock=3)
    url = f"/looks/{look.pk}/"
    Client().get(url)
    assert Client().get(url).templates == []  # stored, then served
    return url


def test_a_logged_in_shopper_never_gets_the_visitors_page(client):
    url = stored_look_page()
    client.force_login(UserFactory(name="Mina Park"))
    response = client.get(url)
    assert response.templates  # rendered for this shopper
    assert "Mina" in response.content.decode() and "Log in" not in response.content.decode()


def test_a_visitor_with_a_message_waiting_sees_it(client):
    url = stored_look_page()
    client.force_login(UserFactory())
    client.post("/accounts/logout/")
    assert "logged out" in client.get(url).content.decode()
    assert "logged out" not in client.get(url).content.decode()  # shown once
