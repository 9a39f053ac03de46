from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.decorators import login_required, role_required
from apps.core.faults import RETRY_AFTER_SECONDS, outage_kind, outage_response

from . import services
from .forms import ProfileForm

OUTAGE_FORM_ERROR = (
    "We couldn't log you in just now: part of the shop is not answering. "
    "Nothing was changed; please try again in a few seconds."
)


def _form_during_outage(request, error, template: str, context: dict):
    """The form again, as typed, with a 503 and a message; the plain 503 page when even
    this page cannot be drawn."""
    kind = outage_kind(error)
    if kind is None:
        raise error
    request.user = AnonymousUser()  # whatever login() began did not stick
    request.session.modified = False
    context["outage_error"] = OUTAGE_FORM_ERROR
    try:
        response = render(request, template, context, status=503)
    except Exception as again:
        if outage_kind(again) is None:
            raise
        return outage_response(request, kind, error)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class _StoresTheSessionNow:
    """allauth's log-in and sign-up, with the session written in the view, not later in
    the session middleware: a store that cannot be written (Redis or the database down)
    is found while the form can still be shown again, as typed, with a 503. A sign-up is
    one transaction, so an account whose first log-in could not be stored is not kept."""

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                response = super().post(request, *args, **kwargs)
                if request.user.is_authenticated:
                    request.session.save()
        except Exception as error:
            # Unbound, with what was typed: validating again would ask the database.
            typed = {k: v for k, v in request.POST.items() if "password" not in k}
            form = self.get_form_class()(initial=typed, **self._form_extra())
            context = {"form": form, **self._outage_context()}
            return _form_during_outage(request, error, self.template_name, context)
        return response

    def _form_extra(self) -> dict:
        return {}

    def _outage_context(self) -> dict:
        return {"redirect_field_value": self.get_next_url() or ""}


class LoginView(_StoresTheSessionNow, allauth_views.LoginView):
    def _form_extra(self) -> dict:
        return {"request": self.request}


class SignupView(_StoresTheSessionNow, allauth_views.SignupView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def me(request):
    user = request.user
    initial = {"name": user.name, "phone": user.phone, "shipping_address": user.shipping_address}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, **form.cleaned_data)
        messages.success(request, "Your details are saved.")
        return redirect("accounts:me")
    kakao_enabled = bool(settings.KAKAO_CLIENT_ID and settings.KAKAO_CLIENT_SECRET)
    return render(request, "accounts/me.html", {"form": form, "kakao_enabled": kakao_enabled})


@role_required("seller")
def my_stores(request):
    stores = request.user.stores.order_by("name")
    return render(request, "accounts/stores.html", {"stores": stores})
