"""Row locks on orders. An order row is locked before the stock rows of its items
(``apps.products.lock_objects``): cancel and status changes take them in that order."""

from __future__ import annotations

from .models import Order


def lock_order(*, order_id: int, user=None) -> Order:
    """Lock one order row (raises Order.DoesNotExist, also for someone else's order)."""
    queryset = Order.objects.select_for_update(no_key=True)
    if user is not None:
        queryset = queryset.filter(user=user)
    return queryset.get(pk=order_id)
