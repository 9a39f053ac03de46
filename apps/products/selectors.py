from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, router, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Store
from apps.core import tsid
from apps.core.faults import MISSING, cache_call
from apps.core.pagination import Page, decode_cursor, keyset_page, page_of
from apps.core.rows import Columns, fetch, placeholders

from . import rules
from .models import Category, Product, ProductImage, ProductLike, Variant

PAGE_SIZE = 24


class Sort:
    POPULAR = "popular"
    NEWEST = "newest"
    CHOICES = ((POPULAR, "Popular"), (NEWEST, "New in"))
    KEYS = {POPULAR: ("likes_count", "id"), NEWEST: ("id",)}


@dataclass(frozen=True)
class ProductQuery:
    sort: str = Sort.POPULAR
    category: Category | None = None
    text: str = ""


CATEGORIES_KEY = "categories:v1"
CATEGORIES_SECONDS = 5 * 60
# What the cache keeps of a category: plain values, not pickled instances, so a
# process of another release reads them as well as this one.
_CATEGORY_FIELDS = ("id", "name", "slug", "position")


def category_list() -> list[Category]:
    """Every category, in the shop's order: from the cache, read from the database on
    a miss. Every list page shows them and looks a slug up in them, and staff change
    them rarely; a save or delete drops the entry (``category_list_invalidate``). A
    cache that does not answer means the database; the entry also expires after
    CATEGORIES_SECONDS, the longest a change made while Redis was not answering can
    take to show."""
    rows = cache_call("category list cache read", cache.get, CATEGORIES_KEY)
    if not isinstance(rows, list):
        answered = rows is not MISSING  # a cache that did not answer is not asked again now
        rows = [tuple(row) for row in Category.objects.values_list(*_CATEGORY_FIELDS)]
        if answered:
            cache_call(
                "category list cache write", cache.set, CATEGORIES_KEY, rows, CATEGORIES_SECONDS
            )
    # The other fields (the timestamps) are deferred: read from the database if used.
    return [Category.from_db(Category.objects.db, _CATEGORY_FIELDS, row) for row in rows]


def category_list_invalidate() -> None:
    """Drop the cached categories now and again after the commit: a page read between
    the two may have cached the list as it was before the change."""
    cache_call("category list cache delete", cache.delete, CATEGORIES_KEY)
    transaction.on_commit(
        lambda: cache_call("category list cache delete", cache.delete, CATEGORIES_KEY)
    )


def tsid_floor_days_ago(days: int) -> int:
    """The smallest TSID that could have been made ``days`` ago: ids are time-sorted,
    so "created in the last N days" is an id range on the same index."""
    since_ms = int(time.time() * 1000) - days * 86_400_000
    return max(since_ms - tsid.EPOCH_MS, 0) << tsid.RANDOM_BITS


# Below this many matches a search is answered from the GIN index alone.
SEARCH_RARE_MATCHES = 5000


def _search(queryset: QuerySet, text: str) -> QuerySet:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("name", "description", config="simple")
        query = SearchQuery(text, config="simple", search_type="websearch")
        # PostgreSQL cannot tell a rare word from a missing one, and for both it would
        # walk the popularity index testing every row (seconds at 1.8 M products). So
        # probe first: a word with few matches is answered from the GIN index and only
        # those rows are sorted; a common word keeps the ordered index walk, which
        # finds a page of matches within a few thousand rows.
        matching = (
            Product.objects.filter(is_active=True)
            .annotate(search=vector)
            .filter(search=query)
            .values_list("id", flat=True)
        )
        ids = list(matching[: SEARCH_RARE_MATCHES + 1])
        if len(ids) <= SEARCH_RARE_MATCHES:
            return queryset.filter(id__in=ids)
        return queryset.annotate(search=vector).filter(search=query)
    condition = Q()
    for word in text.split():
        condition &= Q(name__icontains=word) | Q(description__icontains=word)
    return queryset.filter(condition)


def product_cards() -> QuerySet:
    """Active products with what a card shows: store and whether any size is in stock."""
    in_stock = Variant.objects.filter(product=OuterRef("pk"), stock__gt=0)
    return (
        Product.objects.filter(is_active=True)
        .select_related("store")
        .annotate(in_stock=Exists(in_stock))
        .defer("description", "created_at", "updated_at")
    )


