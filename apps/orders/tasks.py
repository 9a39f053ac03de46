"""What follows an order, run by the job worker (``manage.py run_worker``), never in
the shopper's request. Each job is enqueued inside the transaction that places the
order, so it exists exactly when the order does."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.utils import timezone

from apps.core.jobs import retried_task
from apps.core.money import format_won

from .models import Order

logger = logging.getLogger(__name__)


@retried_task()
def order_send_confirmation(*, order_id: int) -> None:
    """Mail the shopper their order. Safe to run twice: a sent confirmation is noted on
    the order and not sent again."""
    order = Order.objects.select_related("user").prefetch_related("items").get(pk=order_id)
    if order.confirmation_sent_at is not None:
        return
    lines = "\n".join(f"  {item}" for item in order.items.all())
    send_mail(
        subject=f"BARO order {order.pk} confirmed",
        message=f"Thank you! Your order {order.pk}:\n{lines}\nTotal: {format_won(order.total)}",
        from_email=None,
        recipient_list=[order.user.email],
    )
    Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())
    logger.info("order %s confirmation sent to user %s", order.pk, order.user_id)
