"""The only code that locks stock rows (a product's sizes: the variant row is the
stock row).

Lock order, everywhere: a row that owns the change comes first (an order being
cancelled, in ``orders``), then the variant rows, all in one query ordered by primary
key. Two transactions that both need sizes A and B therefore always ask for A before
B: they can wait for each other but never deadlock. ``no_key=True`` (FOR NO KEY
UPDATE) because stock changes never touch a key; it does not conflict with the
key-share locks foreign-key checks take. ``of=("self",)`` keeps the joined product
row unlocked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

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
