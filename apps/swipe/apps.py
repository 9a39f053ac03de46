from django.apps import AppConfig


class SwipeConfig(AppConfig):
    name = "apps.swipe"
    label = "swipe"
