import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxMiddleware

from apps.core.middleware import HtmxMessagesMiddleware


def run(view, htmx: bool):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    request = RequestFactory().post("/somewhere/", **headers)
    request.session = {}
    request._messages = FallbackStorage(request)
    handler = HtmxMiddleware(HtmxMessagesMiddleware(view))
    return handler(request)


def liked(request):
    messages.success(request, "Saved <b>Look</b> to your likes")
    return HttpResponse("<div id='card'>next card</div>")


def test_htmx_fragment_carries_messages_as_out_of_band_toasts():
    body = run(liked, htmx=True).content.decode()
    assert body.startswith("<div id='card'>next card</div>")
    assert 'hx-swap-oob="beforeend:#toasts"' in body
    assert "Saved &lt;b&gt;Look&lt;/b&gt; to your likes" in body


def test_full_page_requests_are_left_alone():
    assert run(liked, htmx=False).content == b"<div id='card'>next card</div>"


def test_htmx_redirects_keep_messages_for_the_next_page():
    def redirecting(request):
        messages.info(request, "Log in first")
        return HttpResponseClientRedirect("/accounts/login/")

    response = run(redirecting, htmx=True)
    assert b"toast" not in response.content


@pytest.mark.parametrize("status", [200, 422])
def test_no_messages_means_no_toast_block(status):
    response = run(lambda request: HttpResponse("ok", status=status), htmx=True)
    assert response.content == b"ok"
