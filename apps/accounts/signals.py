"""What the shop does when someone logs in, and when allauth connects a Kakao account
to a logged-in shopper."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.signals import social_account_added
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .backends import SAME_USERS, SESSION_BACKEND


@receiver(user_logged_in)
def serve_the_session(sender, request, user, **kwargs):
    """Whichever backend checked the password, the shopper's requests from now on load
    them through SessionBackend (backends.py), which reads the same row faster."""
    session = getattr(request, "session", None)
    if session is not None and session.get(BACKEND_SESSION_KEY) in SAME_USERS:
        session[BACKEND_SESSION_KEY] = SESSION_BACKEND


@receiver(social_account_added)
def confirm_the_email_kakao_vouches_for(request, sociallogin, **kwargs):
    """The shopper connected Kakao while logged in with their password, and Kakao says
    it has verified this same address: it counts as confirmed, so later Kakao log-ins
    (which need a confirmed address) go straight in."""
    user = sociallogin.user
    vouched = {a.email.lower() for a in sociallogin.email_addresses if a.verified}
    if user.email.lower() in vouched:
        updated = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
            verified=True
        )
        if not updated:
            EmailAddress.objects.create(
                user=user, email=user.email.lower(), primary=True, verified=True
            )
