from django.urls import path

from . import views

app_name = "swipe"

urlpatterns = [
    path("", views.feed, name="feed"),
]
