import pytest
from django.db import connection

from apps.products.models import Product, ProductLike
from apps.products.services import ProductUnavailable, product_like_set
from tests.factories import ProductFactory, UserFactory
from tests.threads import run_concurrently


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


@pytest.mark.django_db
@pytest.mark.parametrize("active", [False, None])
def test_liking_a_missing_or_withdrawn_product_changes_nothing(active):
    user = UserFactory()
    product_id = 123456789 if active is None else ProductFactory(is_active=False).pk
    with pytest.raises(ProductUnavailable):
        product_like_set(user=user, product_id=product_id, liked=True)
    assert not ProductLike.objects.exists()


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
