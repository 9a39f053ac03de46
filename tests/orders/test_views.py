import re

import pytest
from django.test import Client

from apps.orders.models import CartItem, Order
from apps.orders.services import Line, order_place
from apps.products.models import Variant
from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/products/"}


@pytest.fixture
def shopper(client):
    user = UserFactory(shipping_address="12 Yeonmu-ro, Suwon")
    client.force_login(user)
    return user


def stock(variant) -> int:
    return Variant.objects.values_list("stock", flat=True).get(pk=variant.pk)


def checkout_key(body: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', body).group(1)


def test_add_to_cart_with_htmx_confirms_and_updates_the_header_count(client, shopper):
    variant = VariantFactory(stock=5)
    response = client.post("/cart/items/", {"variant": str(variant.pk), "quantity": "2"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Added to your cart." in body
    assert re.search(
        r'<span id="cart-count" class="badge" hx-swap-oob="true" aria-label="2 items', body
    )
    assert CartItem.objects.get(user=shopper).quantity == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"variant": ""}, "Choose a size first."),
        ({"variant": "nonsense"}, "Choose a size first."),
        ({"variant": "0000000000042"}, "no longer on sale"),
        ({"quantity": "11"}, "Choose a quantity from 1 to 10."),
        ({"quantity": "-1"}, "Choose a quantity from 1 to 10."),
        ({"quantity": "999999999999"}, "Choose a quantity from 1 to 10."),
    ],
)
def test_bad_add_to_cart_input_gets_a_clear_message_and_changes_nothing(
    client, shopper, data, message
):
    variant = VariantFactory(stock=5)
    data = {"variant": str(variant.pk), **data}
    response = client.post("/cart/items/", data, **HTMX)
    assert message in response.content.decode()
    assert 'class="feedback is-error"' in response.content.decode()
    assert not CartItem.objects.exists()


def test_sold_out_size_cannot_be_added(client, shopper):
    variant = VariantFactory(stock=0, product=ProductFactory(name="Court Sneakers"), size="260")
    response = client.post("/cart/items/", {"variant": str(variant.pk)}, **HTMX)
    assert "Court Sneakers (260) is sold out." in response.content.decode()
    assert not CartItem.objects.exists()


def test_add_to_cart_without_javascript_returns_to_the_page(client, shopper):
    variant = VariantFactory(stock=5)
    response = client.post(
        "/cart/items/",
        {"variant": str(variant.pk)},
        HTTP_REFERER=f"http://testserver/products/{variant.product_id}/",
    )
    assert response["Location"] == f"/products/{variant.product_id}/"


def test_add_to_cart_never_redirects_off_site(client, shopper):
    variant = VariantFactory(stock=5)
    response = client.post(
        "/cart/items/", {"variant": str(variant.pk)}, HTTP_REFERER="https://evil.example/x"
    )
    assert response["Location"] == "/cart/"


def test_anonymous_add_to_cart_is_sent_to_login(client):
    variant = VariantFactory(stock=5)
    response = client.post("/cart/items/", {"variant": str(variant.pk)}, **HTMX)
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fproducts%2F"
    assert not CartItem.objects.exists()


def test_cart_flags_lines_that_went_out_of_stock(client, shopper):
    short = VariantFactory(stock=1, product=ProductFactory(name="Short Tee"))
    gone = VariantFactory(stock=0, product=ProductFactory(name="Gone Tee"))
    CartItem.objects.create(user=shopper, variant_id=short.pk, quantity=3)
    CartItem.objects.create(user=shopper, variant_id=gone.pk, quantity=1)
    body = client.get("/cart/").content.decode()
    assert "Only 1 left. Lower the quantity to check out." in body
    assert "Sold out in this size. Remove it to check out." in body
    assert "Fix the items marked above to check out." in body


def test_changing_and_removing_a_line_with_htmx(client, shopper):
    variant = VariantFactory(stock=9)
    item = CartItem.objects.create(user=shopper, variant_id=variant.pk, quantity=1)
    body = client.post(f"/cart/items/{item.pk}/", {"quantity": "4"}, **HTMX).content.decode()
    assert 'id="cart-body"' in body and 'hx-swap-oob="true" aria-label="4 items' in body
    assert CartItem.objects.get(pk=item.pk).quantity == 4
    client.post(f"/cart/items/{item.pk}/", {"quantity": "0"}, **HTMX)
    assert not CartItem.objects.exists()


