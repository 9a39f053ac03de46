import pytest

from apps.accounts.models import User
from tests.factories import ProductFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller_client(client):
    seller = UserFactory(role=User.Role.SELLER, is_staff=True)
    own = ProductFactory(name="My Own Hoodie", store=StoreFactory(owner=seller))
    other = ProductFactory(name="Rival Hoodie")
    client.force_login(seller)
    return client, own, other


def test_seller_sees_only_their_own_products(seller_client):
    client, _own, _other = seller_client
    body = client.get("/admin/products/product/").content.decode()
    assert "My Own Hoodie" in body
    assert "Rival Hoodie" not in body


def test_seller_cannot_open_or_edit_another_stores_product(seller_client):
    client, own, other = seller_client
    assert client.get(f"/admin/products/product/{own.pk}/change/").status_code == 200
    response = client.get(f"/admin/products/product/{other.pk}/change/")
    assert response.status_code == 302  # the admin's "doesn't exist" redirect to the index
    response = client.post(
        f"/admin/products/product/{other.pk}/change/",
        {"name": "Hijacked", "store": other.store_id, "category": other.category_id},
    )
    other.refresh_from_db()
    assert other.name == "Rival Hoodie"


def test_seller_can_only_pick_their_own_store(seller_client):
    client, own, other = seller_client
    body = client.get("/admin/products/product/add/").content.decode()
    assert own.store.name in body
    assert other.store.name not in body


def test_admin_sees_every_store_and_filters_sold_out(client):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    ProductFactory(name="Alpha Tee")
    ProductFactory(name="Beta Tee")
    body = client.get("/admin/products/product/").content.decode()
    assert "Alpha Tee" in body and "Beta Tee" in body
    response = client.get("/admin/products/product/?stock=sold_out")
    assert response.status_code == 200


def test_shopper_cannot_reach_the_admin(client):
    client.force_login(UserFactory())
    assert client.get("/admin/products/product/").status_code == 302


def test_admin_change_form_shows_the_tsid(client):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    product = ProductFactory()
    body = client.get(f"/admin/products/product/{product.pk}/change/").content.decode()
    assert str(product.pk) in body
    assert client.get("/admin/products/product/garbage/change/").status_code == 302


def test_prices_read_as_won_in_the_product_list_and_form(client):
    from tests.factories import VariantFactory

    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    product = ProductFactory(name="Wool Coat", base_price=189_000)
    VariantFactory(product=product, size="XL", price_override=199_000)

    listing = client.get("/admin/products/product/").content.decode()
    assert "₩189,000" in listing
    assert ">189000<" not in listing

    page = client.get(f"/admin/products/product/{product.pk}/change/").content.decode()
    # the inputs keep plain numbers (typed by staff), labelled with the currency
    assert 'name="base_price"' in page
    assert page.count('<span class="baro-won">₩') == 3  # base price, the XL override, the blank row
