"""allauth's log-in and sign-up under their own names, ahead of ``allauth.urls``: the
same pages, with the session stored in the view (see views._StoresTheSessionNow)."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("signup/", views.SignupView.as_view(), name="account_signup"),
]
