"""The only code that locks stock rows.

Lock order, everywhere: an existing order row first (cancel, status changes), then
the variant rows it needs, all in one query ordered by primary key. Two transactions
that both need variants A and B therefore always ask for A before B and can wait for
each other but never deadlock. ``no_key=True`` (FOR NO KEY UPDATE) because stock
changes never touch a key; it does not conflict with the key-share locks foreign-key
checks take. ``of=("self",)`` keeps joined tables unlocked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from apps.products.models import Variant

from .models import Order


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


def lock_order(*, order_id: int, user=None) -> Order:
    """Lock one order row (raises Order.DoesNotExist, also for someone else's order)."""
    queryset = Order.objects.select_for_update(no_key=True)
    if user is not None:
        queryset = queryset.filter(user=user)
    return queryset.get(pk=order_id)
