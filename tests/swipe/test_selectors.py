import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from apps.core import tsid
from apps.products.models import Product, Variant
from apps.swipe import selectors
from apps.swipe.models import Look, LookProduct, Swipe
from apps.swipe.services import category_bit, swipe_record
from tests.factories import (
    CategoryFactory,
    LookFactory,
    LookProductFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
LIKE, DISLIKE = Swipe.Reaction.LIKE, Swipe.Reaction.DISLIKE


def look_in(category, store=None, likes=0, days_old=0):
    created_ms = int(time.time() * 1000) - days_old * 86_400_000
    look = LookFactory(
        id=tsid.compose(created_ms, 9, Look.objects.count()),
        likes_count=likes,
        store=store,
    )
    LookProductFactory(look=look, product=ProductFactory(category=category))
    return look


def test_a_new_shopper_gets_popular_and_fresh_looks_first():
    cat = CategoryFactory(position=0)
    stale_hit = look_in(cat, likes=500, days_old=50)
    fresh_quiet = look_in(cat, likes=0, days_old=0)
    fresh_hit = look_in(cat, likes=500, days_old=0)
    old_quiet = look_in(cat, likes=0, days_old=50)
    order = [look.pk for look in selectors.feed_next_looks(user=UserFactory(), limit=4)]
    assert order == [fresh_hit.pk, stale_hit.pk, fresh_quiet.pk, old_quiet.pk]
    assert [look.pk for look in selectors.feed_next_looks(user=AnonymousUser(), limit=4)] == order


def test_a_shopper_who_likes_one_style_sees_that_style_first():
    street, classic = CategoryFactory(position=1), CategoryFactory(position=2)
    user = UserFactory()
    for _ in range(3):
        swipe_record(user=user, look_id=look_in(street).pk, reaction=LIKE)
    classic_hits = [look_in(classic, likes=80) for _ in range(3)]
    street_new = [look_in(street, likes=2) for _ in range(3)]
    ranked = [look.pk for look in selectors.feed_next_looks(user=user, limit=6)]
    assert ranked[:3] == sorted((look.pk for look in street_new), reverse=True)
    assert set(ranked[3:]) == {look.pk for look in classic_hits}


def test_liked_stores_rank_higher_too():
    cat = CategoryFactory(position=0)
    favourite, other = StoreFactory(), StoreFactory()
    user = UserFactory()
    swipe_record(user=user, look_id=look_in(cat, store=favourite).pk, reaction=LIKE)
    # The favourite's look is the older one: a tie would go to the other.
    from_favourite = look_in(cat, store=favourite, likes=5, days_old=1)
    from_other = look_in(cat, store=other, likes=5)
    ranked = [look.pk for look in selectors.feed_next_looks(user=user, limit=2)]
    assert ranked == [from_favourite.pk, from_other.pk]


def test_the_feed_skips_swiped_and_unpublished_looks():
    cat = CategoryFactory(position=0)
    user = UserFactory()
    liked, noped, fresh, hidden = look_in(cat), look_in(cat), look_in(cat), look_in(cat)
    Look.objects.filter(pk=hidden.pk).update(is_active=False)
    swipe_record(user=user, look_id=liked.pk, reaction=LIKE)
    swipe_record(user=user, look_id=noped.pk, reaction=DISLIKE)
    remaining = selectors.feed_next_looks(user=user, limit=10)
    assert [look.pk for look in remaining] == [fresh.pk]


def test_the_card_already_underneath_stays_next_even_if_the_ranking_moves():
    cat = CategoryFactory(position=0)
    user = UserFactory()
    underneath = look_in(cat, likes=0, days_old=40)
    best = look_in(cat, likes=900)
    deck = selectors.feed_deck(user=user, top=underneath.pk)
    assert [look.pk for look in deck] == [underneath.pk, best.pk]
    swipe_record(user=user, look_id=underneath.pk, reaction=LIKE)
    # Once swiped it cannot be kept on top: the deck falls back to the ranking.
    assert [look.pk for look in selectors.feed_deck(user=user, top=underneath.pk)] == [best.pk]


def test_liked_looks_pages_newest_like_first():
    cat = CategoryFactory(position=0)
    user = UserFactory()
    looks = [look_in(cat) for _ in range(5)]
    for look in looks:
        swipe_record(user=user, look_id=look.pk, reaction=LIKE)
    swipe_record(user=user, look_id=look_in(cat).pk, reaction=DISLIKE)
    first = selectors.liked_looks(user=user, cursor=None, size=3)
    second = selectors.liked_looks(user=user, cursor=first.next_cursor, size=3)
    shown = [s.look_id for s in first.items + second.items]
    assert shown == [look.pk for look in reversed(looks)]
    assert not second.has_next
    assert selectors.liked_count(user=user) == 5


def test_look_detail_is_cached_and_reads_stock_fresh(django_assert_num_queries):
    look = LookFactory(title="Soft Brunch")
    product = ProductFactory(name="Rib Beanie", base_price=19_000)
    variant = VariantFactory(product=product, size="FREE", stock=5)
    LookProductFactory(look=look, product=product)

    first = selectors.look_detail(look_id=look.pk)
    assert first["title"] == "Soft Brunch"
    assert first["products"][0]["variants"][0]["stock"] == 5

    variant.__class__.objects.filter(pk=variant.pk).update(stock=1)  # a checkout, say
    with django_assert_num_queries(1):  # only the stock read: the rest comes from the cache
        again = selectors.look_detail(look_id=look.pk)
    assert again["products"][0]["variants"][0]["stock"] == 1


def test_changing_a_product_price_invalidates_the_cached_look(django_capture_on_commit_callbacks):
    look = LookFactory()
    product = ProductFactory(base_price=19_000)
    LookProductFactory(look=look, product=product)
    assert selectors.look_detail(look_id=look.pk)["products"][0]["price"] == 19_000
    with django_capture_on_commit_callbacks(execute=True):
        product.base_price = 15_000
        product.save()
    assert selectors.look_detail(look_id=look.pk)["products"][0]["price"] == 15_000


def test_a_cached_look_never_shows_a_stale_price_or_a_piece_taken_off_sale():
    """The price change's invalidation lost (Redis down as the admin saved): a queryset
    update sends no signal, so the cached entry stays, and the page must not believe it."""
    look = LookFactory()
    coat = ProductFactory(name="Wool Coat", base_price=189_000)
    medium = VariantFactory(product=coat, size="M", stock=3)
    large = VariantFactory(product=coat, size="L", stock=3, price_override=199_000)
    beanie = ProductFactory(name="Rib Beanie", base_price=19_000)
    VariantFactory(product=beanie, size="FREE", stock=2)
    LookProductFactory(look=look, product=coat, position=0)
    LookProductFactory(look=look, product=beanie, position=1)
    selectors.look_detail(look_id=look.pk)  # cached now

    Product.objects.filter(pk=coat.pk).update(base_price=159_000)
    Variant.objects.filter(pk=large.pk).update(price_override=None)
    Product.objects.filter(pk=beanie.pk).update(is_active=False)
    data = selectors.look_detail(look_id=look.pk)
    [shown] = data["products"]
    assert shown["name"] == "Wool Coat" and shown["price"] == 159_000
    assert {v["id"]: v["price"] for v in shown["variants"]} == {
        medium.pk: 159_000,
        large.pk: 159_000,
    }
    assert shown["field_name"] == "variant-0"


def test_changing_the_look_invalidates_it(django_capture_on_commit_callbacks):
    look = LookFactory(title="Before")
    selectors.look_detail(look_id=look.pk)
    with django_capture_on_commit_callbacks(execute=True):
        look.title = "After"
        look.save()
    assert selectors.look_detail(look_id=look.pk)["title"] == "After"


def test_a_cache_outage_falls_back_to_the_database(unreachable_cache, caplog):
    look = LookFactory(title="Still Here")
    data = selectors.look_detail(look_id=look.pk)
    assert data["title"] == "Still Here"
    assert "look detail cache read failed" in caplog.text


def test_a_looks_page_data_holds_its_pictures_and_pieces_on_sale_in_their_order(
    django_assert_num_queries,
):
    from apps.swipe.models import LookImage

    look = LookFactory(
        title="Rainy Day",
        description="Layers.",
        cover="looks/rain.jpg",
        likes_count=4,
        store=StoreFactory(name="Mood Lab"),
    )
    # Pictures by place, then by id: of the two in one place, the one stored second has
    # the smaller id and comes first.
    next_id = tsid.new_tsid() + (1 << 40)  # minutes ahead of any id this test makes
    LookImage.objects.create(look=look, image="looks/b.jpg", alt="Back", position=1)
    LookImage.objects.create(
        look=look, image="looks/side.jpg", alt="Side", position=0, pk=next_id + 1
    )
    LookImage.objects.create(
        look=look, image="looks/front.jpg", alt="Front", position=0, pk=next_id
    )
    LookImage.objects.create(look=LookFactory(), image="looks/other.jpg", position=0)
    coat = ProductFactory(name="Wool Coat", base_price=189_000, store=StoreFactory(name="North"))
    # A piece in the coat's place whose size was stored before the coat's.
    belt = ProductFactory(name="Belt", store=StoreFactory(name="West"))
    belt_size = VariantFactory(product=belt, size="FREE", position=0)
    # Sizes by place: stored in neither that order nor its reverse.
    large = VariantFactory(
        product=coat, size="L", colour="navy", position=1, price_override=199_000
    )
    small = VariantFactory(product=coat, size="S", colour="", position=0)
    extra = VariantFactory(product=coat, size="XL", colour="navy", position=2)
    scarf = ProductFactory(
        name="Scarf", base_price=29_000, thumbnail="", store=StoreFactory(name="South")
    )
    withdrawn = ProductFactory(name="Old Hat", is_active=False)
    VariantFactory(product=withdrawn)
    LookProductFactory(look=look, product=scarf, position=2)  # no sizes yet: shown, none to pick
    LookProductFactory(look=look, product=withdrawn, position=0)
    LookProductFactory(look=look, product=coat, position=1)
    LookProductFactory(look=look, product=belt, position=1)  # the coat's place: after it, by id

    with django_assert_num_queries(3):  # the look and its store, its pictures, its pieces
        data = selectors._load_look_detail(look.pk)

    assert (data["id"], data["title"], data["description"]) == (look.pk, "Rainy Day", "Layers.")
    assert (data["cover"], data["store"], data["likes_count"]) == (
        "/media/looks/rain.jpg",
        "Mood Lab",
        4,
    )
    assert data["images"] == [
        {"url": "/media/looks/front.jpg", "alt": "Front"},
        {"url": "/media/looks/side.jpg", "alt": "Side"},
        {"url": "/media/looks/b.jpg", "alt": "Back"},
    ]
    assert [(p["id"], p["name"], p["store"], p["price"]) for p in data["products"]] == [
        (coat.pk, "Wool Coat", "North", 189_000),
        (belt.pk, "Belt", "West", belt.base_price),
        (scarf.pk, "Scarf", "South", 29_000),
    ]
    assert data["products"][0]["thumbnail"] == coat.thumbnail.url
    assert [v["id"] for v in data["products"][1]["variants"]] == [belt_size.pk]
    assert data["products"][2]["thumbnail"] == "" and data["products"][2]["variants"] == []
    assert data["products"][0]["variants"] == [
        {
            "id": small.pk,
            "pk": tsid.encode(small.pk),
            "size": "S",
            "colour": "",
            "label": "S",
            "price": 189_000,
        },
        {
            "id": large.pk,
            "pk": tsid.encode(large.pk),
            "size": "L",
            "colour": "navy",
            "label": "L · navy",
            "price": 199_000,
        },
        {
            "id": extra.pk,
            "pk": tsid.encode(extra.pk),
            "size": "XL",
            "colour": "navy",
            "label": "XL · navy",
            "price": 189_000,
        },
    ]
    look.store = None
    look.save()
    assert selectors._load_look_detail(look.pk)["store"] == ""


def test_an_unpublished_look_has_no_detail():
    assert selectors.look_detail(look_id=LookFactory(is_active=False).pk) is None
    assert cache.get(f"look-detail:{Look.objects.first().pk}") is None


def test_a_shopper_who_swiped_the_whole_candidate_pool_still_gets_looks(monkeypatch):
    monkeypatch.setattr(selectors, "POOL_EXAMINE", 1)
    cat = CategoryFactory(position=0)
    user = UserFactory()
    oldest = look_in(cat, days_old=20)
    middle = [look_in(cat, days_old=10) for _ in range(3)]
    popular = look_in(cat, likes=90, days_old=15)
    newest = look_in(cat, days_old=0)
    for look in (oldest, popular, newest):  # the head of every walk
        swipe_record(user=user, look_id=look.pk, reaction=DISLIKE)
    shown = [look.pk for look in selectors.feed_next_looks(user=user, limit=5)]
    assert sorted(shown) == sorted(look.pk for look in middle)


def test_the_next_looks_come_from_a_queue_ranked_a_batch_at_a_time(
    django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(selectors, "QUEUE_LENGTH", 4)
    cat = CategoryFactory(position=0)
    user = UserFactory()
    looks = [look_in(cat, likes=10 * (6 - i)) for i in range(6)]  # best first
    assert [look.pk for look in selectors.feed_next_looks(user=user, limit=2)] == [
        looks[0].pk,
        looks[1].pk,
    ]
    assert cache.get(selectors._queue_key(user)) == [look.pk for look in looks[:4]]
    swipe_record(user=user, look_id=looks[0].pk, reaction=DISLIKE)
    # From the queue: one query checks the queued ids and loads the cards with their
    # products; no taste and no ranking query.
    with django_assert_num_queries(1):
        deck = selectors.feed_next_looks(user=user, limit=2)
    assert [look.pk for look in deck] == [looks[1].pk, looks[2].pk]
    for look in looks[1:3]:
        swipe_record(user=user, look_id=look.pk, reaction=LIKE)
    # One queued look left for two cards: ranked again, the next batch queued.
    assert [look.pk for look in selectors.feed_next_looks(user=user, limit=2)] == [
        looks[3].pk,
        looks[4].pk,
    ]
    assert cache.get(selectors._queue_key(user)) == [look.pk for look in looks[3:6]]


def test_after_a_swipe_the_card_underneath_and_the_queue_are_checked_in_one_query(
    django_assert_num_queries,
):
    cat = CategoryFactory(position=0)
    user = UserFactory()
    first, second, third = (look_in(cat, likes=30 - 10 * i) for i in range(3))
    selectors.feed_next_looks(user=user, limit=2)  # queues all three
    swipe_record(user=user, look_id=first.pk, reaction=LIKE)
    # The swipe's answer: one query checks the card underneath with the queued ids
    # and loads the cards with their products.
    with django_assert_num_queries(1):
        deck = selectors.feed_deck(user=user, top=second.pk)
        assert [look.pk for look in deck] == [second.pk, third.pk]
        # What the cards show is read already: naming the pieces asks nothing more.
        assert all(entry.product.name for look in deck for entry in look.pieces)


def test_queued_cards_come_with_their_pieces_in_the_looks_order(django_assert_num_queries):
    cat = CategoryFactory(position=0)
    user = UserFactory()
    dressed, empty, _third = (look_in(cat, likes=30 - 10 * i) for i in range(3))
    # The dressed look's pieces in an order of their own; the empty look's all removed.
    LookProduct.objects.filter(look__in=[dressed, empty]).delete()
    for position, name in ((2, "Last"), (0, "First"), (1, "Middle")):
        LookProductFactory(
            look=dressed, product=ProductFactory(category=cat, name=name), position=position
        )
    selectors.feed_next_looks(user=user, limit=2)  # queues all three
    with django_assert_num_queries(1):  # both from the queue, the empty look too
        deck = selectors.feed_deck(user=user, top=dressed.pk)
    assert [look.pk for look in deck] == [dressed.pk, empty.pk]  # two cards, in order
    assert [entry.product.name for entry in deck[0].pieces] == ["First", "Middle", "Last"]
    assert all(entry.look_id == dressed.pk for entry in deck[0].pieces)
    assert deck[1].pieces == []


def test_a_look_queued_twice_is_one_card_with_its_pieces_once():
    cat = CategoryFactory(position=0)
    user = UserFactory()
    first, second = look_in(cat, likes=20), look_in(cat, likes=10)
    looks = selectors._unswiped_looks(user=user, ids=[first.pk, first.pk, second.pk], limit=3)
    assert [look.pk for look in looks] == [first.pk, second.pk]
    assert [len(look.pieces) for look in looks] == [1, 1]


def test_a_queued_look_swiped_elsewhere_or_unpublished_is_never_shown():
    cat = CategoryFactory(position=0)
    user = UserFactory()
    first, second, third, fourth = (look_in(cat, likes=40 - 10 * i) for i in range(4))
    selectors.feed_next_looks(user=user, limit=2)  # queues all four
    swipe_record(user=user, look_id=first.pk, reaction=LIKE)  # in another tab
    Look.objects.filter(pk=second.pk).update(is_active=False)  # unpublished by staff
    assert [look.pk for look in selectors.feed_next_looks(user=user, limit=2)] == [
        third.pk,
        fourth.pk,
    ]
    # The card kept on top is never also the one underneath.
    deck = selectors.feed_deck(user=user, top=fourth.pk)
    assert [look.pk for look in deck] == [fourth.pk, third.pk]


def test_a_feed_queue_that_does_not_answer_means_ranking(unreachable_cache, caplog):
    cat = CategoryFactory(position=0)
    user = UserFactory()
    best, next_best = look_in(cat, likes=9), look_in(cat, likes=5)
    shown = selectors.feed_next_looks(user=user, limit=2)
    assert [look.pk for look in shown] == [best.pk, next_best.pk]
    assert "feed queue read failed" in caplog.text
    # The card underneath still stays on top after a swipe.
    deck = selectors.feed_deck(user=user, top=next_best.pk)
    assert [look.pk for look in deck] == [next_best.pk, best.pk]


def test_the_last_swipe_is_the_shoppers_latest_and_only_theirs():
    user, other = UserFactory(), UserFactory()
    first, second = LookFactory(), LookFactory()
    swipe_record(user=user, look_id=first.pk, reaction=LIKE)
    latest = swipe_record(user=user, look_id=second.pk, reaction=DISLIKE).swipe
    swipe_record(user=other, look_id=LookFactory().pk, reaction=LIKE)

    assert selectors.last_swipe(user=user).pk == latest.pk
    assert selectors.last_swipe(user=UserFactory()) is None
    assert selectors.last_swipe(user=AnonymousUser()) is None


def test_a_card_lists_its_pieces_in_the_looks_order_with_their_products():
    look = LookFactory()
    for position, name in ((2, "Loafers"), (0, "Coat"), (1, "Knit")):
        LookProductFactory(look=look, position=position, product=ProductFactory(name=name))
    other = LookFactory()
    LookProductFactory(look=other, product=ProductFactory(name="Cap"))

    cards = {card.pk: card for card in selectors.feed_next_looks(user=UserFactory(), limit=2)}

    assert [entry.product.name for entry in cards[look.pk].pieces] == ["Coat", "Knit", "Loafers"]
    assert [entry.product.name for entry in cards[other.pk].pieces] == ["Cap"]


def test_the_ranking_reads_the_heads_of_three_walks_over_published_looks(monkeypatch):
    """The candidate pool: the most liked, the newest and the oldest published look
    (POOL_EXAMINE of each), whatever lies between; without the pool, every look."""
    monkeypatch.setattr(selectors, "POOL_EXAMINE", 1)
    cat = CategoryFactory(position=0)
    oldest = look_in(cat, days_old=20)
    middle = [look_in(cat, likes=5, days_old=10) for _ in range(2)]
    popular = look_in(cat, likes=90, days_old=15)
    newest = look_in(cat, days_old=0)
    hidden = look_in(cat, likes=900, days_old=1)  # would head the popular walk if published
    Look.objects.filter(pk=hidden.pk).update(is_active=False)
    user, taste = UserFactory(), selectors.Taste()

    pooled = selectors.ranked_looks(user=user, taste=taste, limit=10)
    assert [look.pk for look in pooled] == [popular.pk, newest.pk, oldest.pk]  # by score
    everything = selectors.ranked_looks(user=user, taste=taste, limit=10, pool=False)
    assert {look.pk for look in everything} == {
        oldest.pk,
        popular.pk,
        newest.pk,
        *(m.pk for m in middle),
    }
    without = selectors.ranked_looks(user=user, taste=taste, limit=10, exclude=(popular.pk,))
    assert [look.pk for look in without] == [newest.pk, oldest.pk]
    assert all(isinstance(look, Look) and look.title for look in pooled)


def test_a_shoppers_taste_is_their_own_latest_likes(monkeypatch):
    monkeypatch.setattr(selectors, "TASTE_SAMPLE", 3)
    street, classic, sport, retro = (CategoryFactory(position=i) for i in range(4))
    favourite, other = StoreFactory(), StoreFactory()
    user = UserFactory()
    swipe_record(user=user, look_id=look_in(retro, store=other).pk, reaction=LIKE)  # too old
    swipe_record(user=user, look_id=look_in(street, store=favourite).pk, reaction=LIKE)
    swipe_record(user=user, look_id=look_in(sport).pk, reaction=DISLIKE)
    swipe_record(user=user, look_id=look_in(street, store=favourite).pk, reaction=LIKE)
    swipe_record(user=user, look_id=look_in(classic, store=other).pk, reaction=LIKE)
    swipe_record(user=UserFactory(), look_id=look_in(sport).pk, reaction=LIKE)  # someone else

    taste = selectors.shopper_taste(user=user)
    assert taste.categories == {
        category_bit(street.position): 2 / 3,
        category_bit(classic.position): 1 / 3,
    }
    assert taste.stores == {favourite.pk: 2 / 3, other.pk: 1 / 3}
    assert selectors.shopper_taste(user=AnonymousUser()) == selectors.Taste()


def test_looks_of_the_same_score_rank_the_newer_first():
    made_ms = int(time.time() * 1000) - 86_400_000
    looks = [LookFactory(id=tsid.compose(made_ms, 9, n), likes_count=3) for n in range(3)]
    ranked = selectors.ranked_looks(user=UserFactory(), taste=selectors.Taste(), limit=3)
    assert [look.pk for look in ranked] == [look.pk for look in reversed(looks)]
