"""Keep what products caches about the catalogue true when it changes: a category
saved or deleted (the admin, the demo data) drops the cached category list."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Category
from .selectors import category_list_invalidate


@receiver(post_save, sender=Category, dispatch_uid="products-category-saved")
@receiver(post_delete, sender=Category, dispatch_uid="products-category-deleted")
def category_changed(sender, **kwargs) -> None:
    category_list_invalidate()