def test_someone_elses_cart_line_is_a_404(client, shopper):
    other = CartItem.objects.create(
        user=UserFactory(), variant_id=VariantFactory(stock=3).pk, quantity=1
    )
    assert client.post(f"/cart/items/{other.pk}/", {"quantity": "0"}).status_code == 404
    assert CartItem.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("quantity", ["11", "-1", "lots", ""])
def test_bad_line_quantities_change_nothing(client, shopper, quantity):
    item = CartItem.objects.create(user=shopper, variant_id=VariantFactory(stock=9).pk, quantity=2)
    response = client.post(f"/cart/items/{item.pk}/", {"quantity": quantity}, follow=True)
    assert "Choose a quantity from 0 to 10." in response.content.decode()
    assert CartItem.objects.get(pk=item.pk).quantity == 2


def test_cart_checkout_places_one_order_even_when_submitted_twice(client, shopper):
    variant = VariantFactory(stock=5, product=ProductFactory(name="Linen Shirt"))
    CartItem.objects.create(user=shopper, variant_id=variant.pk, quantity=2)
    page = client.get("/orders/checkout/").content.decode()
    assert "12 Yeonmu-ro, Suwon" in page  # prefilled from the account
    assert "Linen Shirt" in page
    data = {"shipping_address": "12 Yeonmu-ro, Suwon", "idempotency_key": checkout_key(page)}
    first = client.post("/orders/checkout/", data)
    second = client.post("/orders/checkout/", data)  # a double click or a retry
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.pk}/"
    assert stock(variant) == 3
    assert not CartItem.objects.exists()


