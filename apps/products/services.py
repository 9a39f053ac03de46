"""Catalogue writes: likes and stock. Every stock change locks through
``lock_objects.lock_variants`` (one query, primary-key order)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F

from apps.core.db import retry_on_conflict
from apps.core.errors import ShopError
from apps.core.fields import TSID
from apps.core.money import format_won
from apps.core.rows import fetch, insert_parts, placeholders

from .lock_objects import lock_variants, take_stock
from .models import Product, ProductLike, Variant


class ProductUnavailable(ShopError):
    message = "This product is no longer on sale."


class VariantUnavailable(ShopError):
    """A shopper asked for a size that is gone or no longer on sale."""

    message = "One of these items is no longer on sale. Remove it and try again."


class OutOfStock(ShopError):
    """A shopper asked for more units of a size than are left."""

    def __init__(self, *, variant: Variant, requested: int, available: int) -> None:
        self.variant, self.requested, self.available = variant, requested, available
        label = f"{variant.product.name} ({variant.label})"
        if available <= 0:
            super().__init__(f"{label} is sold out.")
        else:
            super().__init__(f"Only {available} left of {label}; you asked for {requested}.")


class PriceChanged(ShopError):
    """A size's price changed between the checkout page's read and the stock lock."""

    def __init__(self, *, variant: Variant, price: int) -> None:
        super().__init__(
            f"The price of {variant.product.name} ({variant.label}) is now {format_won(price)}. "
            "Check the new total and place the order again."
        )


class StockCorrectionRefused(ShopError):
    """Staff asked for a stock change that cannot be made (worded for staff)."""


@dataclass(frozen=True)
class LikeState:
    liked: bool
    likes_count: int


def product_like_set(*, user, product_id: int, liked: bool) -> LikeState:
    """Make ``user`` like (or stop liking) a product. Idempotent: asking for the
    state that already holds changes nothing.

    The like row and ``likes_count`` change in one transaction, and the count moves
    only when a row was really inserted or deleted, so it stays equal to the number
    of like rows however many shoppers press the button at once.
    """
    using = router.db_for_write(ProductLike)
    if connections[using].vendor == "postgresql":
        return _like_set_in_one_statement(using, user=user, product_id=product_id, liked=liked)
    with transaction.atomic():
        if not Product.objects.filter(pk=product_id, is_active=True).exists():
            raise ProductUnavailable()
        if liked:
            try:
                with transaction.atomic():
                    ProductLike.objects.create(user=user, product_id=product_id)
            except IntegrityError:
                changed = 0  # already liked (perhaps by a double tap racing this one)
            else:
                changed = 1
        else:
            changed = -ProductLike.objects.filter(user=user, product_id=product_id).delete()[0]
        if changed:
            Product.objects.filter(pk=product_id).update(likes_count=F("likes_count") + changed)
        likes_count = Product.objects.values_list("likes_count", flat=True).get(pk=product_id)
    return LikeState(liked=liked, likes_count=likes_count)


def _like_set_in_one_statement(using: str, *, user, product_id: int, liked: bool) -> LikeState:
    """``product_like_set`` on PostgreSQL: the like row inserted (``ON CONFLICT DO
    NOTHING``) or deleted only if the product is on sale, and the count moved only if a
    row was, in one statement that answers with the new count. Through the ORM a like
    took an EXISTS, a savepoint around the INSERT, an UPDATE and a SELECT, eight round
    trips with BEGIN and COMMIT, and an unlike six (docs/performance.md).

    A tap that changed nothing (the state already held, the product off sale, or a
    second tap that waited for the first one's row) reads the product again in a
    statement of its own: its first statement's snapshot was taken before the tap it
    waited for had committed, so the count it saw could be one behind."""
    connection = connections[using]
    quote = connection.ops.quote_name
    likes_table, products = (quote(model._meta.db_table) for model in (ProductLike, Product))
    user_column, product_column = (
        quote(ProductLike._meta.get_field(name).column) for name in ("user", "product")
    )
    id_column, count, is_active = (
        quote(Product._meta.get_field(name).column) for name in ("id", "likes_count", "is_active")
    )
    # Only quoted names from the models and placeholders are joined; values are parameters.
    on_sale = f"SELECT 1 FROM {products} WHERE {id_column} = %s AND {is_active}"  # noqa: S608
    if liked:
        columns, values = insert_parts(ProductLike(user=user, product_id=product_id), connection)
        change = (
            f"INSERT INTO {likes_table} ({columns}) SELECT {placeholders(values)}"
            f" WHERE EXISTS ({on_sale}) ON CONFLICT ({user_column}, {product_column})"
            f" DO NOTHING RETURNING 1"
        )
        params = [*values, int(product_id)]
    else:
        change = (
            f"DELETE FROM {likes_table} WHERE {user_column} = %s"  # noqa: S608
            f" AND {product_column} = %s AND EXISTS ({on_sale}) RETURNING 1"
        )
        params = [int(user.pk), int(product_id), int(product_id)]
    sql = (
        f"WITH changed AS ({change}), counted AS ("  # noqa: S608
        f"UPDATE {products} SET {count} = {count} {'+' if liked else '-'} 1"
        f" WHERE {id_column} = %s AND EXISTS (SELECT 1 FROM changed) RETURNING {count})"
        f" SELECT {count} FROM counted"
    )
    counted = fetch(using, sql, [*params, int(product_id)])
    if counted:
        return LikeState(liked=liked, likes_count=counted[0][0])
    found = fetch(
        using,
        f"SELECT {count}, {is_active} FROM {products} WHERE {id_column} = %s",  # noqa: S608
        [int(product_id)],
    )
    if not found or not found[0][1]:
        raise ProductUnavailable()
    return LikeState(liked=liked, likes_count=found[0][0])


# --- Stock ---------------------------------------------------------------------------------


def stock_take(*, quantities: Mapping[int, int], variants: Mapping[int, Variant]) -> None:
    """Take ``quantities`` (variant id -> units) out of stock, all or nothing.

    Runs inside the caller's transaction (a checkout), as its last statement: locks
    every size, checks each against its locked value and decrements them, in one
    statement (``lock_objects.take_stock``). ``variants`` are the sizes as the caller
    read them (with their product) and priced its order at. A size that is gone or off
    sale raises ``VariantUnavailable``; a shortfall raises ``OutOfStock`` for the first
    short size in the caller's order; a price changed since raises ``PriceChanged``.
    Then nothing has changed, and the caller's transaction must roll back.
    """
    taken, sizes = take_stock(quantities)
    for variant_id, quantity in quantities.items():
        size = sizes.get(int(variant_id))
        if size is None or not size.is_active:
            raise VariantUnavailable()
        if size.stock < quantity:
            variant = variants[int(variant_id)]
            raise OutOfStock(variant=variant, requested=quantity, available=size.stock)
    assert taken, "take_stock refused lines that all passed its checks"
    for variant_id in quantities:
        variant = variants[int(variant_id)]
        if sizes[int(variant_id)].price != variant.price:
            raise PriceChanged(variant=variant, price=sizes[int(variant_id)].price)


def stock_return(*, quantities: Mapping[int, int]) -> None:
    """Put units back (a cancelled order), inside the caller's transaction and after
    any lock on the row that owns the change. A size deleted since has nowhere to go
    back to and is skipped."""
    variants = lock_variants(quantities)
    for variant_id, quantity in quantities.items():
        if int(variant_id) in variants:
            Variant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)


@retry_on_conflict
def variants_adjust_stock(*, deltas: Mapping[int, int]) -> dict[int, Variant]:
    """Restock (or correct) sizes by ``deltas`` (variant id -> units), all or nothing,
    under the same lock checkouts take (one query, primary-key order), so a staff edit
    never overwrites units sold meanwhile and never deadlocks with a checkout."""
    with transaction.atomic():
        variants = lock_variants(deltas)
        for variant_id, delta in deltas.items():
            variant = variants.get(int(variant_id))
            if variant is None:
                raise StockCorrectionRefused(
                    "This size no longer exists, so its stock was not changed."
                )
            if variant.stock + delta < 0:
                raise StockCorrectionRefused(
                    f"{variant} has {variant.stock} in stock now (checkouts took some since the "
                    f"page was opened), so it cannot go down by {-delta}. Reload and correct it again."
                )
        for variant_id, delta in deltas.items():
            if delta:
                Variant.objects.filter(pk=variant_id).update(stock=F("stock") + delta)
                variants[int(variant_id)].stock += delta
    return variants


def variant_adjust_stock(*, variant_id: int, delta: int) -> Variant:
    """Restock (or correct) one size by ``delta`` units: see ``variants_adjust_stock``."""
    return variants_adjust_stock(deltas={int(variant_id): delta})[int(variant_id)]


# --- Sizes ---------------------------------------------------------------------------------

SKU_MAX_LENGTH = Variant._meta.get_field("sku").max_length


def _sku_part(text: str) -> str:
    return re.sub(r"[\W_]+", "-", text.upper()).strip("-")


def variant_new_sku(
    *, product_id: int, size: str, colour: str = "", variant_id: int | None = None
) -> str:
    """A SKU for a size that staff left without one: ``<product TSID>-<size>[-<colour>]``
    in capitals (``0SAND679FZF9D-M-NAVY``), cut to fit the column, with ``-2``, ``-3``...
    while another size already holds it. ``variant_id`` is the size being named, which
    may keep its own."""
    base = "-".join(
        part for part in (str(TSID(product_id)), _sku_part(size), _sku_part(colour)) if part
    )[:SKU_MAX_LENGTH].rstrip("-")
    others = Variant.objects.exclude(pk=variant_id) if variant_id else Variant.objects.all()
    sku, number = base, 1
    while others.filter(sku=sku).exists():
        number += 1
        suffix = f"-{number}"
        sku = base[: SKU_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return sku
