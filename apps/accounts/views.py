from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.decorators import login_required, role_required
from apps.core.redirects import same_site

from . import services
from .forms import LoginForm, ProfileForm, SignupForm


def _safe_next(request) -> str:
    return same_site(request, request.POST.get("next") or request.GET.get("next"))


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except services.EmailTaken as exc:
            form.add_error("email", exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to BARO, {user.get_short_name()}!")
            return redirect(_safe_next(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request)})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"Welcome back, {form.get_user().get_short_name()}.")
        return response


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