def test_checkout_out_of_stock_names_the_item_and_changes_nothing(client, shopper):
    variant = VariantFactory(stock=1, product=ProductFactory(name="Rib Beanie"), size="FREE")
    CartItem.objects.create(user=shopper, variant_id=variant.pk, quantity=2)
    page = client.get("/orders/checkout/").content.decode()
    response = client.post(
        "/orders/checkout/", {"shipping_address": "x", "idempotency_key": checkout_key(page)}
    )
    assert response.status_code == 409
    assert "Only 1 left of Rib Beanie (FREE); you asked for 2." in response.content.decode()
    assert stock(variant) == 1 and not Order.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"shipping_address": ""}, "Enter a shipping address."),
        ({"shipping_address": "x" * 501}, "at most 500 characters"),
        ({"idempotency_key": "not-a-key"}, "This checkout form has expired."),
    ],
)
def test_bad_checkout_forms_are_refused(client, shopper, data, message):
    variant = VariantFactory(stock=5)
    CartItem.objects.create(user=shopper, variant_id=variant.pk, quantity=1)
    form = {"shipping_address": "x", "idempotency_key": "d" * 32, **data}
    response = client.post("/orders/checkout/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.exists() and stock(variant) == 5


def test_buy_now_checks_out_one_line_and_leaves_the_cart(client, shopper):
    in_cart, bought = VariantFactory(stock=5), VariantFactory(stock=5)
    CartItem.objects.create(user=shopper, variant_id=in_cart.pk, quantity=1)
    response = client.post("/orders/buy-now/", {"variant": str(bought.pk), "quantity": "2"})
    assert response["Location"] == f"/orders/checkout/?variant={bought.pk}&quantity=2"
    page = client.get(response["Location"]).content.decode()
    form = {
        "shipping_address": "x",
        "idempotency_key": checkout_key(page),
        "variant": str(bought.pk),
        "quantity": "2",
    }
    client.post("/orders/checkout/", form)
    assert stock(bought) == 3 and stock(in_cart) == 5
    assert CartItem.objects.filter(user=shopper).count() == 1


def test_buy_now_with_htmx_redirects_the_page(client, shopper):
    variant = VariantFactory(stock=5)
    response = client.post("/orders/buy-now/", {"variant": str(variant.pk)}, **HTMX)
    assert response["HX-Redirect"] == f"/orders/checkout/?variant={variant.pk}&quantity=1"


def test_orders_pages_and_cancel(client, shopper):
    variant = VariantFactory(stock=5, product=ProductFactory(name="Oxford Shirt"))
    order = order_place(
        user=shopper, lines=[Line(variant.pk, 2)], shipping_address="x", idempotency_key="e" * 32
    )
    assert "Oxford Shirt" in client.get("/orders/").content.decode()
    detail = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Cancel order" in detail
    assert re.search(r'class="cart-name"[^>]*>Oxford Shirt</a>', detail)  # its one item
    assert "× 2</div>" in detail
    response = client.post(f"/orders/{order.pk}/cancel/", follow=True)
    assert "back in stock" in response.content.decode()
    assert stock(variant) == 5
    again = client.post(f"/orders/{order.pk}/cancel/", follow=True)
    assert "can no longer be cancelled" in again.content.decode()
    assert stock(variant) == 5


def test_someone_elses_order_is_a_404(client, shopper):
    variant = VariantFactory(stock=5)
    theirs = order_place(
        user=UserFactory(),
        lines=[Line(variant.pk, 1)],
        shipping_address="x",
        idempotency_key="f" * 32,
    )
    assert client.get(f"/orders/{theirs.pk}/").status_code == 404
    assert client.post(f"/orders/{theirs.pk}/cancel/").status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == Order.Status.ORDERED
    assert stock(variant) == 4
    assert client.get("/orders/garbage/").status_code == 404


def test_orders_list_pages_by_cursor(client, shopper):
    variant = VariantFactory(stock=50)
    for n in range(12):
        order_place(
            user=shopper,
            lines=[Line(variant.pk, 1)],
            shipping_address="x",
            idempotency_key=f"{n:032x}",
        )
    body = client.get("/orders/").content.decode()
    assert body.count('class="order-row card"') == 10
    cursor = re.search(r'hx-get="\?cursor=([^"]+)"', body).group(1)
    more = client.get(f"/orders/?cursor={cursor}", **HTMX).content.decode()
    assert more.count('class="order-row card"') == 2
    assert client.get("/orders/?cursor=tampered").status_code == 400


def test_the_order_rows_come_from_the_cache_until_an_order_changes(client, shopper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.orders.services import order_cancel

    shirt = VariantFactory(stock=5, product=ProductFactory(name="Oxford Shirt"))
    beanie = VariantFactory(stock=5, product=ProductFactory(name="Rib Beanie"))
    first = order_place(
        user=shopper, lines=[Line(shirt.pk, 1)], shipping_address="x", idempotency_key="1" * 32
    )

    def rows() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/orders/").content.decode()
        items = [q for q in queries.captured_queries if 'FROM "orders_orderitem"' in q["sql"]]
        return body[body.index('id="order-list"') :], len(items)

    shown, items_read = rows()
    assert "Oxford Shirt" in shown and "Ordered" in shown and items_read == 1
    assert rows() == (shown, 0)  # the same rows, from the cache: no items read

    order_cancel(order_id=first.pk, user=shopper)
    shown, items_read = rows()
    assert "Cancelled" in shown and "Ordered" not in shown and items_read == 1

    order_place(
        user=shopper, lines=[Line(beanie.pk, 1)], shipping_address="x", idempotency_key="2" * 32
    )
    shown, items_read = rows()
    assert "Rib Beanie" in shown and "Oxford Shirt" in shown and items_read == 1
    assert shown.index("Rib Beanie") < shown.index("Oxford Shirt")  # newest first
    assert rows() == (shown, 0)


def test_checkout_needs_csrf():
    strict = Client(enforce_csrf_checks=True)
    user = UserFactory()
    strict.force_login(user)
    variant = VariantFactory(stock=5)
    CartItem.objects.create(user=user, variant_id=variant.pk, quantity=1)
    response = strict.post(
        "/orders/checkout/", {"shipping_address": "x", "idempotency_key": "a" * 32}
    )
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_header_shows_the_cart_count(client, shopper):
    CartItem.objects.create(user=shopper, variant_id=VariantFactory(stock=5).pk, quantity=3)
    assert re.search(
        r'id="cart-count" class="badge" aria-label="3 items in cart">3<',
        client.get("/").content.decode(),
    )


def test_the_picked_pieces_of_a_look_go_in_together(client, shopper):
    coat, pants, skipped = VariantFactory(stock=3), VariantFactory(stock=3), VariantFactory()
    data = {"look": "x", "variant-0": str(coat.pk), "variant-1": str(pants.pk), "variant-2": ""}
    response = client.post("/cart/items/", data, **HTMX)
    assert "Added 2 pieces to your cart." in response.content.decode()
    lines = dict(CartItem.objects.values_list("variant_id", "quantity"))
    assert lines == {coat.pk: 1, pants.pk: 1}
    assert skipped.pk not in lines


def test_a_look_with_one_piece_sold_out_adds_nothing_and_names_it(client, shopper):
    coat = VariantFactory(stock=3)
    boots = VariantFactory(stock=0, size="260", product__name="Brown Boots")
    data = {"look": "x", "variant-0": str(coat.pk), "variant-1": str(boots.pk)}
    response = client.post("/cart/items/", data, **HTMX)
    assert "Brown Boots (260) is sold out." in response.content.decode()
    assert not CartItem.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"look": "x"}, "Choose a size for the pieces you want."),
        ({"look": "x", "variant-0": "not-an-id"}, "Choose a size for the pieces you want."),
        ({"variant": ["0SAN8453QPN38", "bad"]}, "Choose a size first."),
        ({"variant": "0SAN8453QPN38", "quantity": "0"}, "Choose a quantity from 1 to 10."),
        ({"variant": "0SAN8453QPN38", "quantity": "²"}, "Choose a quantity from 1 to 10."),
        ({"variant": "0SAN8453QPN38", "quantity": "9" * 5000}, "Choose a quantity from 1 to 10."),
        ({"look": "x", "variant-0": "0SAN8453QPN38", "quantity-0": "٣"}, "from 1 to 10"),
        ({"look": "x", **{f"variant-{n}": "0SAN8453QPN38" for n in range(21)}}, "at most 20"),
    ],
)
def test_bad_picks_get_a_clear_message_and_change_nothing(client, shopper, data, message):
    response = client.post("/cart/items/", data, **HTMX)
    assert message in response.content.decode()
    assert not CartItem.objects.exists()


