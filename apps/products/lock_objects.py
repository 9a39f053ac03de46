"""The only code that locks stock rows (a product's sizes: the variant row is the
stock row).

Lock order, everywhere: a row that owns the change comes first (an order being
cancelled, in ``orders``), then the variant rows, all in one query ordered by primary
key. Two transactions that both need sizes A and B therefore always ask for A before
B: they can wait for each other but never deadlock. ``no_key=True`` (FOR NO KEY
UPDATE) because stock changes never touch a key; it does not conflict with the
key-share locks foreign-key checks take. ``of=("self",)`` keeps the joined product
row unlocked.

A checkout takes its sizes with ``take_stock_and_commit``: on PostgreSQL one
statement locks them (the same order), checks every line against the locked values
and decrements them all, or none, and the COMMIT travels behind it in the same round
trip (psycopg's pipeline mode). The rows stay locked for that statement and the
commit's WAL flush, with no Python and no network in between. ``take_stock`` is the
same statement without the commit, for a caller that has more to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import psycopg
from django.db import DatabaseError, connection, transaction
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


# Lock (primary-key order), check every line, decrement all or none. The check (an
# uncorrelated subquery, so a one-time filter) runs after every row is locked and before
# any row is changed; the UPDATE re-reads each locked row at its newest version (READ
# COMMITTED), so ``stock - quantity`` starts from the value just checked. A line passes
# when its size is on sale, has enough stock and, where a price is given, still costs it.
_TAKE_STOCK_CTE = """
WITH wanted (id, quantity, price) AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(quantities)s::integer[], %(prices)s::bigint[])
), locked AS (
    SELECT v.id, v.stock, v.price_override, p.base_price, p.is_active, w.quantity, w.price
    FROM products_variant v JOIN wanted w ON w.id = v.id JOIN products_product p ON p.id = v.product_id
    ORDER BY v.id
    FOR NO KEY UPDATE OF v
), taken AS (
    UPDATE products_variant v SET stock = v.stock - l.quantity
    FROM locked l
    WHERE v.id = l.id
      AND (SELECT count(*) FILTER (
               WHERE l2.is_active AND l2.stock >= l2.quantity
                 AND (l2.price IS NULL OR COALESCE(l2.price_override, l2.base_price) = l2.price))
           FROM locked l2) = %(lines)s
    RETURNING v.id
)"""

# The sizes as locked, and how many lines were taken.
TAKE_STOCK_SQL = (
    _TAKE_STOCK_CTE  # noqa: S608 (constant SQL joined to constant SQL; values are parameters)
    + """
SELECT id, stock, is_active, price_override, base_price, (SELECT count(*) FROM taken)
FROM locked
"""
)

# The same, but a refusal is an error (products_refuse_stock_take, migration 0005), with
# the sizes as locked in its detail: the transaction cannot commit, and the COMMIT
# pipelined behind this statement is not run.
TAKE_STOCK_OR_FAIL_SQL = (
    _TAKE_STOCK_CTE  # noqa: S608 (the same)
    + """
SELECT CASE WHEN (SELECT count(*) FROM taken) = %(lines)s THEN 0
    ELSE products_refuse_stock_take(COALESCE((
        SELECT json_agg(json_build_array(id, stock, is_active, price_override, base_price))
        FROM locked)::text, '[]'))
END
"""
)
REFUSED = "stock take refused"  # the function's message


class StockTakeRefused(Exception):
    """``take_stock_and_commit`` changed nothing: a line failed its check. ``sizes`` are
    the sizes found, as they were when locked."""

    def __init__(self, sizes: dict[int, LockedSize]) -> None:
        super().__init__(REFUSED)
        self.sizes = sizes


def _params(wanted: dict[int, int], prices: Mapping[int, int] | None = None) -> dict:
    ids = sorted(wanted)
    return {
        "ids": ids,
        "quantities": [wanted[i] for i in ids],
        "prices": [(prices or {}).get(i) for i in ids],
        "lines": len(ids),
    }


def _size(stock: int, is_active: bool, override: int | None, base_price: int) -> LockedSize:
    return LockedSize(stock, is_active, rules.size_price(override, base_price))


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
    with connection.cursor() as cursor:
        cursor.execute(TAKE_STOCK_SQL, _params(wanted))
        rows = cursor.fetchall()
    sizes = {int(row[0]): _size(*row[1:5]) for row in rows}
    return bool(rows) and rows[0][5] == len(wanted), sizes


def take_stock_and_commit(quantities: Mapping[int, int], prices: Mapping[int, int]) -> None:
    """Take ``quantities`` (variant id -> units) out of stock if every size exists, is on
    sale, has enough and still costs its price in ``prices`` (variant id -> won, where
    given), and
    commit the caller's transaction with it; otherwise change nothing and raise
    ``StockTakeRefused``, leaving the transaction for the caller to roll back.

    The caller's transaction must be the outermost ``atomic()`` block, and this its last
    statement. On PostgreSQL the statement and the COMMIT go in one round trip (pipeline
    mode), so no Python and no network wait sit between the lock and the commit, however
    busy the cores. Anywhere else (SQLite, or inside a block that is not the outermost,
    as a test's is) the stock is taken the same way and the commit is the block's own.
    """
    wanted = {int(variant_id): int(quantity) for variant_id, quantity in quantities.items()}
    conn = transaction.get_connection()
    assert conn.in_atomic_block, "take_stock_and_commit needs a transaction"
    if conn.vendor != "postgresql" or len(conn.atomic_blocks) != 1 or conn.needs_rollback:
        taken, sizes = take_stock(wanted)
        if taken and all(prices.get(i) in (None, sizes[i].price) for i in wanted):
            return
        raise StockTakeRefused(sizes)
    raw = conn.connection
    try:
        # Both statements are queued, then sent together as the pipeline closes; its
        # close raises a refusal, rather than a sync inside it (which would leave
        # psycopg a pipeline to close in error, and a warning in the log).
        with conn.wrap_database_errors, raw.pipeline():
            with conn.cursor() as cursor:
                cursor.execute(TAKE_STOCK_OR_FAIL_SQL, _params(wanted, prices))
            raw.execute("COMMIT")
    except DatabaseError as error:
        refusal = error.__cause__
        if not isinstance(refusal, psycopg.errors.RaiseException) or (
            refusal.diag.message_primary != REFUSED
        ):
            raise
        found = json.loads(refusal.diag.message_detail or "[]")
        raise StockTakeRefused({int(row[0]): _size(*row[1:5]) for row in found}) from None


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
