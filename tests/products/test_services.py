from functools import partial

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.products.lock_objects import take_stock
from apps.products.models import Product, ProductLike, Variant
from apps.products.services import (
    OutOfStock,
    PriceChanged,
    ProductUnavailable,
    StockCorrectionRefused,
    VariantUnavailable,
    product_like_set,
    stock_return,
    stock_take,
    variant_adjust_stock,
)
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.threads import run_concurrently

TAPS = 8  # identical taps arriving at the same moment (a double tap, a flaky network)


@pytest.mark.django_db
def test_like_then_unlike_moves_the_count_and_the_row():
    product, user = ProductFactory(likes_count=7), UserFactory()
    assert product_like_set(user=user, product_id=product.pk, liked=True).likes_count == 8
    assert ProductLike.objects.filter(user=user, product_id=product.pk).exists()
    assert product_like_set(user=user, product_id=product.pk, liked=False).likes_count == 7
    assert not ProductLike.objects.exists()


@pytest.mark.django_db
def test_liking_twice_counts_once_and_unliking_twice_too():
    product, user = ProductFactory(), UserFactory()
    for _ in range(2):
        state = product_like_set(user=user, product_id=product.pk, liked=True)
    assert (state.liked, state.likes_count) == (True, 1)
    assert ProductLike.objects.count() == 1
    for _ in range(2):
        state = product_like_set(user=user, product_id=product.pk, liked=False)
    assert (state.liked, state.likes_count) == (False, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_like_taps_make_one_row_and_count_once():
    product, user = ProductFactory(likes_count=7), UserFactory()
    tap = partial(product_like_set, user=user, product_id=product.pk, liked=True)
    outcomes = run_concurrently(tap, [()] * TAPS)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert list(ProductLike.objects.values_list("user_id", "product_id")) == [(user.pk, product.pk)]
    product.refresh_from_db()
    assert product.likes_count == 8
    assert {(state.liked, state.likes_count) for state in outcomes} == {(True, 8)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_unlike_taps_remove_the_row_and_count_once():
    product, user = ProductFactory(likes_count=7), UserFactory()
    product_like_set(user=user, product_id=product.pk, liked=True)
    tap = partial(product_like_set, user=user, product_id=product.pk, liked=False)
    outcomes = run_concurrently(tap, [()] * TAPS)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert not ProductLike.objects.exists()
    product.refresh_from_db()
    assert product.likes_count == 7
    assert {(state.liked, state.likes_count) for state in outcomes} == {(False, 7)}


@pytest.mark.django_db
@pytest.mark.parametrize("active", [False, None])
def test_liking_a_missing_or_withdrawn_product_changes_nothing(active):
    user = UserFactory()
    product_id = 123456789 if active is None else ProductFactory(is_active=False).pk
    with pytest.raises(ProductUnavailable):
        product_like_set(user=user, product_id=product_id, liked=True)
    assert not ProductLike.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_like_or_unlike_that_changes_something_is_one_statement():
    product, user = ProductFactory(likes_count=2), UserFactory()
    for liked, expected in ((True, 3), (False, 2)):
        with CaptureQueriesContext(connection) as queries:
            state = product_like_set(user=user, product_id=product.pk, liked=liked)
        assert state.likes_count == expected
        assert len(queries) == 1, [query["sql"] for query in queries]


@pytest.mark.django_db
def test_unliking_a_withdrawn_product_changes_nothing():
    product, user = ProductFactory(likes_count=3), UserFactory()
    product_like_set(user=user, product_id=product.pk, liked=True)
    Product.objects.filter(pk=product.pk).update(is_active=False)
    with pytest.raises(ProductUnavailable):
        product_like_set(user=user, product_id=product.pk, liked=False)
    assert ProductLike.objects.filter(user=user, product_id=product.pk).exists()
    assert Product.objects.values_list("likes_count", flat=True).get(pk=product.pk) == 4


@pytest.mark.django_db
def test_like_rows_have_no_foreign_key_to_the_product_row():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ProductLike._meta.db_table)
    referenced = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert Product._meta.db_table not in referenced
    assert "accounts_user" in referenced  # the user FK is real; only the hot row is spared


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_and_unlikes_keep_the_count_exact():
    product = ProductFactory()
    users = [UserFactory() for _ in range(24)]

    def shopper(user, rounds: int) -> None:
        for step in range(rounds):
            # Each shopper presses like/unlike and double-taps, all at once.
            product_like_set(user=user, product_id=product.pk, liked=step % 2 == 0)
            product_like_set(user=user, product_id=product.pk, liked=step % 2 == 0)

    outcomes = run_concurrently(
        shopper, [(user, 5 if i % 2 else 4) for i, user in enumerate(users)]
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    product.refresh_from_db()
    likes = ProductLike.objects.filter(product_id=product.pk).count()
    assert likes == 12  # the 12 shoppers with an odd number of rounds end on "like"
    assert product.likes_count == likes


def stock(variant) -> int:
    return Variant.objects.values_list("stock", flat=True).get(pk=variant.pk)


@pytest.mark.django_db
def test_restock_is_a_delta_applied_under_the_lock():
    variant = VariantFactory(stock=4)
    assert variant_adjust_stock(variant_id=variant.pk, delta=3).stock == 7
    with pytest.raises(StockCorrectionRefused, match="has 7 in stock now"):
        variant_adjust_stock(variant_id=variant.pk, delta=-8)
    assert stock(variant) == 7


@pytest.mark.django_db
def test_restock_of_a_deleted_size_says_so_in_staff_words():
    with pytest.raises(StockCorrectionRefused, match="no longer exists"):
        variant_adjust_stock(variant_id=987654321, delta=5)


def read(*variants) -> dict[int, Variant]:
    """The sizes as a checkout reads them before its transaction (with their product)."""
    return {
        int(v.pk): v
        for v in Variant.objects.select_related("product").filter(pk__in=[v.pk for v in variants])
    }


@pytest.mark.django_db(transaction=True)
def test_stock_take_is_all_or_nothing():
    plenty, scarce = VariantFactory(stock=5), VariantFactory(stock=1)
    seen = read(plenty, scarce)
    with pytest.raises(OutOfStock, match="Only 1 left"), transaction.atomic():
        stock_take(quantities={plenty.pk: 2, scarce.pk: 2}, variants=seen)
    assert (stock(plenty), stock(scarce)) == (5, 1)
    with pytest.raises(VariantUnavailable), transaction.atomic():
        stock_take(quantities={plenty.pk: 1, 987654321: 1}, variants=seen)
    assert stock(plenty) == 5
    with transaction.atomic():
        stock_take(quantities={plenty.pk: 2, scarce.pk: 1}, variants=seen)
    assert (stock(plenty), stock(scarce)) == (3, 0)
    with transaction.atomic():
        stock_return(quantities={plenty.pk: 2, scarce.pk: 1, 987654321: 4})
    assert (stock(plenty), stock(scarce)) == (5, 1)


@pytest.mark.django_db(transaction=True)
def test_take_stock_changes_no_row_when_one_line_is_short():
    """Refused inside the transaction itself, not only after its rollback: a caller that
    went on to commit would still have sold nothing."""
    plenty, scarce = VariantFactory(stock=5), VariantFactory(stock=1)
    off_sale = VariantFactory(stock=9, product__is_active=False)
    with transaction.atomic():
        taken, sizes = take_stock({plenty.pk: 2, scarce.pk: 2})
        assert not taken
        assert (sizes[plenty.pk].stock, sizes[scarce.pk].stock) == (5, 1)
        assert (stock(plenty), stock(scarce)) == (5, 1)
        taken, sizes = take_stock({plenty.pk: 1, off_sale.pk: 1})
        assert not taken and sizes[off_sale.pk].is_active is False
        taken, sizes = take_stock({plenty.pk: 1, 987654321: 1})
        assert not taken and set(sizes) == {plenty.pk}
        assert (stock(plenty), stock(off_sale)) == (5, 9)
        taken, sizes = take_stock({scarce.pk: 1, plenty.pk: 3})
        assert taken and (sizes[plenty.pk].stock, sizes[scarce.pk].stock) == (5, 1)
        assert (stock(plenty), stock(scarce)) == (2, 0)


@pytest.mark.django_db(transaction=True)
def test_stock_take_refuses_a_price_changed_since_it_was_read():
    variant = VariantFactory(stock=5, product__base_price=39_000)
    seen = read(variant)
    Product.objects.filter(pk=variant.product_id).update(base_price=45_000)
    with pytest.raises(PriceChanged, match="is now ₩45,000"), transaction.atomic():
        stock_take(quantities={variant.pk: 1}, variants=seen)
    assert stock(variant) == 5


@pytest.mark.django_db(transaction=True)
def test_stock_take_refuses_to_run_outside_a_transaction():
    variant = VariantFactory(stock=5)
    with pytest.raises(AssertionError, match="needs a transaction"):
        stock_take(quantities={variant.pk: 1}, variants=read(variant))


@pytest.mark.django_db
def test_a_new_sku_is_the_product_id_size_and_colour_and_never_taken():
    from apps.products.services import variant_new_sku

    product = ProductFactory()
    assert variant_new_sku(product_id=product.pk, size="M") == f"{product.pk}-M"
    assert variant_new_sku(product_id=product.pk, size="m", colour="navy / white") == (
        f"{product.pk}-M-NAVY-WHITE"
    )
    VariantFactory(product=product, size="L", sku=f"{product.pk}-L")
    assert variant_new_sku(product_id=product.pk, size="L") == f"{product.pk}-L-2"
    VariantFactory(product=product, size="XL", colour="", sku=f"{product.pk}-XL-2")
    VariantFactory(product=product, size="XL", colour="a", sku=f"{product.pk}-XL")
    assert variant_new_sku(product_id=product.pk, size="XL") == f"{product.pk}-XL-3"
    long = variant_new_sku(product_id=product.pk, size="FREE", colour="very " * 20)
    assert len(long) <= Variant._meta.get_field("sku").max_length
