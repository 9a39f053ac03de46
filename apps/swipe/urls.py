from django.urls import path

from . import views

app_name = "swipe"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("swipe/undo/", views.undo, name="undo"),
    path("swipe/<tsid:look_id>/", views.swipe, name="swipe"),
    path("looks/liked/", views.liked, name="liked"),
    path("looks/<tsid:look_id>/", views.look_detail, name="look"),
]
