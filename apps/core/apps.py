from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import csrf
        from .cache import skip_closing_caches

        skip_closing_caches()
        csrf.install()
