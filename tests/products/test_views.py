import re

import pytest
from django.test import Client

from apps.products.models import ProductLike
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def card_names(body: str) -> list[str]:
    return re.findall(r'<h\d class="card-name">([^<]+)</h\d>', body)


def test_list_page_shows_cards_and_a_more_link_that_htmx_follows(client):
    for i in range(30):
        ProductFactory(name=f"Tee {i:02d}", likes_count=i)
    first = client.get("/products/")
    body = first.content.decode()
    assert first.status_code == 200
    assert card_names(body)[:3] == ["Tee 29", "Tee 28", "Tee 27"]
    assert len(card_names(body)) == 24
    more = re.search(r'<a class="more" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert 'hx-trigger="revealed"' in body

    following = client.get(f"/products/{more}", **HTMX)
    fragment = following.content.decode()
    assert following.status_code == 200
    assert "<html" not in fragment  # just the next cards
    assert card_names(fragment) == [f"Tee {i:02d}" for i in range(5, -1, -1)]
    assert 'class="more"' not in fragment  # last page
    assert following["Vary"] and "HX-Request" in following["Vary"]

    # Without JavaScript the same link is a full page.
    assert "<html" in client.get(f"/products/{more}").content.decode()


def test_card_shows_store_price_likes_and_sold_out(client):
    product = ProductFactory(name="Wool Coat", base_price=189_000, likes_count=42)
    VariantFactory(product=product, stock=0)
    body = client.get("/products/").content.decode()
    assert product.store.name in body
    assert "₩189,000" in body
    assert "♥ 42" in body
    assert "Sold out" in body


def test_cached_cards_follow_every_change_to_what_they_show(client):
    """The cards' rendering is cached under a digest of all they show: a new price, a
    like, a size back in stock, a rename, a new photo or store name is a new entry."""
    from apps.accounts.models import Store
    from apps.products.models import Product, Variant

    product = ProductFactory(name="Wool Coat", base_price=189_000, likes_count=42)
    size = VariantFactory(product=product, stock=0)

    def card() -> str:
        body = client.get("/products/").content.decode()
        return body[body.index('<article class="product-card">') : body.index("</article>")]

    assert "Sold out" in card()  # rendered, then from the cache
    changes = [
        (lambda: Variant.objects.filter(pk=size.pk).update(stock=3), "Sold out", False),
        (lambda: Product.objects.filter(pk=product.pk).update(base_price=99_000), "₩99,000", True),
        (lambda: Product.objects.filter(pk=product.pk).update(likes_count=43), "♥ 43", True),
        (
            lambda: Product.objects.filter(pk=product.pk).update(name="Camel Coat"),
            "Camel Coat",
            True,
        ),
        (
            lambda: Store.objects.filter(pk=product.store_id).update(name="Seoul Wool"),
            "Seoul Wool",
            True,
        ),
        (
            lambda: Product.objects.filter(pk=product.pk).update(thumbnail="p/new.jpg"),
            "p/new.jpg",
            True,
        ),
    ]
    for change, text, shown in changes:
        change()
        assert (text in card()) is shown, text


def test_list_queries_stay_bounded_whatever_the_page_size(client, django_assert_max_num_queries):
    for _ in range(30):
        VariantFactory(product=ProductFactory())
    # One query for the page of cards (store and stock state included): no query per
    # card, however many cards the page holds. The category chips come from the cache
    # once read (the first page reads them).
    client.get("/products/?sort=popular")
    with django_assert_max_num_queries(1):
        response = client.get("/products/?sort=popular")
    assert len(card_names(response.content.decode())) == 24
    with django_assert_max_num_queries(1):
        client.get("/products/?sort=newest")


def test_categories_come_from_the_cache_and_follow_every_change(client, django_assert_num_queries):
    from apps.products.models import Category

    tops = CategoryFactory(name="Tops", slug="tops", position=0)
    shoes = CategoryFactory(name="Shoes", slug="shoes", position=1)
    ProductFactory(name="Linen Shirt", category=tops)
    ProductFactory(name="Canvas Sneaker", category=shoes)

    def chips() -> list[str]:
        body = client.get("/products/?category=tops").content.decode()
        return re.findall(r'<a class="chip[^"]*" href="[^"]*">([^<]+)</a>', body)

    assert chips() == ["All", "Tops", "Shoes"]
    # The slug and the chips from the cache: only the page of cards is read.
    with django_assert_num_queries(1):
        response = client.get("/products/?category=tops")
    assert card_names(response.content.decode()) == ["Linen Shirt"]

    tops.name = "Shirts & tops"
    tops.save()
    assert chips() == ["All", "Shirts &amp; tops", "Shoes"]
    CategoryFactory(name="Bags", slug="bags", position=2)
    assert chips() == ["All", "Shirts &amp; tops", "Shoes", "Bags"]
    shoes.position = 3
    shoes.save()
    assert chips() == ["All", "Shirts &amp; tops", "Bags", "Shoes"]
    Category.objects.get(slug="bags").delete()
    assert chips() == ["All", "Shirts &amp; tops", "Shoes"]
    assert client.get("/products/?category=bags").status_code == 400


def test_a_list_page_reads_the_categories_once_for_its_slug_and_its_chips(client, monkeypatch):
    from django.core.cache import cache

    from apps.products import selectors

    ProductFactory(name="Linen Shirt", category=CategoryFactory(name="Tops", slug="tops"))
    reads, real_get = [], cache.get

    def counting_get(key, *args):
        reads.append(key)
        return real_get(key, *args)

    monkeypatch.setattr(selectors.cache, "get", counting_get)
    for _ in range(2):  # a miss, then from the cache
        reads.clear()
        response = client.get("/products/?category=tops")
        assert card_names(response.content.decode()) == ["Linen Shirt"]
        assert reads.count(selectors.CATEGORIES_KEY) == 1


def test_a_category_list_cached_before_a_change_commits_is_dropped_at_the_commit(
    client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from apps.products import selectors

    tops = CategoryFactory(name="Tops", slug="tops")
    selectors.category_list()
    before = cache.get(selectors.CATEGORIES_KEY)
    assert before
    with django_capture_on_commit_callbacks(execute=True):
        tops.name = "Shirts"
        tops.save()
        # Another request, not seeing the change yet, caches the list as it was.
        cache.set(selectors.CATEGORIES_KEY, before)
    assert [category.name for category in selectors.category_list()] == ["Shirts"]


def test_categories_are_read_from_the_database_when_the_cache_does_not_answer(
    client, unreachable_cache, caplog
):
    from apps.core.faults import burst_log

    ProductFactory(name="Linen Shirt", category=CategoryFactory(name="Tops", slug="tops"))
    burst_log.reset()  # the category's save could not drop the entry either, and said so
    response = client.get("/products/?category=tops")
    assert response.status_code == 200
    assert card_names(response.content.decode()) == ["Linen Shirt"]
    assert client.get("/products/?category=bags").status_code == 400
    assert "category list cache read failed" in caplog.text


def test_category_filter(client):
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    ProductFactory(name="Court Sneakers", category=shoes)
    ProductFactory(name="Linen Shirt")
    body = client.get("/products/?category=shoes").content.decode()
    assert card_names(body) == ["Court Sneakers"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=cheapest", "Sort by “cheapest” isn&#x27;t available"),
        ("category=spaceships", "We don&#x27;t have a “spaceships” category."),
        ("q=" + "a" * 10_000, "Search is limited to 100 characters"),
    ],
)
def test_bad_list_parameters_get_a_clear_400(client, query, message):
    ProductFactory()
    response = client.get(f"/products/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_broken_cursor_gives_the_first_page_with_a_note(client):
    ProductFactory(name="Only Tee")
    response = client.get("/products/?cursor=not-a-real-cursor")
    body = response.content.decode()
    assert response.status_code == 200
    assert card_names(body) == ["Only Tee"]
    assert "here is the first page" in body
    assert client.get("/products/?cursor=broken", **HTMX).status_code == 400


def test_product_page_shows_sizes_stock_state_and_like_button(client):
    product = ProductFactory(name="Oxford Shirt", description="Crisp <b>cotton</b>.")
    VariantFactory(product=product, size="S", stock=0)
    VariantFactory(product=product, size="M", stock=2)
    VariantFactory(product=product, size="L", stock=30)
    body = client.get(f"/products/{product.pk}/").content.decode()
    assert "Oxford Shirt" in body
    assert re.search(
        r'value="[0-9A-Z]{13}" disabled required>\s*<span class="size-label">S</span>', body
    )
    assert "Only 2 left" in body
    assert "Crisp &lt;b&gt;cotton&lt;/b&gt;." in body
    assert 'name="liked" value="1"' in body


def test_product_page_lists_sizes_and_photos_in_position_order_and_the_shoppers_like(client):
    from apps.products.models import ProductImage

    product = ProductFactory(name="Wool Coat", store__name="Seongsu Studio")
    for position, size in ((2, "L"), (0, "S"), (1, "M")):
        VariantFactory(product=product, size=size, position=position, stock=5)
    for position, alt in ((1, "Back view"), (0, "Front view")):
        ProductImage.objects.create(product=product, image="p.jpg", alt=alt, position=position)
    shopper = UserFactory()
    ProductLike.objects.create(user=shopper, product=product)
    liked_by_another = ProductFactory()
    ProductLike.objects.create(user=UserFactory(), product=liked_by_another)
    client.force_login(shopper)

    body = client.get(f"/products/{product.pk}/").content.decode()

    assert re.findall(r'class="size-label">(\w+)<', body) == ["S", "M", "L"]
    assert re.findall(r'alt="(\w+ view)"', body) == ["Front view", "Back view"]
    assert "Seongsu Studio" in body and product.category.name in body
    assert 'name="liked" value="0"' in body  # liked already: the button takes it back
    assert 'name="liked" value="1"' in Client().get(f"/products/{product.pk}/").content.decode()
    other_page = client.get(f"/products/{liked_by_another.pk}/").content.decode()
    assert 'name="liked" value="1"' in other_page  # another shopper's like is not theirs


def test_product_page_reads_the_product_its_sizes_and_the_like_in_one_statement(
    client, settings, django_assert_num_queries
):
    from apps.products.models import ProductImage

    product = ProductFactory()
    for size in ("S", "M", "L"):
        VariantFactory(product=product, size=size)
    ProductImage.objects.create(product=product, image="p.jpg", alt="Front view")
    # A visitor: the product with its sizes, then its photos; nothing per size or photo.
    with django_assert_num_queries(2):
        assert Client().get(f"/products/{product.pk}/").status_code == 200
    # A shopper: their user row and the header's counts as well, and the session row
    # when sessions live in the database; whether they like it comes with the sizes.
    client.force_login(UserFactory())
    with django_assert_num_queries(4 + settings.SESSION_ENGINE.endswith(".db")):
        assert client.get(f"/products/{product.pk}/").status_code == 200


def test_a_product_with_no_sizes_yet_shows_its_page(client):
    product = ProductFactory(name="Sample Scarf")
    response = client.get(f"/products/{product.pk}/")
    assert response.status_code == 200
    assert "Sample Scarf" in response.content.decode()


def test_cached_gallery_and_sizes_follow_every_change_to_what_they_show(client):
    """The gallery and the size picker are cached under a digest of all they show: a
    size selling down to its last units or out, a new price, size or colour, a new,
    changed or removed photo, a rename is a new entry. The CSRF token around them is
    each shopper's own."""
    from apps.products.models import Product, ProductImage, Variant

    product = ProductFactory(name="Wool Coat", base_price=189_000)
    size = VariantFactory(product=product, size="M", stock=10)
    photo = ProductImage.objects.create(product=product, image="p/front.jpg", alt="Front")

    def page(browser=client) -> str:
        return browser.get(f"/products/{product.pk}/").content.decode()

    assert "Only" not in page() and "Front" in page()  # rendered, then from the cache
    changes = [
        (lambda: Variant.objects.filter(pk=size.pk).update(stock=3), "Only 3 left"),
        (lambda: Variant.objects.filter(pk=size.pk).update(stock=2), "Only 2 left"),
        (lambda: Variant.objects.filter(pk=size.pk).update(stock=0), 'class="size is-sold-out"'),
        (lambda: Variant.objects.filter(pk=size.pk).update(stock=0, size="XL"), ">XL<"),
        (lambda: Variant.objects.filter(pk=size.pk).update(stock=5), "Add to cart"),
        (lambda: Variant.objects.filter(pk=size.pk).update(price_override=99_000), "₩99,000"),
        (lambda: Variant.objects.filter(pk=size.pk).update(colour="navy"), 'data-colour="navy"'),
        (lambda: ProductImage.objects.filter(pk=photo.pk).update(alt="Back"), 'alt="Back"'),
        (lambda: ProductImage.objects.filter(pk=photo.pk).update(image="p/b.jpg"), "p/b.jpg"),
        (
            lambda: Product.objects.filter(pk=product.pk).update(thumbnail="p/t.jpg"),
            "p/t.jpg",
        ),
        (
            lambda: ProductImage.objects.filter(pk=photo.pk).update(colour="navy"),
            'alt="Back" data-colour="navy"',
        ),
        (
            lambda: ProductImage.objects.create(product=product, image="p/side.jpg", alt="Side"),
            'alt="Side"',
        ),
    ]
    for change, shown in changes:
        change()
        assert shown in page(), shown
    # The size's own price is noted while it differs from the product's.
    assert '<span class="size-note">₩99,000</span>' in page()
    Product.objects.filter(pk=product.pk).update(base_price=99_000)
    assert '<span class="size-note">₩99,000</span>' not in page()
    ProductImage.objects.all().delete()
    assert 'alt="Wool Coat"' in page()  # the thumbnail, named after the product
    Product.objects.filter(pk=product.pk).update(name="Camel Coat")
    assert 'alt="Camel Coat"' in page()
    # The buy form's token is each visitor's own, not the one of the page first cached.
    buy_token = re.compile(r'id="product-buy".*?name="csrfmiddlewaretoken" value="([^"]+)"', re.S)
    assert len({buy_token.search(page(Client())).group(1) for _ in range(2)}) == 2


def test_product_page_accepts_lowercase_ids_and_404s_bad_ones(client):
    product = ProductFactory()
    assert client.get(f"/products/{str(product.pk).lower()}/").status_code == 200
    assert client.get("/products/UUUUUUUUUUUUU/").status_code == 404
    assert client.get("/products/0000000000001/").status_code == 404
    assert client.get("/products/not-an-id/").status_code == 404
    assert client.get(f"/products/{ProductFactory(is_active=False).pk}/").status_code == 404


def test_htmx_like_returns_the_updated_button(client):
    product = ProductFactory(likes_count=9)
    user = UserFactory()
    client.force_login(user)
    response = client.post(f"/products/{product.pk}/like/", {"liked": "1"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="like-count">10</span>' in body
    assert 'aria-pressed="true"' in body
    assert 'name="liked" value="0"' in body  # pressing again unlikes
    response = client.post(f"/products/{product.pk}/like/", {"liked": "0"}, **HTMX)
    assert '<span class="like-count">9</span>' in response.content.decode()


def test_like_without_javascript_redirects_back_with_a_message(client):
    product = ProductFactory()
    client.force_login(UserFactory())
    response = client.post(f"/products/{product.pk}/like/", {"liked": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/products/{product.pk}/"
    assert "Added to your likes." in response.content.decode()


def test_like_while_logged_out_sends_htmx_to_login_and_changes_nothing(client):
    product = ProductFactory()
    response = client.post(
        f"/products/{product.pk}/like/",
        {"liked": "1"},
        HTTP_HX_CURRENT_URL=f"http://testserver/products/{product.pk}/",
        **HTMX,
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next=%2Fproducts%2F{product.pk}%2F"
    assert not ProductLike.objects.exists()


@pytest.mark.parametrize("data", [{}, {"liked": "maybe"}])
def test_like_with_a_bad_value_is_a_400(client, data):
    product = ProductFactory()
    client.force_login(UserFactory())
    response = client.post(f"/products/{product.pk}/like/", data, **HTMX)
    assert response.status_code == 400
    assert b"Say whether to like or unlike." in response.content
    assert not ProductLike.objects.exists()


def test_liking_a_missing_product_is_a_404(client):
    client.force_login(UserFactory())
    assert client.post("/products/0000000000001/like/", {"liked": "1"}).status_code == 404
    assert not ProductLike.objects.exists()


def test_like_needs_a_csrf_token():
    product = ProductFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    assert strict.post(f"/products/{product.pk}/like/", {"liked": "1"}, **HTMX).status_code == 403
    assert not ProductLike.objects.exists()


def test_like_is_post_only(client):
    product = ProductFactory()
    client.force_login(UserFactory())
    assert client.get(f"/products/{product.pk}/like/").status_code == 405
