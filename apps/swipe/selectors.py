from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connections, router

from apps.accounts.models import Store
from apps.core import tsid
from apps.core.faults import MISSING, cache_call
from apps.core.pages import digest, release
from apps.core.pagination import Page, keyset_page
from apps.core.rows import Columns, fetch, placeholders
from apps.products.models import Product, Variant
from apps.products.rules import stock_state
from apps.products.selectors import by_colour, size_states

from .models import Look, LookImage, LookProduct, Swipe

TASTE_SAMPLE = 50  # the most recent likes that shape a shopper's feed
CATEGORY_WEIGHT = 3.0
STORE_WEIGHT = 2.0
POPULARITY_WEIGHT = 0.5
FRESHNESS_DAYS = 30
LIKED_PAGE_SIZE = 24
DETAIL_CACHE_SECONDS = 60 * 60
POOL_EXAMINE = 200
# A shopper's next looks are ranked this many at a time and queued in the cache, so
# most swipes check a short list of ids instead of ranking the catalogue again. A like
# reshapes the ranking when the queue is next refilled (at most this many cards later),
# and a queue left alone is dropped after QUEUE_SECONDS.
QUEUE_LENGTH = 10
QUEUE_SECONDS = 10 * 60


@dataclass(frozen=True)
class Taste:
    """How much a shopper's recent likes lean to each category bit and store."""

    categories: dict[int, float] = field(default_factory=dict)
    stores: dict[int, float] = field(default_factory=dict)


def shopper_taste(*, user) -> Taste:
    """The categories and stores of the shopper's last TASTE_SAMPLE likes, read by one
    statement written out (through the ORM it cost 0.7 ms of CPU, mostly building it)."""
    if not user.is_authenticated:
        return Taste()
    using = router.db_for_read(Swipe)
    recent = fetch(
        using,
        f"SELECT {_LOOK.column('category_mask', using)}, {_LOOK.column('store', using)}"  # noqa: S608
        f" FROM {_SWIPE.table(using)} JOIN {_LOOK.table(using)}"
        f" ON {_LOOK.column('id', using)} = {_SWIPE.column('look', using)}"
        f" WHERE {_SWIPE.column('user', using)} = %s AND {_SWIPE.column('reaction', using)} = %s"
        f" ORDER BY {_SWIPE.column('id', using)} DESC LIMIT {int(TASTE_SAMPLE)}",
        [int(user.pk), Swipe.Reaction.LIKE.value],
    )
    if not recent:
        return Taste()
    bits: Counter[int] = Counter()
    stores: Counter[int] = Counter()
    for mask, store_id in recent:
        for bit in range(62):
            if mask and mask >> bit & 1:
                bits[1 << bit] += 1
        if store_id is not None:
            stores[store_id] += 1
    total = len(recent)
    return Taste(
        categories={bit: count / total for bit, count in bits.items()},
        stores={store: count / total for store, count in stores.most_common(10)},
    )


def _score(taste: Taste, *, table: str, vendor: str) -> tuple[str, list]:
    """Personal affinity + popularity + freshness, computed by the database: one SQL
    expression over the look's columns under ``table`` (an alias), and its parameters.

    Values are cast to float8 so PostgreSQL does not fall back to slow numeric
    arithmetic.
    """
    now = int(time.time() * 1000) - tsid.EPOCH_MS
    greatest = "GREATEST" if vendor == "postgresql" else "MAX"
    sql = [
        f"CAST(%s AS DOUBLE PRECISION) * LN(CAST({table}.likes_count AS DOUBLE PRECISION) + 1.0)",
        f"{greatest}(0.0, 1.0 - CAST(%s - ({table}.id >> {tsid.RANDOM_BITS}) AS DOUBLE PRECISION)"
        " / CAST(%s AS DOUBLE PRECISION))",
    ]
    params: list = [POPULARITY_WEIGHT, now, FRESHNESS_DAYS * 86_400_000.0]
    for bit, weight in taste.categories.items():
        sql.append(f"CAST(%s AS DOUBLE PRECISION) * SIGN({table}.category_mask & %s)")
        params += [CATEGORY_WEIGHT * weight, bit]
    if taste.stores:
        whens = " ".join("WHEN %s THEN CAST(%s AS DOUBLE PRECISION)" for _ in taste.stores)
        sql.append(f"CASE {table}.store_id {whens} ELSE 0.0 END")
        for store_id, weight in taste.stores.items():
            params += [int(store_id), STORE_WEIGHT * weight]
    # Only constant SQL and the alias are joined; every value is a parameter.
    return "(" + " + ".join(sql) + ")", params


