from django.apps import AppConfig


class SwipeConfig(AppConfig):
    name = "apps.swipe"
    label = "swipe"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the cache invalidation receivers
