from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.swipe.models import Look, Swipe
from apps.swipe.services import (
    LookUnavailable,
    looks_refresh_categories,
    swipe_record,
    swipe_undo,
)
from tests.factories import (
    CategoryFactory,
    LookFactory,
    LookProductFactory,
    ProductFactory,
    UserFactory,
)
from tests.threads import run_concurrently

LIKE, DISLIKE = Swipe.Reaction.LIKE, Swipe.Reaction.DISLIKE
TAPS = 8  # identical taps arriving at the same moment (a double tap, a flaky network)


def likes(look) -> int:
    return Look.objects.values_list("likes_count", flat=True).get(pk=look.pk)


@pytest.mark.django_db
def test_like_counts_and_a_repeat_changes_nothing():
    look, user = LookFactory(), UserFactory()
    assert swipe_record(user=user, look_id=look.pk, reaction=LIKE).changed
    assert not swipe_record(user=user, look_id=look.pk, reaction=LIKE).changed
    assert likes(look) == 1
    assert Swipe.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_like_taps_record_one_swipe_and_one_like():
    look, user = LookFactory(likes_count=5), UserFactory()
    tap = partial(swipe_record, user=user, look_id=look.pk, reaction=LIKE)
    outcomes = run_concurrently(tap, [()] * TAPS)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert list(Swipe.objects.values_list("user_id", "look_id", "reaction")) == [
        (user.pk, look.pk, LIKE)
    ]
    assert likes(look) == 6
    assert sum(result.created for result in outcomes) == 1
    assert sum(result.changed for result in outcomes) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("before", "after", "moved"), [(LIKE, DISLIKE, -1), (DISLIKE, LIKE, 1)])
def test_simultaneous_taps_changing_a_reaction_move_the_count_once(before, after, moved):
    look, user = LookFactory(likes_count=5), UserFactory()
    swipe_record(user=user, look_id=look.pk, reaction=before)
    count_before = likes(look)
    tap = partial(swipe_record, user=user, look_id=look.pk, reaction=after)
    outcomes = run_concurrently(tap, [()] * TAPS)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert list(Swipe.objects.values_list("user_id", "look_id", "reaction")) == [
        (user.pk, look.pk, after)
    ]
    assert likes(look) == count_before + moved
    assert sum(result.changed for result in outcomes) == 1


@pytest.mark.django_db
def test_reswiping_updates_the_row_and_the_count():
    look, user = LookFactory(), UserFactory()
    swipe_record(user=user, look_id=look.pk, reaction=LIKE)
    swipe_record(user=user, look_id=look.pk, reaction=DISLIKE)
    assert likes(look) == 0
    assert list(Swipe.objects.values_list("reaction", flat=True)) == [DISLIKE]
    swipe_record(user=user, look_id=look.pk, reaction=LIKE)
    assert likes(look) == 1
    assert Swipe.objects.count() == 1


@pytest.mark.django_db
def test_a_dislike_does_not_count():
    look = LookFactory()
    swipe_record(user=UserFactory(), look_id=look.pk, reaction=DISLIKE)
    assert likes(look) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["missing", "unpublished"])
def test_swiping_a_missing_or_unpublished_look_changes_nothing(state):
    look_id = 4242 if state == "missing" else LookFactory(is_active=False).pk
    with pytest.raises(LookUnavailable):
        swipe_record(user=UserFactory(), look_id=look_id, reaction=LIKE)
    assert not Swipe.objects.exists()


@pytest.mark.django_db
def test_an_unknown_reaction_is_refused():
    with pytest.raises(ValueError):
        swipe_record(user=UserFactory(), look_id=LookFactory().pk, reaction="love")
    assert not Swipe.objects.exists()


@pytest.mark.django_db
def test_undo_takes_back_the_latest_swipe_and_its_like():
    user = UserFactory()
    first, second = LookFactory(), LookFactory()
    swipe_record(user=user, look_id=first.pk, reaction=DISLIKE)
    swipe_record(user=user, look_id=second.pk, reaction=LIKE)
    undone = swipe_undo(user=user)
    assert undone.look_id == second.pk
    assert likes(second) == 0
    assert swipe_undo(user=user).look_id == first.pk
    assert swipe_undo(user=user) is None


@pytest.mark.django_db
def test_undo_naming_an_older_swipe_does_nothing():
    user = UserFactory()
    old = swipe_record(user=user, look_id=LookFactory().pk, reaction=LIKE).swipe
    swipe_record(user=user, look_id=LookFactory().pk, reaction=LIKE)
    assert swipe_undo(user=user, swipe_id=old.pk) is None  # a stale second tap
    assert Swipe.objects.count() == 2


