"""Access decorators shared by every app.

``login_required`` sends a browser to the login page and an htmx request an
``HX-Redirect`` there (so a login form is never swapped into a card), with ``next``
pointing back at the page the shopper was on. ``role_required`` adds a role check:
admins always pass, anyone else without the role gets the 403 page.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from .redirects import htmx_current_path, referer_path, same_site


def _next_path(request) -> str:
    """Where to return after logging in.

    For htmx the request's own URL is a fragment endpoint (often a POST), so the
    page the shopper is looking at (``HX-Current-URL``) is the right place to return.
    """
    if getattr(request, "htmx", False):
        return same_site(request, htmx_current_path(request))
    if request.method != "GET":
        # A form posted while logged out: return to the page that showed the form.
        return referer_path(request)
    return request.get_full_path()


def login_url_for(request) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': _next_path(request)})}"


def login_required(view_func):
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view_func(request, *args, **kwargs)
        url = login_url_for(request)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)

    return wrapper


def role_required(*roles: str):
    """Allow users with one of ``roles``; admins always pass."""

    def decorator(view_func):
        @wraps(view_func)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied("Your account does not have access to this page.")
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator
