from django.urls import path

from . import views

app_name = "accounts"

# Log in, sign up, log out, passwords and Kakao are allauth's (baro/urls.py).
urlpatterns = [
    path("me/", views.me, name="me"),
    path("stores/", views.my_stores, name="stores"),
]
