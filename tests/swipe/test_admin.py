import pytest

from apps.accounts.models import User
from tests.factories import LookFactory, LookProductFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_a_look_product_is_named_by_look_and_product():
    entry = LookProductFactory(
        look=LookFactory(title="Street Campus"), product=ProductFactory(name="Navy Hoodie")
    )
    assert str(entry) == "Street Campus · Navy Hoodie"


def test_look_products_are_labelled_by_name_with_a_thumbnail(staff):
    look = LookFactory(title="Street Campus")
    hoodie = ProductFactory(name="Navy Hoodie", thumbnail="demo/garments/hoodie-navy.jpg")
    jeans = ProductFactory(name="Wide Jeans", thumbnail="demo/garments/jeans-denim.jpg")
    for position, product in enumerate((hoodie, jeans)):
        LookProductFactory(look=look, product=product, position=position)

    page = staff.get(f"/admin/swipe/look/{look.pk}/change/").content.decode()
    assert "Street Campus · Navy Hoodie" in page
    assert "Street Campus · Wide Jeans" in page
    assert f"{look.pk} · {hoodie.pk}" not in page  # no more raw ids as labels
    assert '<img src="/media/demo/garments/hoodie-navy.jpg"' in page
    assert '<img src="/media/demo/garments/jeans-denim.jpg"' in page
    assert f'href="/admin/products/product/{jeans.pk}/change/"' in page