_LOOK = Columns(Look, "l")
_ENTRY = Columns(LookProduct, "lp")
_PRODUCT = Columns(Product, "p")
_SWIPE = Columns(Swipe, "s")
_WALK = Columns(Look, "w")  # the candidate pool's index walks
# A look's page: the look's store, its pictures, and each piece's store and sizes.
_STORE = Columns(Store, "st")
_IMAGE = Columns(LookImage, "i")
# A piece comes once per size: only the columns its page data shows.
_PIECE_PRODUCT = Columns(Product, "p", only=("id", "store", "name", "base_price", "thumbnail"))
_PIECE_STORE = Columns(Store, "ps", only=("id", "name"))
_VARIANT = Columns(Variant, "v")


def _piece(row, using: str, start: int = 0) -> LookProduct:
    """A look's entry and its product, from a row of both read from ``start``."""
    entry = _ENTRY.build(row, using, start=start)
    entry.product = _PRODUCT.build(row, using, start=start + len(_ENTRY))
    return entry


def _with_products(looks: list[Look]) -> list[Look]:
    """Give each card what it shows, its products in the look's order, as ``pieces``:
    for all the cards in one statement (none for cards read with theirs)."""
    bare = [look for look in looks if not hasattr(look, "pieces")]
    if not bare:
        return looks
    using = router.db_for_read(LookProduct)
    ids = [int(look.pk) for look in bare]
    # Only quoted names from the models and placeholders are joined; values are parameters.
    sql = (
        f"SELECT {_ENTRY.sql(using)}, {_PRODUCT.sql(using)} FROM {_ENTRY.table(using)}"  # noqa: S608
        f" JOIN {_PRODUCT.table(using)}"
        f" ON {_PRODUCT.column('id', using)} = {_ENTRY.column('product', using)}"
        f" WHERE {_ENTRY.column('look', using)} IN ({placeholders(ids)})"
        f" ORDER BY {_ENTRY.column('position', using)}, {_ENTRY.column('id', using)}"
    )
    pieces: dict[int, list[LookProduct]] = {look_id: [] for look_id in ids}
    for row in fetch(using, sql, ids):
        entry = _piece(row, using)
        pieces[int(entry.look_id)].append(entry)
    for look in bare:
        look.pieces = pieces[int(look.pk)]
    return looks


def _unswiped_looks(*, user, ids: list[int], limit: int) -> list[Look]:
    """Of ``ids``, the first ``limit`` looks still published that ``user`` has not
    swiped, in the order given, each with its ``pieces``: the same anti-join as
    ``ranking_statement`` and the products of ``_with_products``, in one statement written out."""
    ids = list(dict.fromkeys(int(look) for look in ids))  # each card once, first place kept
    if not ids:
        return []
    using = router.db_for_read(Look)
    look_id = _LOOK.column("id", using)
    queue = ", ".join("(CAST(%s AS BIGINT), %s)" for _ in ids)
    # Only quoted names from the models and placeholders are joined; values are parameters.
    sql = (
        f"WITH queue (id, ord) AS (VALUES {queue}), picked AS ("  # noqa: S608
        f"SELECT queue.id, queue.ord FROM queue JOIN {_LOOK.table(using)} ON {look_id} = queue.id"
        f" WHERE {_LOOK.column('is_active', using)} AND {_not_swiped(look_id, using)}"
        " ORDER BY queue.ord LIMIT %s)"
        f" SELECT {_LOOK.sql(using)}, {_ENTRY.sql(using)}, {_PRODUCT.sql(using)}"
        f" FROM picked JOIN {_LOOK.table(using)} ON {look_id} = picked.id"
        f" LEFT JOIN {_ENTRY.table(using)} ON {_ENTRY.column('look', using)} = {look_id}"
        f" LEFT JOIN {_PRODUCT.table(using)}"
        f" ON {_PRODUCT.column('id', using)} = {_ENTRY.column('product', using)}"
        f" ORDER BY picked.ord, {_ENTRY.column('position', using)}, {_ENTRY.column('id', using)}"
    )
    params = [value for order, look in enumerate(ids) for value in (look, order)]
    looks: dict[int, Look] = {}
    entry_at = len(_LOOK)
    for row in fetch(using, sql, [*params, int(user.pk), limit]):
        look = looks.get(row[0])
        if look is None:
            look = looks[row[0]] = _LOOK.build(row, using)
            look.pieces = []
        if row[entry_at] is not None:  # a look with no products yet has one row of NULLs
            look.pieces.append(_piece(row, using, start=entry_at))
    return list(looks.values())


