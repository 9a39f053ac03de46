import pytest

from tests.factories import LookFactory, LookProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_look_page_is_one_form_with_a_picker_per_piece(client):
    look = LookFactory()
    coat = LookProductFactory(look=look, position=0).product
    boots = LookProductFactory(look=look, position=1).product
    VariantFactory(product=coat, size="M", colour="camel", stock=2)
    VariantFactory(product=coat, size="M", colour="black", stock=5)
    VariantFactory(product=boots, size="260", stock=0)
    body = client.get(f"/looks/{look.pk}/").content.decode()
    assert body.count('<form id="look-buy"') == 1
    assert body.count('name="variant-0"') == 3  # the coat: two colours of M, and Skip
    assert 'name="variant-0" value="" checked' in body  # left out unless picked
    assert "Camel" in body and "Black" in body and "Only 2 left" in body
    assert 'name="variant-1"' not in body  # boots: sold out in every size
    assert "Sold out in every size." in body
    assert "Buy the look" in body
    assert "{#" not in body and "{%" not in body  # no template source leaks into the page
