"""The only code that locks stock rows (a product's sizes: the variant row is the
stock row).

Lock order, everywhere: a row that owns the change comes first (an order being
cancelled, in ``orders``), then the variant rows, all in one query ordered by primary
key. Two transactions that both need sizes A and B therefore always ask for A before
B: they can wait for each other but never deadlock. ``no_key=True`` (FOR NO KEY
UPDATE) because stock changes never touch a key; it does not conflict with the
key-share locks foreign-key checks take. ``of=("self",)`` keeps the joined product
row unlocked.

A checkout takes its sizes with ``take_stock``: on PostgreSQL one statement locks
them (the same order), checks every line against the locked values and decrements
them all, or none. It is the last statement before the commit, so the rows stay
locked for one round trip and the commit, with no Python in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from . import rules
from .models import Variant


def lock_variants(variant_ids: Iterable[int]) -> dict[int, Variant]:
    """Lock the variant rows (with their product read alongside), in primary-key order.
    Must run inside a transaction. Missing ids are simply absent from the result."""
    ids = sorted({int(variant_id) for variant_id in variant_ids})  # a list: used twice
    if not ids:
        return {}
    assert transaction.get_connection().in_atomic_block, "lock_variants needs a transaction"
    rows = (
        Variant.objects.select_for_update(no_key=True, of=("self",))
        .select_related("product")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {int(variant.pk): variant for variant in rows}


@dataclass(frozen=True)
class LockedSize:
    """A size as it was when ``take_stock`` locked it, before anything was taken."""

    stock: int
    is_active: bool
    price: int


# One statement: lock (primary-key order), check every line, decrement all or none.
# The check (an uncorrelated subquery, so a one-time filter) runs after every row is
# locked and before any row is changed; the UPDATE re-reads each locked row at its newest version (READ
# COMMITTED), so ``stock - quantity`` starts from the value just checked.
TAKE_STOCK_SQL = """
WITH wanted (id, quantity) AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(quantities)s::integer[])
), locked AS (
    SELECT v.id, v.stock, v.price_override, p.base_price, p.is_active, w.quantity
    FROM products_variant v JOIN wanted w ON w.id = v.id JOIN products_product p ON p.id = v.product_id
    ORDER BY v.id
    FOR NO KEY UPDATE OF v
), taken AS (
    UPDATE products_variant v SET stock = v.stock - l.quantity
    FROM locked l
    WHERE v.id = l.id
      AND (SELECT count(*) FILTER (WHERE l2.is_active AND l2.stock >= l2.quantity)
           FROM locked l2) = %(lines)s
    RETURNING v.id
)
SELECT id, stock, is_active, price_override, base_price, (SELECT count(*) FROM taken)
FROM locked
"""


def take_stock(quantities: Mapping[int, int]) -> tuple[bool, dict[int, LockedSize]]:
    """Take ``quantities`` (variant id -> units) out of stock if every size exists, is
    on sale and has enough; otherwise change nothing. Must run inside a transaction.
    Returns whether it was taken, and each size found as it was when locked."""
    wanted = {int(variant_id): int(quantity) for variant_id, quantity in quantities.items()}
    if not wanted:
        return True, {}
    assert transaction.get_connection().in_atomic_block, "take_stock needs a transaction"
    if connection.vendor != "postgresql":
        return _take_stock_row_by_row(wanted)
    ids = sorted(wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            TAKE_STOCK_SQL,
            {"ids": ids, "quantities": [wanted[i] for i in ids], "lines": len(ids)},
        )
        rows = cursor.fetchall()
    sizes = {
        int(variant_id): LockedSize(stock, is_active, rules.size_price(override, base_price))
        for variant_id, stock, is_active, override, base_price, _taken in rows
    }
    return bool(rows) and rows[0][5] == len(ids), sizes


def _take_stock_row_by_row(wanted: dict[int, int]) -> tuple[bool, dict[int, LockedSize]]:
    """The same on a database without row locks (the embedded SQLite default, where
    an IMMEDIATE transaction already holds the whole database's write lock)."""
    variants = lock_variants(wanted)
    sizes = {
        variant_id: LockedSize(variant.stock, variant.product.is_active, variant.price)
        for variant_id, variant in variants.items()
    }
    if len(sizes) < len(wanted) or any(
        not size.is_active or size.stock < wanted[variant_id] for variant_id, size in sizes.items()
    ):
        return False, sizes
    for variant_id, quantity in wanted.items():
        Variant.objects.filter(pk=variant_id).update(stock=F("stock") - quantity)
    return True, sizes
