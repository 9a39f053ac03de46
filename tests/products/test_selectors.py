import time

import pytest

from apps.core import tsid
from apps.core.pagination import InvalidCursor, encode_cursor, keyset_queryset
from apps.products import selectors
from apps.products.selectors import ProductQuery, Sort
from tests.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def walk(query: ProductQuery, size: int) -> list:
    """Every product the list shows, page by page through the cursors."""
    seen, cursor = [], None
    while True:
        page = selectors.product_list(query=query, cursor=cursor, size=size)
        seen.extend(page.items)
        if not page.has_next:
            return seen
        cursor = page.next_cursor


def test_popular_orders_by_likes_then_newest_first():
    old_hit = ProductFactory(likes_count=50)
    new_hit = ProductFactory(likes_count=50)
    quiet = ProductFactory(likes_count=2)
    page = selectors.product_list(query=ProductQuery(sort=Sort.POPULAR), cursor=None)
    assert [p.pk for p in page.items] == [new_hit.pk, old_hit.pk, quiet.pk]


def test_cursor_pages_never_skip_or_repeat_when_likes_tie():
    # 37 products over 3 like counts: most pages start and end inside a tie.
    products = [ProductFactory(likes_count=[5, 5, 3][i % 3]) for i in range(37)]
    shown = walk(ProductQuery(sort=Sort.POPULAR), size=5)
    assert len(shown) == 37
    assert {p.pk for p in shown} == {p.pk for p in products}
    keys = [(p.likes_count, p.pk) for p in shown]
    assert keys == sorted(keys, reverse=True)


def test_newest_walks_ids_descending():
    products = [ProductFactory() for _ in range(11)]
    shown = walk(ProductQuery(sort=Sort.NEWEST), size=4)
    assert [p.pk for p in shown] == sorted((p.pk for p in products), reverse=True)


def test_newest_shows_only_the_last_30_days():
    fresh = ProductFactory()
    forty_days_ago_ms = int(time.time() * 1000) - 40 * 86_400_000
    stale = ProductFactory(id=tsid.compose(forty_days_ago_ms, 1, 0))
    newest = selectors.product_list(query=ProductQuery(sort=Sort.NEWEST), cursor=None)
    assert [p.pk for p in newest.items] == [fresh.pk]
    popular = selectors.product_list(query=ProductQuery(sort=Sort.POPULAR), cursor=None)
    assert {p.pk for p in popular.items} == {fresh.pk, stale.pk}


def test_category_filter_and_inactive_products_hidden():
    shoes, tops = CategoryFactory(slug="shoes"), CategoryFactory(slug="tops")
    sneaker = ProductFactory(category=shoes)
    ProductFactory(category=tops)
    ProductFactory(category=shoes, is_active=False)
    page = selectors.product_list(query=ProductQuery(category=shoes), cursor=None)
    assert [p.pk for p in page.items] == [sneaker.pk]


def test_search_matches_name_or_description_words():
    coat = ProductFactory(name="Camel Wool Coat", description="Long and warm.")
    ProductFactory(name="Navy Tee", description="Soft cotton.")
    tote = ProductFactory(name="Canvas Tote", description="Fits a wool blanket.")
    page = selectors.product_list(query=ProductQuery(text="wool"), cursor=None)
    assert {p.pk for p in page.items} == {coat.pk, tote.pk}
    page = selectors.product_list(query=ProductQuery(text="camel coat"), cursor=None)
    assert [p.pk for p in page.items] == [coat.pk]


def test_cards_know_when_every_size_is_sold_out():
    sold_out = ProductFactory()
    VariantFactory(product=sold_out, stock=0)
    VariantFactory(product=sold_out, stock=0)
    available = ProductFactory()
    VariantFactory(product=available, stock=0)
    VariantFactory(product=available, stock=1)
    page = selectors.product_list(query=ProductQuery(), cursor=None)
    assert {p.pk: p.in_stock for p in page.items} == {sold_out.pk: False, available.pk: True}


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "x" * 5000,
        encode_cursor([1, 2], kind="products:newest"),  # a cursor from another list
        encode_cursor([1], kind="products:popular"),  # the wrong shape
    ],
)
def test_foreign_or_tampered_cursors_are_refused(cursor):
    ProductFactory()
    with pytest.raises(InvalidCursor):
        selectors.product_list(query=ProductQuery(sort=Sort.POPULAR), cursor=cursor)


