"""Keep cached look pages fresh: when a look, its products or their sizes and prices
change (in the admin or anywhere else), drop the cached entries after the commit."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.products.models import Product, Variant

from .models import Look, LookImage, LookProduct
from .selectors import look_detail_invalidate


def _after_commit(look_ids) -> None:
    look_ids = list(look_ids)
    if look_ids:
        transaction.on_commit(lambda: look_detail_invalidate(*look_ids))


def _looks_with_product(product_id) -> list[int]:
    return list(LookProduct.objects.filter(product_id=product_id).values_list("look_id", flat=True))


@receiver([post_save, post_delete], sender=Look)
def look_changed(sender, instance, **kwargs):
    _after_commit([instance.pk])


@receiver([post_save, post_delete], sender=LookProduct)
@receiver([post_save, post_delete], sender=LookImage)
def look_part_changed(sender, instance, **kwargs):
    _after_commit([instance.look_id])


@receiver([post_save, post_delete], sender=Product)
def product_changed(sender, instance, **kwargs):
    _after_commit(_looks_with_product(instance.pk))


@receiver([post_save, post_delete], sender=Variant)
def variant_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"stock", "updated_at"}:
        return  # stock is never cached
    _after_commit(_looks_with_product(instance.product_id))
