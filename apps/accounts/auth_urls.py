"""allauth's log-in and sign-up under their own names, ahead of ``allauth.urls``: the
same pages, with the session stored in the view (see views._StoresTheSessionNow), and
the Kakao sign-up's email question under the sign-up limit (allauth puts none on it,
and it answers whether an email has an account)."""

from allauth.decorators import rate_limit
from allauth.socialaccount.views import SignupView as SocialSignupView
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("signup/", views.SignupView.as_view(), name="account_signup"),
    path(
        "3rdparty/signup/",
        rate_limit(action="signup")(SocialSignupView.as_view()),
        name="socialaccount_signup",
    ),
]