def _not_swiped(look_id: str, using: str) -> str:
    """The condition that the shopper (the one parameter) has not swiped the look whose
    id column is ``look_id``: a NOT EXISTS probed through the (user, look) unique index,
    never a list of swiped ids."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {_SWIPE.table(using)}"  # noqa: S608 (names only)
        f" WHERE {_SWIPE.column('user', using)} = %s AND {_SWIPE.column('look', using)} = {look_id})"
    )


def _candidate_pool(using: str) -> str:
    """The looks the feed ranks: the heads of three index walks (most liked, newest,
    oldest), POOL_EXAMINE rows each, whatever the shopper has swiped.

    Bounding the pool keeps a feed request the same cost at any catalogue size and
    any swipe history: the anti-join probes at most 3 x POOL_EXAMINE looks instead of
    hashing every swipe the shopper ever made against every look. Each walk is a
    subquery of its own, which PostgreSQL and SQLite both allow a LIMIT in. The limits
    are written into the text, as the ORM writes them, so a prepared statement's plan
    is made for them (so are the taste's and the ranking's).
    """
    look_id, likes = _WALK.column("id", using), _WALK.column("likes_count", using)
    walks = (f"{likes} DESC, {look_id} DESC", f"{look_id} DESC", look_id)
    # Old looks are what a long-time swiper has left; the head of the oldest walk
    # keeps their feed full without scanning everything they swiped.
    return " UNION ALL ".join(
        f"SELECT walk.id FROM (SELECT {look_id} AS id FROM {_WALK.table(using)}"  # noqa: S608
        f" WHERE {_WALK.column('is_active', using)} ORDER BY {order} LIMIT {int(POOL_EXAMINE)}) walk"
        for order in walks
    )


def ranking_statement(
    *, user, taste: Taste, limit: int, exclude=(), pool: bool = True, using: str
) -> tuple[str, list]:
    """Published looks ``user`` has not swiped, best first (ties to the newer look), from
    the candidate pool unless ``pool`` is False: the statement and its parameters (the
    ``limit`` written into the text).

    Written out: through the ORM (the pool's union, an ``Exists`` and the score) it
    cost 1.9 ms of CPU, mostly building and compiling the query; its SQL text alone
    runs through psycopg for 0.16 ms (PostgreSQL's own time, about 1.8 ms, is the same
    either way). "Not swiped" is ``_not_swiped``."""
    look_id = _LOOK.column("id", using)
    where, params = [_LOOK.column("is_active", using)], []
    if pool:
        where.append(f"{look_id} IN ({_candidate_pool(using)})")
    if user.is_authenticated:
        where.append(_not_swiped(look_id, using))
        params.append(int(user.pk))
    if exclude:
        where.append(f"{look_id} NOT IN ({placeholders(exclude)})")
        params += [int(look) for look in exclude]
    score, score_params = _score(taste, table=_LOOK.alias, vendor=connections[using].vendor)
    # Only quoted names from the models, the score's SQL, placeholders and integers are
    # joined.
    sql = (
        f"SELECT {_LOOK.sql(using)} FROM {_LOOK.table(using)} WHERE {' AND '.join(where)}"  # noqa: S608
        f" ORDER BY {score} DESC, {look_id} DESC LIMIT {int(limit)}"
    )
    return sql, [*params, *score_params]


def ranked_looks(*, user, taste: Taste, limit: int, exclude=(), pool: bool = True) -> list[Look]:
    """The first ``limit`` looks of ``ranking_statement``."""
    using = router.db_for_read(Look)
    sql, params = ranking_statement(
        user=user, taste=taste, limit=limit, exclude=exclude, pool=pool, using=using
    )
    return [_LOOK.build(row, using) for row in fetch(using, sql, params)]


def _ranked(*, user, limit: int, exclude: tuple[int, ...] = ()) -> list[Look]:
    taste = shopper_taste(user=user)
    looks = ranked_looks(user=user, taste=taste, limit=limit, exclude=exclude)
    if len(looks) < limit:
        # The pool is used up (a shopper who swiped nearly everything): rank the rest.
        looks += ranked_looks(
            user=user,
            taste=taste,
            limit=limit - len(looks),
            exclude=(*exclude, *(look.pk for look in looks)),
            pool=False,
        )
    return looks


def _queue_key(user) -> str:
    return f"feed-next:v1:{tsid.encode(int(user.pk))}"


def _queued(
    *, user, limit: int, exclude: tuple[int, ...] = (), first: int | None = None
) -> list[Look]:
    """The next looks from the shopper's queue of ranked ids: each request checks the
    queued ids against the database in one query (still published, not swiped since,
    by this tab or another), and the queue is ranked again, QUEUE_LENGTH at a time,
    only when fewer than ``limit`` are left. A cache that does not answer means
    ranking every time, as without a queue.

    ``first`` is a look to put first if the shopper may still see it (the card
    already underneath): it is checked in the same query as the queue."""
    key = _queue_key(user)
    queued = cache_call("feed queue read", cache.get, key)
    ids = [] if first is None else [first]
    if queued is not MISSING:
        ids += [look_id for look_id in queued or () if look_id not in exclude and look_id != first]
    looks = _unswiped_looks(user=user, ids=ids, limit=limit)
    if len(looks) >= limit:
        return looks
    kept = [look for look in looks if look.pk == first]
    exclude = (*exclude, *(look.pk for look in kept))
    if queued is MISSING:
        return [*kept, *_ranked(user=user, limit=limit - len(kept), exclude=exclude)]
    ranked = _ranked(user=user, limit=max(limit - len(kept), QUEUE_LENGTH), exclude=exclude)
    cache_call("feed queue write", cache.set, key, [int(look.pk) for look in ranked], QUEUE_SECONDS)
    return [*kept, *ranked][:limit]


def _next(*, user, limit: int, exclude: tuple[int, ...] = ()) -> list[Look]:
    if user.is_authenticated:
        return _queued(user=user, limit=limit, exclude=exclude)
    return _ranked(user=user, limit=limit, exclude=exclude)


def feed_next_looks(*, user, limit: int, exclude: tuple[int, ...] = ()) -> list[Look]:
    """The looks to show next, best first: unswiped, ranked for this shopper (from
    the shopper's queue of ranked looks, see ``_queued``)."""
    return _with_products(_next(user=user, limit=limit, exclude=exclude))


def feed_deck(*, user, top: int | None = None) -> list[Look]:
    """The card on top and the one underneath it.

    ``top`` is the card the shopper already sees underneath the one just swiped: it
    stays next even if the ranking moved, so the card never changes under a finger.
    """
    if top is not None and user.is_authenticated:
        return _with_products(_queued(user=user, limit=2, first=int(top)))
    return feed_next_looks(user=user, limit=2)


def last_swipe(*, user) -> Swipe | None:
    if not user.is_authenticated:
        return None
    using = router.db_for_read(Swipe)
    rows = fetch(
        using,
        f"SELECT {_SWIPE.sql(using)} FROM {_SWIPE.table(using)}"  # noqa: S608 (names only)
        f" WHERE {_SWIPE.column('user', using)} = %s ORDER BY {_SWIPE.column('id', using)} DESC"
        " LIMIT 1",
        [int(user.pk)],
    )
    return _SWIPE.build(rows[0], using) if rows else None


def liked_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    using = router.db_for_read(Swipe)
    rows = fetch(
        using,
        f"SELECT COUNT(*) FROM {_SWIPE.table(using)}"  # noqa: S608 (names only)
        f" WHERE {_SWIPE.column('user', using)} = %s AND {_SWIPE.column('reaction', using)} = %s",
        [int(user.pk), Swipe.Reaction.LIKE.value],
    )
    return int(rows[0][0])


def liked_looks(*, user, cursor: str | None, size: int = LIKED_PAGE_SIZE) -> Page:
    """The shopper's liked looks, most recently liked first (pages of swipes)."""
    swipes = Swipe.objects.filter(
        user=user, reaction=Swipe.Reaction.LIKE, look__is_active=True
    ).select_related("look")
    return keyset_page(swipes, keys=("id",), cursor=cursor, size=size, kind="looks:liked")


def _detail_key(look_id: int) -> str:
    return f"look-detail:v4:{tsid.encode(int(look_id))}"


def _load_look_detail(look_id: int) -> dict | None:
    """A look's page data as the cache keeps it, by three statements written out (the
    look with its store, its pictures, its pieces on sale with their stores and sizes):
    through the ORM's prefetches a look missing from the cache cost 3.3 ms of CPU
    (docs/performance.md)."""
    using = router.db_for_read(Look)
    rows = fetch(
        using,
        f"SELECT {_LOOK.sql(using)}, {_STORE.sql(using)} FROM {_LOOK.table(using)}"  # noqa: S608
        f" LEFT JOIN {_STORE.table(using)}"
        f" ON {_STORE.column('id', using)} = {_LOOK.column('store', using)}"
        f" WHERE {_LOOK.column('id', using)} = %s AND {_LOOK.column('is_active', using)}",
        [int(look_id)],
    )
    if not rows:
        return None
    look = _LOOK.build(rows[0], using)
    look.store = _STORE.build(rows[0], using, start=len(_LOOK)) if look.store_id else None
    images = [
        _IMAGE.build(row, using)
        for row in fetch(
            using,
            f"SELECT {_IMAGE.sql(using)} FROM {_IMAGE.table(using)}"  # noqa: S608
            f" WHERE {_IMAGE.column('look', using)} = %s"
            f" ORDER BY {_IMAGE.column('position', using)}, {_IMAGE.column('id', using)}",
            [int(look.pk)],
        )
    ]
    # A piece comes once per size (once with none).
    pieces_sql = (
        f"SELECT {_ENTRY.sql(using)}, {_PIECE_PRODUCT.sql(using)}, {_PIECE_STORE.sql(using)},"  # noqa: S608
        f" {_VARIANT.sql(using)} FROM {_ENTRY.table(using)}"
        f" JOIN {_PIECE_PRODUCT.table(using)}"
        f" ON {_PIECE_PRODUCT.column('id', using)} = {_ENTRY.column('product', using)}"
        f" JOIN {_PIECE_STORE.table(using)}"
        f" ON {_PIECE_STORE.column('id', using)} = {_PIECE_PRODUCT.column('store', using)}"
        f" LEFT JOIN {_VARIANT.table(using)}"
        f" ON {_VARIANT.column('product', using)} = {_PIECE_PRODUCT.column('id', using)}"
        f" WHERE {_ENTRY.column('look', using)} = %s"
        f" AND {_PIECE_PRODUCT.column('is_active', using)}"
        f" ORDER BY {_ENTRY.column('position', using)}, {_ENTRY.column('id', using)},"
        f" {_VARIANT.column('position', using)}, {_VARIANT.column('id', using)}"
    )
    entries: dict[int, LookProduct] = {}  # in the look's order
    sizes: dict[int, list[Variant]] = {}
    start_store = len(_ENTRY) + len(_PIECE_PRODUCT)
    start_variant = start_store + len(_PIECE_STORE)
    for row in fetch(using, pieces_sql, [int(look.pk)]):
        entry = entries.get(int(row[0]))  # the entry's id
        if entry is None:
            entry = _ENTRY.build(row, using)
            entry.product = _PIECE_PRODUCT.build(row, using, start=len(_ENTRY))
            entry.product.store = _PIECE_STORE.build(row, using, start=start_store)
            entries[int(entry.pk)] = entry
            sizes[int(entry.pk)] = []
        if row[start_variant] is not None:  # the size's id: none for a piece without sizes
            variant = _VARIANT.build(row, using, start=start_variant)
            variant.product = entry.product
            sizes[int(entry.pk)].append(variant)
    return {
        "id": int(look.pk),
        "title": look.title,
        "description": look.description,
        "cover": look.cover.url if look.cover else "",
        "store": look.store.name if look.store else "",
        "likes_count": look.likes_count,
        "images": [{"url": image.image.url, "alt": image.alt} for image in images],
        "products": [
            {
                "id": int(entry.product.pk),
                "name": entry.product.name,
                "store": entry.product.store.name,
                "thumbnail": entry.product.thumbnail.url if entry.product.thumbnail else "",
                "price": entry.product.base_price,
                "variants": [
                    {
                        "id": int(v.pk),
                        "pk": tsid.encode(int(v.pk)),
                        "size": v.size,
                        "colour": v.colour,
                        "label": v.label,
                        "price": v.price,
                    }
                    for v in sizes[int(entry.pk)]
                ],
            }
            for entry in entries.values()
        ],
    }


def look_detail(*, look_id: int) -> dict | None:
    """A look's page data, cache-aside.

    The look's words, pictures and pieces are cached (they change only in the admin,
    which drops the entry after its commit). What a shopper pays and can buy is read
    fresh on every view, in one query with the stock: prices, whether a piece is still
    on sale and the stock of each size. So a dropped invalidation (Redis down at that
    moment) can leave a stale title for a while, never a stale price. A cache that does
    not answer is logged and skipped.
    """
    key = _detail_key(look_id)
    data = cache_call("look detail cache read", cache.get, key)
    if data is MISSING:
        data = key = None
    if data is None:
        data = _load_look_detail(look_id)
        if data is not None:
            # A digest of all the cache keeps, made once with it: the page's version
            # below then digests only what is read fresh, not every piece and size again.
            data["content"] = digest(data)
            if key is not None:
                cache_call("look detail cache write", cache.set, key, data, DETAIL_CACHE_SECONDS)
    if data is None:
        return None
    fresh = size_states(v["id"] for product in data["products"] for v in product["variants"])
    products = []
    shown = []  # what the fresh read decided: the pieces kept, their prices and stock
    for product in data["products"]:
        sizes = [fresh[v["id"]] for v in product["variants"] if v["id"] in fresh]
        if sizes and not sizes[0].on_sale:
            continue  # taken off sale since the page was cached
        if sizes:
            product["price"] = sizes[0].base_price
        variants = []
        for variant in product["variants"]:
            state = fresh.get(variant["id"])
            if state is None:
                continue  # a size deleted since
            variant["stock"], variant["price"] = state.stock, state.price
            variant["stock_state"] = stock_state(state.stock)
            variants.append(variant)
        product["variants"] = variants
        product["field_name"] = f"variant-{len(products)}"  # one size choice per piece
        product["colour_groups"] = by_colour(variants)
        product["sold_out"] = all(v["stock"] <= 0 for v in variants)
        products.append(product)
        shown.append(
            (product["id"], product["price"], [(v["id"], v["stock"], v["price"]) for v in variants])
        )
    data["products"] = products
    # What the page shows, as one digest: the cached content and what was read fresh
    # (everything else on it is worked out from those two by the code of this release).
    # The "shop the look" list is cached under it ({% cache %} in swipe/detail.html), and
    # a visitor's whole page (apps/core/pages.py), so any change (a price, a size selling
    # out, a piece renamed) is a new entry and a stale one is never served. The release
    # is in it too: a deploy that changes the templates renders them again.
    data["version"] = digest([release(), data["content"], shown])
    return data


def look_detail_invalidate(*look_ids: int) -> None:
    # A failure is harmless for what a shopper pays: prices and stock are read fresh.
    cache_call(
        "look detail cache invalidation",
        cache.delete_many,
        [_detail_key(look_id) for look_id in look_ids],
    )
