from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: ``seed_demo`` and the generators behind it. It may import every app;
    the shop never imports it."""

    name = "apps.demo"
    label = "demo"
