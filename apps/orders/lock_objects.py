"""Row locks on orders and on the shopper placing one. An order row is locked before
the stock rows of its items (``apps.products.lock_objects``): cancel and status changes
take them in that order. A checkout with a product that has a limit per shopper locks
the shopper's own row first, then (last) the stock rows."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import Order


def lock_order(*, order_id: int, user=None) -> Order:
    """Lock one order row (raises Order.DoesNotExist, also for someone else's order)."""
    queryset = Order.objects.select_for_update(no_key=True)
    if user is not None:
        queryset = queryset.filter(user=user)
    return queryset.get(pk=order_id)


def lock_shopper(*, user_id: int) -> None:
    """Lock the shopper's row for the rest of the transaction, so two checkouts by one
    shopper (two tabs, a double submit with two keys) count their held units one after
    the other. Nobody else waits: other shoppers lock other rows."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user_id).values_list(
        "pk", flat=True
    ).get()
