"""Public pages rendered once per version of what they show, for visitors not logged in.

A look page is the same HTML for every visitor who is not logged in, but for the CSRF
token: the nav says "Log in", the counts are empty and no message is waiting. So that
HTML is kept in the ``template_fragments`` cache under a digest of everything the page
shows (read fresh by the view, stock and prices included) and of the release (the
templates, the code and the static files' names), and each visitor gets it with their
own token put in. A change to what the page shows is a new entry; nothing stale is
served. A logged-in shopper, an htmx request, or a visitor with a message waiting gets
the page rendered as usual. A cache that does not answer is a miss (the alias ignores
its errors), never a 503.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

CACHE_ALIAS = "template_fragments"


def digest(value: object) -> str:
    """A short digest of a value's repr: plain data (dicts, lists, strings, numbers)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


@functools.cache
def release() -> str:
    """A digest of what turns the same data into different HTML: the templates, the
    Python code (the apps and the project package), the pinned libraries (their
    templates and tags) and the static files' hashed names. Read once per process; a
    deploy starts new processes, so its pages are new entries."""
    hasher = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    for pattern in (
        "templates/**/*.html",
        "apps/**/*.py",
        "apps/**/*.html",
        "baro/**/*.py",
        "requirements.txt",
    ):
        for path in sorted(root.glob(pattern)):
            hasher.update(str(path.relative_to(root)).encode())
            hasher.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or "", "staticfiles.json")
    if settings.STATIC_ROOT and manifest.is_file():
        hasher.update(manifest.read_bytes())
    return hasher.hexdigest()


def _shared(request) -> bool:
    """Whether this request sees what every visitor who is not logged in sees."""
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and not getattr(request, "htmx", False)
        and (user is None or not user.is_authenticated)
        and not len(get_messages(request))  # len() reads them without using them up
    )


def render_public(request, template: str, context: dict, *, version: str) -> HttpResponse:
    """``render()``, served from the cache for visitors who are not logged in.

    ``version`` is a digest of everything ``context`` shows (see ``digest``)."""
    if not _shared(request):
        return render(request, template, context)
    cache = caches[CACHE_ALIAS]
    key = f"page:{release()}:{request.path}:{version}"
    token = get_token(request)  # this visitor's (and the cookie that goes with it)
    cached = cache.get(key)
    if cached is not None:
        cached_token, html = cached
        return HttpResponse(html.replace(cached_token, token))
    # The page is rendered with this visitor's token and stored with it, so the next
    # visitor's token replaces exactly that string: 64 random characters, which no
    # other part of a page can contain.
    response = render(request, template, {**context, "csrf_token": token})
    if response.status_code == 200:
        cache.set(key, (token, response.content.decode()))
    return response