def test_buy_the_look_checks_out_its_picked_pieces_as_one_order(client, shopper):
    coat, pants = VariantFactory(stock=3), VariantFactory(stock=3)
    CartItem.objects.create(user=shopper, variant_id=VariantFactory().pk, quantity=1)
    response = client.post(
        "/orders/buy-now/", {"look": "x", "variant-0": str(coat.pk), "variant-1": str(pants.pk)}
    )
    url = response["Location"]
    assert url == f"/orders/checkout/?variant={coat.pk}&quantity=1&variant={pants.pk}&quantity=1"
    page = client.get(url).content.decode()
    assert "Buying 2 items now." in page
    data = {
        "shipping_address": "12 Yeonmu-ro",
        "idempotency_key": checkout_key(page),
        "variant": [str(coat.pk), str(pants.pk)],
        "quantity": ["1", "1"],
    }
    client.post("/orders/checkout/", data)
    client.post("/orders/checkout/", data)  # a double submit
    order = Order.objects.get()
    assert sorted(item.variant_id for item in order.items.all()) == sorted([coat.pk, pants.pk])
    assert (stock(coat), stock(pants)) == (2, 2)
    assert CartItem.objects.count() == 1  # the cart is left alone


def test_a_tampered_buy_now_checkout_is_refused(client, shopper):
    page = client.get(f"/orders/checkout/?variant={VariantFactory().pk}").content.decode()
    data = {"shipping_address": "x", "idempotency_key": checkout_key(page), "variant": "nope"}
    assert client.post("/orders/checkout/", data).status_code == 400
    assert not Order.objects.exists()


def test_the_first_checkout_address_becomes_the_default(client):
    user = UserFactory(shipping_address="")
    client.force_login(user)
    variant = VariantFactory(stock=3)
    page = client.get(f"/orders/checkout/?variant={variant.pk}").content.decode()
    data = {
        "shipping_address": "3 Tteukseom-ro, Seoul",
        "idempotency_key": checkout_key(page),
        "variant": str(variant.pk),
        "quantity": "1",
    }
    client.post("/orders/checkout/", data)
    user.refresh_from_db()
    assert user.shipping_address == "3 Tteukseom-ro, Seoul"
    again = client.get(f"/orders/checkout/?variant={variant.pk}").content.decode()
    assert "3 Tteukseom-ro, Seoul" in again
    # a later checkout elsewhere does not overwrite the default
    data.update(shipping_address="Office, 1 Teheran-ro", idempotency_key=checkout_key(again))
    client.post("/orders/checkout/", data)
    user.refresh_from_db()
    assert user.shipping_address == "3 Tteukseom-ro, Seoul"


