"""Flash messages in a cookie the browser cannot read.

Django's cookie storage signs the messages but leaves them readable (base64 of JSON).
This one also encrypts them (Fernet, from the ``cryptography`` package), with a key
drawn from SECRET_KEY. It is a cookie rather than the session so that showing a
message never writes the session: during a Redis outage a session cannot be written
(apps/core/sessions.py), and every action that says "Added to your cart" would be a 503.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage


@functools.cache
def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(b"baro.messages:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class SealedCookieStorage(CookieStorage):
    def _encode_parts(self, messages, encode_empty=False):
        signed = super()._encode_parts(messages, encode_empty=encode_empty)
        if not signed:
            return signed
        return _fernet(settings.SECRET_KEY).encrypt(signed.encode()).decode()

    def _decode(self, data):
        if not data:
            return None
        try:
            signed = _fernet(settings.SECRET_KEY).decrypt(data.encode()).decode()
        except (InvalidToken, ValueError):
            self.used = True  # unreadable: dropped, as Django drops a bad signature
            return None
        return super()._decode(signed)
