"""The Content-Security-Policy header, built once from the settings, is the header
django-csp builds for every response; whatever changes it per response still does."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core.middleware import ContentSecurityPolicyMiddleware


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


@csp_update({"img-src": "https://img.example"})
def updated(request):
    return HttpResponse("ok")


@csp_replace({"script-src": "https://js.example"})
def replaced(request):
    return HttpResponse("ok")


@csp_exempt()
def exempt(request):
    return HttpResponse("ok")


def own_header(request):
    response = HttpResponse("ok")
    response[HEADER] = "default-src 'none'"
    return response


def headers(middleware_class, view, path="/products/"):
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return {
        name: response.get(name) for name in (HEADER, HEADER_REPORT_ONLY) if name in response
    }, request


VIEWS = [plain, with_nonce, updated, replaced, exempt, own_header]


WITH_NONCE = {
    "DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE], "img-src": [SELF]},
}


@pytest.mark.parametrize("nonces", [False, True], ids=["the shop's policy", "with nonces"])
@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.__name__)
def test_every_response_gets_the_header_django_csp_gives_it(view, nonces, settings):
    if nonces:
        settings.CONTENT_SECURITY_POLICY = WITH_NONCE
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = WITH_NONCE
    ours, _ = headers(ContentSecurityPolicyMiddleware, view)
    theirs, _ = headers(CSPMiddleware, view)
    if view is with_nonce and nonces:  # a new nonce each time: the same header but for it
        for found in (ours, theirs):
            assert found[HEADER].count("'nonce-") == found[HEADER_REPORT_ONLY].count("'nonce-")
            assert found[HEADER].count("'nonce-") == 1
            for name in (HEADER, HEADER_REPORT_ONLY):
                found[name] = found[name].split("'nonce-")[0]
    assert ours == theirs
    if view is plain:
        assert "default-src 'self'" in ours[HEADER]
        assert (HEADER_REPORT_ONLY in ours) is nonces


def test_a_settings_change_is_a_new_header(settings):
    before, _ = headers(ContentSecurityPolicyMiddleware, plain)
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "https://cdn.example"]},
        "EXCLUDE_URL_PREFIXES": ["/admin/"],
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]},
        "EXCLUDE_URL_PREFIXES": ["/accounts/"],
    }
    after, _ = headers(ContentSecurityPolicyMiddleware, plain)
    assert after != before
    assert after == headers(CSPMiddleware, plain)[0]
    assert "https://cdn.example" in after[HEADER]
    assert "script-src 'self'" in after[HEADER_REPORT_ONLY]
    # A path left out of the policy gets no header, as with django-csp.
    excluded = headers(ContentSecurityPolicyMiddleware, plain, "/admin/orders/")[0]
    assert excluded == headers(CSPMiddleware, plain, "/admin/orders/")[0]
    assert HEADER not in excluded and HEADER_REPORT_ONLY in excluded
    excluded = headers(ContentSecurityPolicyMiddleware, plain, "/accounts/login/")[0]
    assert excluded == headers(CSPMiddleware, plain, "/accounts/login/")[0]
    assert HEADER in excluded and HEADER_REPORT_ONLY not in excluded


def test_a_nonce_asked_for_after_the_header_was_written_is_an_error():
    from csp.exceptions import CSPNonceError

    _, request = headers(ContentSecurityPolicyMiddleware, plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


@pytest.mark.django_db
def test_pages_carry_the_header(client):
    response = client.get("/")
    assert response[HEADER] == headers(CSPMiddleware, plain)[0][HEADER]


def test_a_subclass_with_its_own_policy_parts_keeps_them():
    class Stricter(ContentSecurityPolicyMiddleware):
        def get_policy_parts(self, request, response, report_only=False):
            parts = super().get_policy_parts(request, response, report_only)
            parts.update = {"img-src": "https://img.example"}
            return parts

    found, _ = headers(Stricter, plain)
    assert "https://img.example" in found[HEADER]