def product_list_queryset(query: ProductQuery) -> QuerySet:
    """Every product a list shows, unordered (the pagination orders and slices)."""
    queryset = product_cards()
    if query.category is not None:
        queryset = queryset.filter(category=query.category)
    if query.sort == Sort.NEWEST:
        queryset = queryset.filter(id__gte=tsid_floor_days_ago(rules.NEW_IN_DAYS))
    if query.text:
        queryset = _search(queryset, query.text)
    return queryset


def list_kind(query: ProductQuery) -> str:
    """Cursors are signed for one sort, so a cursor from another list is refused."""
    return f"products:{query.sort}"


def product_list(*, query: ProductQuery, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page of a list. The sorted lists and their categories, the pages shoppers
    scroll most, are one statement written out (``product_list_statement``): the ORM
    took longer to build it than PostgreSQL to answer it (docs/performance.md). A
    search keeps the ORM's query, which it builds from the probe's answer."""
    keys = Sort.KEYS[query.sort]
    kind = list_kind(query)
    if query.text:
        return keyset_page(
            product_list_queryset(query), keys=keys, cursor=cursor, size=size, kind=kind
        )
    after = decode_cursor(cursor, kind=kind, length=len(keys)) if cursor else None
    using = router.db_for_read(Product)
    sql, params = product_list_statement(query, after=after, size=size, using=using)
    products = []
    for row in fetch(using, sql, params):
        product = _CARD.build(row, using)
        product.in_stock = bool(row[len(_CARD)])
        product.store = _CARD_STORE.build(row, using, start=len(_CARD) + 1)
        products.append(product)
    return page_of(products, keys=keys, size=size, kind=kind)


# What a product card shows, and what its link, digest and the cursor need; the
# description and the timestamps are deferred, as in ``product_cards``.
_CARD = Columns(
    Product,
    "p",
    only=("id", "store", "category", "name", "base_price", "thumbnail", "likes_count",
          "is_active", "max_per_shopper"),
)  # fmt: skip
_CARD_STORE = Columns(Store, "s", only=("id", "name"))
_IN_STOCK_VARIANT = Columns(Variant, "v")


def product_list_statement(
    query: ProductQuery, *, after: list[int] | None, size: int, using: str
) -> tuple[str, list]:
    """The statement behind a list page without a search: ``product_list_queryset``
    ordered by the sort's keys descending, after the cursor's ``after`` values, with
    one row more than ``size`` to see whether another page follows. Each card's
    ``in_stock`` follows its columns, then its store's. The same index range scans as
    the ORM's query (``explain_catalogue`` checks them)."""
    if query.text:
        raise ValueError("a search is built by product_list_queryset")
    p = _CARD.column
    where = [p("is_active", using)]
    params: list = []
    if query.category is not None:
        where.append(f"{p('category', using)} = %s")
        params.append(int(query.category.pk))
    if query.sort == Sort.NEWEST:
        where.append(f"{p('id', using)} >= %s")
        params.append(tsid_floor_days_ago(rules.NEW_IN_DAYS))
    keys = [p(key, using) for key in Sort.KEYS[query.sort]]
    if after is not None:
        # One row comparison, matched against the composite index in the same order.
        where.append(f"({', '.join(keys)}) < ({placeholders(after)})")
        params += [int(value) for value in after]
    v = _IN_STOCK_VARIANT.column
    # Only quoted names from the models and placeholders are joined; values are parameters.
    sql = (
        f"SELECT {_CARD.sql(using)},"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {_IN_STOCK_VARIANT.table(using)}"
        f" WHERE {v('product', using)} = {p('id', using)} AND {v('stock', using)} > 0),"
        f" {_CARD_STORE.sql(using)}"
        f" FROM {_CARD.table(using)} JOIN {_CARD_STORE.table(using)}"
        f" ON {_CARD_STORE.column('id', using)} = {p('store', using)}"
        f" WHERE {' AND '.join(where)}"
        f" ORDER BY {', '.join(f'{key} DESC' for key in keys)} LIMIT %s"
    )
    return sql, [*params, size + 1]


@dataclass(frozen=True)
class ProductDetail:
    product: Product  # with its store and category
    variants: list[Variant]  # in the admin's order, each with its product
    images: list[ProductImage]
    liked: bool = False  # by the shopper who asked, if one did


_PRODUCT = Columns(Product, "p")
_STORE = Columns(Store, "s")
_CATEGORY = Columns(Category, "c")
_VARIANT = Columns(Variant, "v")
_IMAGE = Columns(ProductImage, "i")
_LIKE = Columns(ProductLike, "pl")


def product_detail(*, product_id: int, user=None) -> ProductDetail:
    """An active product with its store, category, sizes and gallery, and whether
    ``user`` likes it; DoesNotExist otherwise. Two statements written out, the
    product with its sizes (one row per size) and its photos: the ORM took longer to
    build them than the database to answer (docs/performance.md)."""
    using = router.db_for_read(Product)
    pk = int(product_id)
    shopper = int(user.pk) if user is not None and user.is_authenticated else None
    product_columns = (_PRODUCT, _STORE, _CATEGORY)
    variant_at = sum(map(len, product_columns))
    # Only quoted names from the models are joined; the ids are parameters.
    rows = fetch(
        using,
        f"SELECT {', '.join(columns.sql(using) for columns in product_columns)},"  # noqa: S608
        f" {_VARIANT.sql(using)},"
        f" EXISTS (SELECT 1 FROM {_LIKE.table(using)}"
        f" WHERE {_LIKE.column('user', using)} = %s"
        f" AND {_LIKE.column('product', using)} = {_PRODUCT.column('id', using)})"
        f" FROM {_PRODUCT.table(using)}"
        f" JOIN {_STORE.table(using)}"
        f" ON {_STORE.column('id', using)} = {_PRODUCT.column('store', using)}"
        f" JOIN {_CATEGORY.table(using)}"
        f" ON {_CATEGORY.column('id', using)} = {_PRODUCT.column('category', using)}"
        f" LEFT JOIN {_VARIANT.table(using)}"
        f" ON {_VARIANT.column('product', using)} = {_PRODUCT.column('id', using)}"
        f" WHERE {_PRODUCT.column('id', using)} = %s AND {_PRODUCT.column('is_active', using)}"
        f" ORDER BY {_VARIANT.column('position', using)}, {_VARIANT.column('id', using)}",
        [shopper, pk],
    )
    if not rows:
        raise Product.DoesNotExist("No active product with that id.")
    product = _PRODUCT.build(rows[0], using)
    product.store = _STORE.build(rows[0], using, start=len(_PRODUCT))
    product.category = _CATEGORY.build(rows[0], using, start=len(_PRODUCT) + len(_STORE))
    variants = [
        _VARIANT.build(row, using, start=variant_at)
        for row in rows
        if row[variant_at] is not None  # a product with no sizes has one row of NULLs
    ]
    images = [_IMAGE.build(row, using) for row in fetch(using, _of_product(_IMAGE, using), [pk])]
    for child in (*variants, *images):
        child.product = product
    return ProductDetail(product=product, variants=variants, images=images, liked=bool(rows[0][-1]))


def variants_with_products(variant_ids) -> dict[int, Variant]:
    """These sizes by id, each with its product and the product's store (a size that
    no longer exists is missing). One statement written out: the cart, the checkout
    page and the order read it every time, and the ORM took longer to build it than
    PostgreSQL to answer it."""
    ids = sorted({int(variant_id) for variant_id in variant_ids})
    if not ids:
        return {}
    using = router.db_for_read(Variant)
    # Only quoted names from the models and placeholders are joined; ids are parameters.
    rows = fetch(
        using,
        f"SELECT {_VARIANT.sql(using)}, {_PRODUCT.sql(using)}, {_STORE.sql(using)}"  # noqa: S608
        f" FROM {_VARIANT.table(using)}"
        f" JOIN {_PRODUCT.table(using)}"
        f" ON {_PRODUCT.column('id', using)} = {_VARIANT.column('product', using)}"
        f" JOIN {_STORE.table(using)}"
        f" ON {_STORE.column('id', using)} = {_PRODUCT.column('store', using)}"
        f" WHERE {_VARIANT.column('id', using)} IN ({placeholders(ids)})",
        ids,
    )
    variants = {}
    for row in rows:
        variant = _VARIANT.build(row, using)
        variant.product = _PRODUCT.build(row, using, start=len(_VARIANT))
        variant.product.store = _STORE.build(row, using, start=len(_VARIANT) + len(_PRODUCT))
        variants[int(variant.pk)] = variant
    return variants


def _of_product(columns: Columns, using: str) -> str:
    """A product's sizes or photos, in their position order."""
    return (
        f"SELECT {columns.sql(using)} FROM {columns.table(using)}"  # noqa: S608 (names only)
        f" WHERE {columns.column('product', using)} = %s"
        f" ORDER BY {columns.column('position', using)}, {columns.column('id', using)}"
    )


@dataclass(frozen=True)
class SizeState:
    stock: int
    price: int  # what the size costs: its own price, or the product's
    base_price: int
    on_sale: bool  # the product is still active


def size_states(variant_ids) -> dict[int, SizeState]:
    """The stock and prices of these sizes, read fresh, by variant id (a deleted size is
    missing). One statement written out: a look page runs it on every view, and the
    ORM took 1.1 ms to build and read it where PostgreSQL answered in 0.4 ms."""
    ids = [int(variant_id) for variant_id in variant_ids]
    if not ids:
        return {}
    using = router.db_for_read(Variant)
    # Only quoted names from the models and placeholders are joined; ids are parameters.
    sql = (
        f"SELECT {_VARIANT.column('id', using)}, {_VARIANT.column('stock', using)},"  # noqa: S608
        f" {_VARIANT.column('price_override', using)}, {_PRODUCT.column('base_price', using)},"
        f" {_PRODUCT.column('is_active', using)}"
        f" FROM {_VARIANT.table(using)} JOIN {_PRODUCT.table(using)}"
        f" ON {_PRODUCT.column('id', using)} = {_VARIANT.column('product', using)}"
        f" WHERE {_VARIANT.column('id', using)} IN ({placeholders(ids)})"
    )
    return {
        int(variant_id): SizeState(
            stock=stock,
            price=rules.size_price(price_override, base_price),
            base_price=base_price,
            on_sale=bool(on_sale),
        )
        for variant_id, stock, price_override, base_price, on_sale in fetch(using, sql, ids)
    }


def by_colour(variants) -> list[tuple[str, list]]:
    """Sizes grouped by colour, colours in the order they first appear (a product in one
    colour, or none named, is one group). Works on Variant rows and on cached dicts."""
    groups: dict[str, list] = {}
    for variant in variants:
        colour = variant["colour"] if isinstance(variant, dict) else variant.colour
        groups.setdefault(colour or "", []).append(variant)
    return list(groups.items())


def _photos_statement(using: str, products: int, colours: int) -> str:
    """The photos of these products in these colours, each product's in its order."""
    # Only quoted names from the model and placeholders are joined; values are parameters.
    return (
        f"SELECT {_IMAGE.column('product', using)}, {_IMAGE.column('colour', using)},"  # noqa: S608
        f" {_IMAGE.column('image', using)} FROM {_IMAGE.table(using)}"
        f" WHERE {_IMAGE.column('product', using)} IN ({placeholders(range(products))})"
        f" AND {_IMAGE.column('colour', using)} IN ({placeholders(range(colours))})"
        f" ORDER BY {_IMAGE.column('position', using)}, {_IMAGE.column('id', using)}"
    )


def variant_photos(variants) -> dict[int, str]:
    """The picture of each size as bought: its colour's first photo when the product has
    one, else the product's thumbnail (storage names, for snapshots and cart lines).
    ``variants`` are Variant rows with their product loaded; one statement for the
    photos, written out: the ORM took 0.5 ms of CPU to build it on every checkout, cart
    page and order (docs/performance.md)."""
    variants = list(variants)
    photos: dict[tuple[int, str], str] = {}
    coloured = [variant for variant in variants if variant.colour]
    if coloured:
        products = sorted({int(variant.product_id) for variant in coloured})
        colours = sorted({variant.colour for variant in coloured})
        using = router.db_for_read(ProductImage)
        for product_id, colour, image in fetch(
            using, _photos_statement(using, len(products), len(colours)), [*products, *colours]
        ):
            photos.setdefault((int(product_id), colour), image)
    return {
        int(variant.pk): photos.get((int(variant.product_id), variant.colour))
        or variant.product.thumbnail.name
        or ""
        for variant in variants
    }
