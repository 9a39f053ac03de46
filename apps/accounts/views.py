from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.decorators import login_required, role_required
from apps.core.faults import RETRY_AFTER_SECONDS, outage_kind, outage_response
from apps.core.redirects import same_site

from . import services
from .forms import LoginForm, ProfileForm, SignupForm


def _safe_next(request) -> str:
    return same_site(request, request.POST.get("next") or request.GET.get("next"))


OUTAGE_FORM_ERROR = (
    "We couldn't log you in just now: part of the shop is not answering. "
    "Nothing was changed; please try again in a few seconds."
)


def _log_in_now(request, user) -> None:
    """Log in and write the session here, not later in the session middleware, so a
    session store that cannot be written (Redis or the database down) is found while the
    form can still be shown again."""
    login(request, user)
    # Written again, with the cookie, by the session middleware; a store that broke
    # in between answers 503 there (apps.core.faults.server_error).
    request.session.save()


def _form_during_outage(request, error, template: str, context: dict):
    """The form again, as typed, with a 503 and a message; the plain 503 page when even
    this page cannot be drawn."""
    kind = outage_kind(error)
    if kind is None:
        raise error
    request.user = AnonymousUser()  # whatever login() began did not stick
    request.session.modified = False
    context["form"].add_error(None, OUTAGE_FORM_ERROR)
    try:
        response = render(request, template, context, status=503)
    except Exception as again:
        if outage_kind(again) is None:
            raise
        return outage_response(request, kind, error)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    form = SignupForm(request.POST or None)
    context = {"form": form, "next": _safe_next(request)}
    if request.method == "POST":
        user = None
        try:
            # One transaction: an account whose first log-in could not be stored is not
            # kept, so trying again later does not find the email taken.
            with transaction.atomic():
                if form.is_valid():
                    user = services.user_create(**form.cleaned_data)
                    _log_in_now(request, user)
        except services.EmailTaken as exc:
            form.add_error("email", exc.message)
        except Exception as error:
            return _form_during_outage(request, error, "accounts/signup.html", context)
        if user is not None:
            messages.success(request, f"Welcome to BARO, {user.get_short_name()}!")
            return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/signup.html", context)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        try:
            valid = form.is_valid()  # reads the account: the database must answer
            if valid:
                _log_in_now(request, form.get_user())
        except Exception as error:
            context = self.get_context_data(form=form)
            return _form_during_outage(request, error, self.template_name, context)
        if not valid:
            return self.form_invalid(form)
        messages.success(request, f"Welcome back, {form.get_user().get_short_name()}.")
        return HttpResponseRedirect(self.get_success_url())


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You're logged out. See you soon!")
        return response


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
    return render(request, "accounts/me.html", {"form": form})


@role_required("seller")
def my_stores(request):
    stores = request.user.stores.order_by("name")
    return render(request, "accounts/stores.html", {"stores": stores})
