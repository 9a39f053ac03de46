from django.contrib import messages
from django.template.loader import render_to_string


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
