import re

import pytest

from apps.accounts.models import User
from apps.products.models import Product
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    """Product names in the change list's rows, as the admin sees them."""
    return re.findall(
        r'<td class="field-name"><a href="[^"]*">([^<]*)</a></td>', response.content.decode()
    )


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
    sold_out = ProductFactory(name="Alpha Tee")
    for size in ("S", "M"):
        VariantFactory(product=sold_out, size=size, stock=0)
    available = ProductFactory(name="Beta Tee")
    VariantFactory(product=available, size="S", stock=0)
    VariantFactory(product=available, size="M", stock=3)  # one size left is enough
    body = client.get("/admin/products/product/").content.decode()
    assert "Alpha Tee" in body and "Beta Tee" in body
    response = client.get("/admin/products/product/?stock=sold_out")
    assert response.status_code == 200
    assert listed(response) == ["Alpha Tee"]
    assert listed(client.get("/admin/products/product/?stock=available")) == ["Beta Tee"]


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


# --- A new product's sizes -------------------------------------------------------------

SIZE_BOX = re.compile(r'name="variants-(\d+)-size" value="([^"]*)"')


def suggested_sizes(page: str) -> list[str]:
    return [size for _index, size in SIZE_BOX.findall(page)]


@pytest.fixture
def superuser(client):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_adding_a_product_starts_with_the_categorys_usual_sizes(superuser):
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    bags = CategoryFactory(name="Bags", slug="bags")
    capes = CategoryFactory(name="Capes", slug="capes")  # no rule of its own

    page = superuser.get(f"/admin/products/product/add/?category={shoes.pk}").content.decode()
    assert suggested_sizes(page) == ["240", "250", "260", "270", "280"]
    assert f'<option value="{shoes.pk}" selected>' in page  # the category is picked too
    page = superuser.get(f"/admin/products/product/add/?category={bags.pk}").content.decode()
    assert suggested_sizes(page) == ["FREE"]
    for query in (f"?category={capes.pk}", "", "?category=not-an-id"):
        page = superuser.get(f"/admin/products/product/add/{query}").content.decode()
        assert suggested_sizes(page) == ["S", "M", "L"], query


def test_categories_link_to_adding_a_product_with_their_sizes(superuser):
    tops = CategoryFactory(name="Tops", slug="tops")
    page = superuser.get("/admin/products/category/").content.decode()
    assert f"/admin/products/product/add/?category={tops.pk}" in page


def add_form(category, store, sizes, **extra) -> dict:
    data = {
        "store": str(store.pk),
        "category": str(category.pk),
        "name": "Court Sneakers",
        "description": "",
        "base_price": "89000",
        "is_active": "on",
        "variants-TOTAL_FORMS": str(len(sizes)),
        "variants-INITIAL_FORMS": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    for index, size in enumerate(sizes):
        data |= {
            f"variants-{index}-size": size,
            f"variants-{index}-colour": "",
            f"variants-{index}-price_override": "",
            f"variants-{index}-stock": "5",
            f"initial-variants-{index}-stock": "0",
            f"variants-{index}-sku": "",
            f"variants-{index}-position": str(index),
        }
    return data | extra


def test_a_new_products_sizes_get_skus_made_from_its_id(superuser):
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    store = StoreFactory()
    data = add_form(
        shoes,
        store,
        ["240", "250", "260"],
        **{"variants-1-colour": "Off White", "variants-2-sku": "MY-OWN-SKU"},
    )
    url = f"/admin/products/product/add/?category={shoes.pk}"
    response = superuser.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(name="Court Sneakers")
    skus = list(product.variants.order_by("position").values_list("size", "stock", "sku"))
    assert skus == [
        ("240", 5, f"{product.pk}-240"),
        ("250", 5, f"{product.pk}-250-OFF-WHITE"),
        ("260", 5, "MY-OWN-SKU"),
    ]


def test_a_size_added_later_gets_a_sku_too(superuser):
    from tests.factories import VariantFactory

    variant = VariantFactory(size="M", sku="OLD-M")
    product = variant.product
    data = add_form(product.category, product.store, ["M", "L"], name=product.name)
    data |= {  # the first row is the saved M (an inline lists saved rows first)
        "variants-INITIAL_FORMS": "1",
        "variants-0-id": str(variant.pk),
        "variants-0-product": str(product.pk),
        "variants-0-stock": "10",
        "initial-variants-0-stock": "10",
        "variants-0-sku": "OLD-M",
    }
    response = superuser.post(f"/admin/products/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert dict(product.variants.values_list("size", "sku")) == {
        "M": "OLD-M",
        "L": f"{product.pk}-L",
    }


def test_save_and_add_another_keeps_the_category_and_its_sizes(superuser):
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    data = add_form(shoes, StoreFactory(), ["240"], _addanother="1")
    response = superuser.post("/admin/products/product/add/", data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/products/product/add/?category={shoes.pk}")
    page = superuser.get(response["Location"]).content.decode()
    assert suggested_sizes(page) == ["240", "250", "260", "270", "280"]
