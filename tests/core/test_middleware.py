import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.urls import include, path
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxMiddleware

from apps.core.middleware import HtmxMessagesMiddleware

HTMX = {"HTTP_HX_REQUEST": "true"}


def run(view, htmx: bool):
    headers = HTMX if htmx else {}
    request = RequestFactory().post("/somewhere/", **headers)
    request.session = {}
    request._messages = FallbackStorage(request)
    handler = HtmxMiddleware(HtmxMessagesMiddleware(view))
    return handler(request)


def liked(request):
    messages.success(request, "Saved <b>Look</b> to your likes")
    return HttpResponse("<div id='card'>next card</div>")


# Views for a real request cycle (session, the messages middleware, the layout's toast
# stack), so a test sees what the shopper sees on the page after the one that queued a
# message.
def save_look(request):
    messages.success(request, "Saved Look to your likes")
    if request.POST.get("then") == "client-redirect":
        return HttpResponseClientRedirect("/next/")
    if request.htmx:
        return HttpResponse("<div id='card'>next card</div>")
    return redirect("/next/")


def next_page(request):
    return render(request, "base.html")


urlpatterns = [path("save/", save_look), path("next/", next_page), path("", include("baro.urls"))]


def toasts(response) -> list[str]:
    """The toasts a page (or an htmx fragment) shows, in order."""
    body = response.content.decode()
    return re.findall(r'<div class="toast toast-[a-z]+" data-toast>([^<]*)</div>', body)


def test_htmx_fragment_carries_messages_as_out_of_band_toasts():
    body = run(liked, htmx=True).content.decode()
    assert body.startswith("<div id='card'>next card</div>")
    assert 'hx-swap-oob="beforeend:#toasts"' in body
    assert "Saved &lt;b&gt;Look&lt;/b&gt; to your likes" in body


def test_full_page_requests_are_left_alone():
    assert run(liked, htmx=False).content == b"<div id='card'>next card</div>"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_full_page_redirect_shows_its_message_on_the_next_page(client):
    response = client.post("/save/")
    assert response.status_code == 302 and response["Location"] == "/next/"
    assert toasts(client.get("/next/")) == ["Saved Look to your likes"]
    assert toasts(client.get("/next/")) == []  # shown once, then gone


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_message_shown_as_an_htmx_toast_is_not_shown_again_on_the_next_page(client):
    response = client.post("/save/", **HTMX)
    body = response.content.decode()
    assert body.startswith("<div id='card'>next card</div>")
    assert 'hx-swap-oob="beforeend:#toasts"' in body
    assert toasts(response) == ["Saved Look to your likes"]
    assert toasts(client.get("/next/")) == []


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_htmx_redirects_keep_messages_for_the_next_page(client):
    def redirecting(request):
        messages.info(request, "Log in first")
        return HttpResponseClientRedirect("/accounts/login/")

    response = run(redirecting, htmx=True)
    assert b"toast" not in response.content

    # Through the whole stack: the page the client redirect leads to shows it, once.
    response = client.post("/save/", {"then": "client-redirect"}, **HTMX)
    assert response["HX-Redirect"] == "/next/"
    assert b"toast" not in response.content
    assert toasts(client.get("/next/")) == ["Saved Look to your likes"]
    assert toasts(client.get("/next/")) == []


@pytest.mark.parametrize("status", [200, 422])
def test_no_messages_means_no_toast_block(status):
    response = run(lambda request: HttpResponse("ok", status=status), htmx=True)
    assert response.content == b"ok"
