import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

# What django-csp's decorators set on a response to change its policy.
_CSP_PER_RESPONSE = tuple(
    f"_csp_{what}{suffix}"
    for what in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)


@functools.cache
def _csp_settings_policies() -> tuple:
    """The two headers the settings give (either may be ""), each with the path
    prefixes it leaves out: built once, and again after a settings change."""
    enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
    return (
        build_policy(),
        tuple(enforced.get("EXCLUDE_URL_PREFIXES", None) or ()),
        build_policy(report_only=True),
        tuple(report_only.get("EXCLUDE_URL_PREFIXES", None) or ()),
    )


@receiver(setting_changed)
def _csp_settings_changed(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _csp_settings_policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy that the settings alone give built once.

    django-csp builds the header from the settings again for every response (40-50 µs,
    a twentieth of the bare view). A response to which no decorator gave a policy of its
    own, to a request that used no nonce, gets that same header every time, so it is
    built once per process and kept (built again after a settings change). Anything
    else (a nonce, ``@csp_update`` and the others, a header the view set itself, DEBUG's
    error pages, a subclass with its own ``get_policy_parts``) goes through django-csp
    as before.
    """

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or type(self).get_policy_parts is not CSPMiddleware.get_policy_parts
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _CSP_PER_RESPONSE)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
        ):
            return super().process_response(request, response)
        policy, excluded, report_only, excluded_ro = _csp_settings_policies()
        path = request.path_info
        if policy and not path.startswith(excluded):
            response[HEADER] = policy
        if report_only and not path.startswith(excluded_ro):
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp does: a nonce asked for after this would not be in the header.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class HtmxMessagesMiddleware:
    """Deliver Django messages to htmx requests as out-of-band toasts.

    A full page renders its messages in the layout. An htmx response only carries
    a fragment, so messages queued while handling it are appended as an
    ``hx-swap-oob`` block that htmx adds to the toast stack. Redirects are left
    alone: the page they lead to shows the messages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        if (
            response.streaming
            or 300 <= response.status_code < 400
            or "HX-Redirect" in response.headers
            or "HX-Location" in response.headers
            or "HX-Refresh" in response.headers
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        storage = messages.get_messages(request)
        if storage.used or not storage:
            return response
        response.content += render_to_string(
            "base.html#toasts-oob", {"messages": storage}, request=request
        ).encode()
        return response


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every response to a browser that has a
    session (a logged-in shopper's cart, checkout, orders and account, and every other
    page, which shows their counts) and on every account page: no shared cache keeps
    them, and the browser does not store them for the next person at the same computer.
    The cookie decides, not the user, so a response that never read the session does
    not read it for this. A view that sets its own Cache-Control wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = settings.SESSION_COOKIE_NAME in request.COOKIES or request.path.startswith(
            "/accounts/"
        )
        if personal and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response
