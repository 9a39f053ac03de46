from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Product, ProductLike


class ProductUnavailable(Exception):
    message = "This product is no longer on sale."


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