def test_a_cursor_with_its_signature_edited_is_refused():
    for _ in range(3):
        ProductFactory()
    page = selectors.product_list(query=ProductQuery(), cursor=None, size=1)
    tampered = page.next_cursor[:-2] + ("AA" if not page.next_cursor.endswith("AA") else "BB")
    with pytest.raises(InvalidCursor):
        selectors.product_list(query=ProductQuery(), cursor=tampered, size=1)


@pytest.mark.parametrize("sort", [Sort.POPULAR, Sort.NEWEST])
@pytest.mark.parametrize("in_category", [False, True])
def test_the_statement_written_out_shows_what_the_orm_query_shows(
    sort, in_category, django_assert_num_queries
):
    """A sorted list is one statement written out; ``product_list_queryset`` is the
    same list in the ORM (and what a search builds on). Page by page, both show the
    same cards, with the same stock flag and store."""
    shoes, tops = CategoryFactory(slug="shoes"), CategoryFactory(slug="tops")
    for index in range(9):
        product = ProductFactory(category=[shoes, tops][index % 2], likes_count=index % 3)
        VariantFactory(product=product, stock=index % 2)
    ProductFactory(category=shoes, is_active=False)
    query = ProductQuery(sort=sort, category=shoes if in_category else None)
    orm_rows = list(
        keyset_queryset(
            selectors.product_list_queryset(query),
            keys=Sort.KEYS[sort],
            cursor=None,
            size=100,
            kind=selectors.list_kind(query),
        )
    )
    assert orm_rows

    def shown(products):
        return [(p.pk, p.name, p.likes_count, p.in_stock, p.store.name) for p in products]

    with django_assert_num_queries(1):  # the cards and their stores, one statement
        page = selectors.product_list(query=query, cursor=None, size=len(orm_rows))
        assert shown(page.items) == shown(orm_rows)
    cards = walk(query, size=2)
    assert shown(cards) == shown(orm_rows)
    # Read as a card reads it: the description is left in the database.
    assert "description" in cards[0].get_deferred_fields()


def test_each_size_gets_the_first_photo_of_its_own_product_in_its_own_colour():
    from apps.products.models import ProductImage

    def photo(product, colour, image, position, **fields):
        ProductImage.objects.create(
            product=product, image=image, colour=colour, position=position, **fields
        )

    coat, scarf = ProductFactory(thumbnail="c/coat.jpg"), ProductFactory(thumbnail="s/scarf.jpg")
    # Both products come in both colours' neighbourhood: the photos asked for are every
    # pair of these products and colours, and only a size's own pair may be used.
    photo(coat, "navy", "c/navy-back.jpg", 2)
    # Two photos in the same place: the one with the smaller id comes first, though it
    # was stored second.
    first_id = tsid.new_tsid()
    photo(coat, "navy", "c/navy-front.jpg", 1, pk=first_id + 1)
    photo(coat, "navy", "c/navy-side.jpg", 1, pk=first_id)
    photo(coat, "red", "c/red.jpg", 0)
    photo(scarf, "navy", "s/navy.jpg", 0)
    navy_coat = VariantFactory(product=coat, colour="navy")
    red_scarf = VariantFactory(product=scarf, colour="red")  # no red photo of the scarf
    plain = VariantFactory()  # no colour named: the product's thumbnail
    variants = selectors.variants_with_products([navy_coat.pk, red_scarf.pk, plain.pk])
    assert selectors.variant_photos(variants.values()) == {
        navy_coat.pk: "c/navy-side.jpg",
        red_scarf.pk: "s/scarf.jpg",
        plain.pk: plain.product.thumbnail.name,
    }
    assert selectors.variant_photos([]) == {}
