from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "apps.products"
    label = "products"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the cache invalidation receivers
