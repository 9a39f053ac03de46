from django.conf import settings
from django.contrib import messages
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


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
