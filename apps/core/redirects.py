"""Where it is safe to send a shopper back to: only paths on this site."""

from urllib.parse import urlsplit, urlunsplit

from django.utils.http import url_has_allowed_host_and_scheme


def same_site(request, url: str | None, default: str = "/") -> str:
    """``url`` if it leads to this site, else ``default`` (never an open redirect)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def referer_path(request, default: str = "/") -> str:
    """The path (and query) of the page that sent this request, if it is ours."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc != request.get_host():
        return default
    return same_site(request, urlunsplit(("", "", referer.path, referer.query, "")), default)