def test_a_buy_now_checkout_page_for_a_size_that_has_gone_says_so(client, shopper):
    variant = VariantFactory(stock=3)
    Variant.objects.filter(pk=variant.pk).delete()
    response = client.get(f"/orders/checkout/?variant={variant.pk}&quantity=1", follow=True)
    assert response.redirect_chain == [("/cart/", 302)]
    assert "That item is no longer on sale." in response.content.decode()


def test_a_buy_now_whose_size_has_gone_fails_instead_of_buying_less(client, shopper):
    coat, pants = VariantFactory(stock=3), VariantFactory(stock=3)
    url = f"/orders/checkout/?variant={coat.pk}&quantity=1&variant={pants.pk}&quantity=1"
    page = client.get(url).content.decode()
    Variant.objects.filter(pk=pants.pk).delete()  # staff remove a size meanwhile
    data = {
        "shipping_address": "12 Yeonmu-ro",
        "idempotency_key": checkout_key(page),
        "variant": [str(coat.pk), str(pants.pk)],
        "quantity": ["1", "1"],
    }
    response = client.post("/orders/checkout/", data)
    assert response.status_code == 409
    assert "no longer on sale" in response.content.decode()
    assert not Order.objects.exists() and stock(coat) == 3


def test_the_cart_checkout_and_order_read_their_sizes_once(client, shopper):
    """Each reads the sizes with their products and stores in one statement: nothing
    per line, and a buy-now order does not read them again for a page it does not show
    (its stock take, which locks them, comes after)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    variants = [VariantFactory(stock=5) for _ in range(3)]
    for variant in variants:
        CartItem.objects.create(user=shopper, variant_id=variant.pk, quantity=1)

    def reads(method, url, data=None) -> tuple[int, list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data or {})
        statements = [query["sql"] for query in queries.captured_queries]
        # Up to the order's first write: the stock take reads its sizes again, locked.
        writes = [i for i, sql in enumerate(statements) if sql.startswith("INSERT")]
        statements = statements[: writes[0]] if writes else statements
        sizes = [
            sql
            for sql in statements
            if re.match(r'SELECT .* FROM "products_variant".* JOIN "products_product"', sql)
        ]
        products = [
            sql
            for sql in statements
            if re.match(r'SELECT .* FROM "(products_product|accounts_store)"', sql)
        ]
        return response.status_code, sizes, products

    for url in ("/cart/", "/orders/checkout/"):
        status, sizes, products = reads("get", url)
        assert (status, len(sizes), products) == (200, 1, []), url
    bought = variants[0]
    status, sizes, products = reads("get", f"/orders/checkout/?variant={bought.pk}&quantity=1")
    assert (status, len(sizes), products) == (200, 1, [])
    form = {
        "shipping_address": "x",
        "idempotency_key": "e" * 32,
        "variant": str(bought.pk),
        "quantity": "1",
    }
    status, sizes, products = reads("post", "/orders/checkout/", form)
    assert (status, len(sizes), products) == (302, 1, [])
    assert stock(bought) == 4


def test_adding_to_the_cart_reads_the_size_once_and_takes_no_savepoint(client, shopper):
    """The size with its product in one statement; no savepoint around the new line's
    INSERT (a double click meets the line on the unique index and adds nothing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Inside the test's own transaction the request's transaction is a savepoint.
    expected = int(connection.in_atomic_block)
    variant = VariantFactory(stock=5)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/cart/items/", {"variant": str(variant.pk)}, **HTMX)
    assert response.status_code == 200 and "Added to your cart." in response.content.decode()
    statements = [query["sql"] for query in queries.captured_queries]
    assert len([sql for sql in statements if sql.startswith("SAVEPOINT")]) == expected
    assert [sql for sql in statements if 'FROM "products_' in sql] == [
        sql for sql in statements if re.match(r'SELECT .* FROM "products_variant" v JOIN', sql)
    ]
    assert CartItem.objects.get(user=shopper).variant_id == variant.pk
    # The line is read under its lock where the database has row locks.
    line_reads = [sql for sql in statements if sql.startswith('SELECT ci."id"')]
    locked = [sql.endswith("FOR UPDATE") for sql in line_reads]
    assert locked == [connection.features.has_select_for_update]
