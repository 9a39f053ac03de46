"""What the shop does when allauth connects a Kakao account to a logged-in shopper."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.signals import social_account_added
from django.dispatch import receiver


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
