"""Where it is safe to send a shopper back to: only paths on this site."""

from urllib.parse import urlsplit, urlunsplit

from django.utils.http import url_has_allowed_host_and_scheme


def same_site(request, url: str | None, default: str = "/") -> str:
    """``url`` if it leads to this site, else ``default`` (never an open redirect)."""
    try:
        ours = bool(url) and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except ValueError:  # not a URL at all, e.g. "http://[" (an unclosed IPv6 host)
        ours = False
    return url if ours else default


def referer_path(request, default: str = "/") -> str:
    """The path (and query) of the page that sent this request, if it is ours."""
    try:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    except ValueError:  # a header that is not a URL
        return default
    if referer.netloc != request.get_host():
        return default
    return same_site(request, urlunsplit(("", "", referer.path, referer.query, "")), default)


def htmx_current_path(request) -> str | None:
    """The path of the page an htmx request was sent from (``HX-Current-URL``), or None
    when the header is missing or is not a URL."""
    try:
        return request.htmx.current_url_abs_path
    except ValueError:
        return None