@pytest.mark.django_db
def test_undo_never_touches_another_shoppers_swipes():
    mine, theirs = UserFactory(), UserFactory()
    look = LookFactory()
    their_swipe = swipe_record(user=theirs, look_id=look.pk, reaction=LIKE).swipe
    assert swipe_undo(user=mine, swipe_id=their_swipe.pk) is None
    assert Swipe.objects.filter(user=theirs).count() == 1
    assert likes(look) == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_undo_that_takes_a_swipe_back_is_one_statement():
    user, look = UserFactory(), LookFactory()
    swiped = swipe_record(user=user, look_id=look.pk, reaction=LIKE).swipe
    with CaptureQueriesContext(connection) as queries:
        undone = swipe_undo(user=user, swipe_id=swiped.pk)
    assert (undone.pk, undone.look_id, undone.reaction) == (swiped.pk, look.pk, LIKE)
    assert likes(look) == 0
    assert len(queries) == 1, [query["sql"] for query in queries]


@pytest.mark.django_db
def test_undoing_a_nope_leaves_the_looks_likes_as_they_were():
    user, look = UserFactory(), LookFactory(likes_count=5)
    swiped = swipe_record(user=user, look_id=look.pk, reaction=DISLIKE).swipe
    assert swipe_undo(user=user, swipe_id=swiped.pk).pk == swiped.pk
    assert likes(look) == 5 and not Swipe.objects.filter(user=user).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("named", [True, False])
def test_simultaneous_undo_taps_take_back_the_latest_swipe_once(named):
    user, older, latest = UserFactory(), LookFactory(), LookFactory()
    swipe_record(user=user, look_id=older.pk, reaction=LIKE)
    shown = swipe_record(user=user, look_id=latest.pk, reaction=LIKE).swipe
    tap = partial(swipe_undo, user=user, swipe_id=shown.pk if named else None)
    outcomes = run_concurrently(tap, [()] * TAPS)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    undone = [swipe for swipe in outcomes if swipe is not None]
    assert [swipe.pk for swipe in undone if swipe.look_id == latest.pk] == [shown.pk]
    assert likes(latest) == 0
    # Taps naming no swipe may go on to the one before; each takes its own like back.
    assert likes(older) == Swipe.objects.filter(user=user, look_id=older.pk).count()
    if named:
        assert len(undone) == 1
        assert list(Swipe.objects.filter(user=user).values_list("look_id", flat=True)) == [older.pk]


def mask(look) -> int:
    return Look.objects.values_list("category_mask", flat=True).get(pk=look.pk)


@pytest.mark.django_db
def test_category_bits_follow_the_products():
    tops, shoes = CategoryFactory(position=0), CategoryFactory(position=3)
    look = LookFactory()
    LookProductFactory(look=look, product=ProductFactory(category=tops))
    sneaker = LookProductFactory(look=look, product=ProductFactory(category=shoes))
    assert mask(look) == 0b1001
    sneaker.delete()
    assert mask(look) == 0b0001


@pytest.mark.django_db
def test_category_bits_follow_a_product_moved_to_another_category():
    tops, bags = CategoryFactory(position=0), CategoryFactory(position=4)
    look, other = LookFactory(), LookFactory()
    product = ProductFactory(category=tops)
    LookProductFactory(look=look, product=product)
    LookProductFactory(look=other, product=ProductFactory(category=tops))
    product.category = bags
    product.save()
    assert mask(look) == 0b10000
    assert mask(other) == 0b00001


@pytest.mark.django_db
def test_category_bits_follow_a_category_moved_to_another_position():
    tops = CategoryFactory(position=0)
    look = LookFactory()
    LookProductFactory(look=look, product=ProductFactory(category=tops))
    tops.position = 2
    tops.save()
    assert mask(look) == 0b100
    looks_refresh_categories(look_ids=[look.pk])  # recomputing changes nothing
    assert mask(look) == 0b100


@pytest.mark.django_db
def test_swipes_have_no_foreign_key_to_the_look_row():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Swipe._meta.db_table)
    referenced = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert Look._meta.db_table not in referenced


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_dislikes_and_undos_keep_likes_count_exact():
    look = LookFactory()
    users = [UserFactory() for _ in range(20)]

    def shopper(index: int, user) -> None:
        for step in range(6):
            reaction = LIKE if (index + step) % 2 == 0 else DISLIKE
            swipe_record(user=user, look_id=look.pk, reaction=reaction)
            swipe_record(user=user, look_id=look.pk, reaction=reaction)  # double tap
            if step == 3 and index % 3 == 0:
                swipe_undo(user=user)

    outcomes = run_concurrently(shopper, list(enumerate(users)))
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    like_rows = Swipe.objects.filter(look_id=look.pk, reaction=LIKE).count()
    assert likes(look) == like_rows
    assert like_rows == 10  # odd-indexed shoppers end on "like" (step 5)
