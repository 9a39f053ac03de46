"""Keep what swipe derives from the catalogue true when the catalogue changes.

The admin (and any other code) saves products, sizes and categories without knowing
that looks exist: ``products`` sits below ``swipe`` and must not import it. These
receivers are how swipe hears of those saves. They do two things, each by calling
the one function that owns it:

- the look's ``category_mask`` (what the feed ranks on) is recomputed in the same
  transaction when a look's products, a product's category or a category's position
  change (``services.looks_refresh_categories``);
- cached look pages are dropped after the commit when a look, its products or their
  sizes and prices change (``selectors.look_detail_invalidate``).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from apps.products.models import Category, Product, Variant

from .models import Look, LookImage, LookProduct
from .selectors import look_detail_invalidate
from .services import looks_refresh_categories


def _after_commit(look_ids) -> None:
    look_ids = list(look_ids)
    if look_ids:
        transaction.on_commit(lambda: look_detail_invalidate(*look_ids))


def _looks_with_product(product_id) -> list[int]:
    return list(LookProduct.objects.filter(product_id=product_id).values_list("look_id", flat=True))


def _remember_old(instance, field: str) -> None:
    """Note a field's stored value before a save, to tell afterwards if it changed."""
    if instance.pk is None:
        instance._old_value = None
        return
    old = type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first()
    instance._old_value = old


@receiver([post_save, post_delete], sender=Look)
def look_changed(sender, instance, **kwargs):
    _after_commit([instance.pk])


@receiver([post_save, post_delete], sender=LookImage)
def look_image_changed(sender, instance, **kwargs):
    _after_commit([instance.look_id])


@receiver([post_save, post_delete], sender=LookProduct)
def look_product_changed(sender, instance, **kwargs):
    looks_refresh_categories(look_ids=[instance.look_id])
    _after_commit([instance.look_id])


@receiver(pre_save, sender=Product)
def product_saving(sender, instance, **kwargs):
    _remember_old(instance, "category_id")


@receiver(post_save, sender=Product)
def product_saved(sender, instance, created, **kwargs):
    looks = [] if created else _looks_with_product(instance.pk)
    if looks and instance._old_value != instance.category_id:
        looks_refresh_categories(look_ids=looks)
    _after_commit(looks)


@receiver(post_delete, sender=Product)
def product_deleted(sender, instance, **kwargs):
    _after_commit(_looks_with_product(instance.pk))


@receiver(pre_save, sender=Category)
def category_saving(sender, instance, **kwargs):
    _remember_old(instance, "position")


@receiver(post_save, sender=Category)
def category_saved(sender, instance, created, **kwargs):
    if created or instance._old_value == instance.position:
        return
    looks = list(
        LookProduct.objects.filter(product__category_id=instance.pk)
        .values_list("look_id", flat=True)
        .distinct()
    )
    looks_refresh_categories(look_ids=looks)


@receiver([post_save, post_delete], sender=Variant)
def variant_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"stock", "updated_at"}:
        return  # stock is never cached
    _after_commit(_looks_with_product(instance.product_id))
