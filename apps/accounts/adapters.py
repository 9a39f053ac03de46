"""How django-allauth fits the shop: our user model (email, name, role), our mail path
(the job queue) and the "send them back" rules of the rest of the shop."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from apps.core.redirects import same_site

from .services import EmailTaken
from .tasks import account_send_mail


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "That email and password don't match an account.",
        # With confirmation optional (the default) a new account is logged in at once,
        # so a "check your email" page for a taken address would hide nothing: allauth
        # says it plainly, and sign-ups are rate-limited per address. With confirmation
        # mandatory (BARO_EMAIL_VERIFICATION) it mails the owner and says the same for both.
        "email_taken": EmailTaken.message,
        "too_many_login_attempts": (
            "Too many failed log-ins. Please wait a few minutes, or reset your password."
        ),
    }

    def post_login(self, request, user, **kwargs):
        self._signing_up = kwargs.get("signup", False)
        return super().post_login(request, user, **kwargs)

    def add_message(self, request, level, message_template=None, message_context=None, **kw):
        if message_template == "account/messages/logged_in.txt":
            # The greeting says hello to a new shopper and welcome back to the others.
            signup = getattr(self, "_signing_up", False)
            message_context = {**(message_context or {}), "signup": signup}
        return super().add_message(request, level, message_template, message_context, **kw)

    def save_user(self, request, user, form, commit=True):
        """The name from the sign-up form: allauth knows first and last names only."""
        name = form.cleaned_data.get("name")
        if name:
            user.name = name
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered here, sent by the job worker: a mail server that is slow or down
        never holds up the page, and a failed send is retried."""
        request = context.get("request") or getattr(self, "request", None)
        message = self.render_mail(template_prefix, email, {"request": request, **context})
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            "",
        )
        account_send_mail.enqueue(
            subject=message.subject,
            body=message.body,
            html=html,
            to=list(message.to),
            from_email=message.from_email,
        )

    def is_safe_url(self, url: str | None) -> bool:
        request = getattr(self, "request", None)
        if request is None or not url:
            return False
        return same_site(request, url, default="") == url


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def populate_user(self, request, sociallogin, data):
        """A Kakao login brings a nickname, not a first and last name: it becomes the
        account's name (the shopper can change it under Account)."""
        user = super().populate_user(request, sociallogin, data)
        user.name = (data.get("username") or "").strip()[:100] or "BARO shopper"
        return user

    def list_apps(self, request, provider=None, client_id=None):
        # Kakao is offered only when the environment configures it.
        if not (settings.KAKAO_CLIENT_ID and settings.KAKAO_CLIENT_SECRET):
            return []
        return super().list_apps(request, provider=provider, client_id=client_id)
