"""Django's CSRF secrets and masks drawn with one read of the OS's random source.

Every page that shows a CSRF token masks the shopper's secret with a new random string
of 32 characters, and a visitor without the cookie gets a new secret too (Django's
``django.middleware.csrf``). Django draws such a string with ``secrets.choice`` once a
character: 32 calls through ``random.SystemRandom``, 30 µs of CPU a string here, about
1 % of a shopper's page and 9 % of a visitor's cached look page (docs/performance.md).
``random_string`` draws the same strings from ``secrets.token_bytes``, the same source
(``os.urandom``), in about 4 µs.

Each byte below the largest multiple of the alphabet's size that fits in a byte (248 for
the 62 characters Django allows) becomes ``alphabet[byte % size]``, so every character
is exactly as likely as with ``secrets.choice``; a byte at or above it is dropped, and
more are drawn if too many were (about one string in 300,000).
"""

from __future__ import annotations

import secrets

from django.middleware import csrf

# Bytes drawn at a time for every 32 characters: enough for one draw, almost always.
_DRAW_PER_32 = 40


def random_string(length: int, allowed_chars: str) -> str:
    """``length`` characters of ``allowed_chars``, each drawn uniformly from the OS's
    cryptographic random source (as ``django.utils.crypto.get_random_string``)."""
    size = len(allowed_chars)
    if not 0 < size <= 256:
        raise ValueError("allowed_chars must have between 1 and 256 characters")
    limit = 256 - 256 % size
    drawn: list[str] = []
    while len(drawn) < length:
        missing = length - len(drawn)
        draw = secrets.token_bytes(-(-missing * _DRAW_PER_32 // 32))
        drawn += [allowed_chars[byte % size] for byte in draw if byte < limit]
    return "".join(drawn[:length])


def install() -> None:
    """Make Django's CSRF module draw its secrets and masks with ``random_string``.
    Only that module's name is replaced: ``django.utils.crypto.get_random_string``,
    which everything else uses, stays Django's."""
    csrf.get_random_string = random_string
