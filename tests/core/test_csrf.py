"""Django's CSRF secrets and masks come from apps.core.csrf.random_string: one read of
the OS's random source, every allowed character equally likely."""

from collections import Counter
from unittest import mock

import pytest
from django.middleware import csrf
from django.test import Client
from django.utils import crypto

from apps.core.csrf import random_string

CHARS = csrf.CSRF_ALLOWED_CHARS  # 62 characters


def drawing(*chunks: bytes):
    """secrets.token_bytes answering with these bytes, one chunk a call."""
    return mock.patch("apps.core.csrf.secrets.token_bytes", side_effect=list(chunks))


def test_each_byte_value_kept_maps_to_a_character_equally_often():
    # Every byte value once, the largest first: the 248 below 4 times 62 make 248
    # characters, each allowed character exactly 4 times; the 8 above would favour the
    # first 8 characters.
    with drawing(bytes(range(255, -1, -1))):
        drawn = random_string(248, CHARS)
    assert drawn == "".join(CHARS[byte % 62] for byte in range(247, -1, -1))
    assert set(Counter(drawn).values()) == {4}


def test_bytes_that_would_bias_the_draw_are_dropped_and_more_drawn():
    with drawing(bytes([248, 255, 0, 61]), bytes([250, 62, 1])) as token_bytes:
        assert random_string(4, CHARS) == CHARS[0] + CHARS[61] + CHARS[0] + CHARS[1]
    assert token_bytes.call_count == 2


def test_the_cut_off_follows_the_alphabets_size():
    # 3 characters: 255 bytes (0 to 254) map evenly, 255 alone would favour the first.
    with drawing(bytes([255, 254, 0, 4])):
        assert random_string(3, "abc") == "cab"


def test_a_string_from_the_real_source():
    first, second = random_string(32, CHARS), random_string(32, CHARS)
    assert len(first) == len(second) == 32
    assert set(first + second) <= set(CHARS)
    assert first != second


@pytest.mark.parametrize("alphabet", ["", "x" * 257])
def test_an_alphabet_no_byte_can_cover_is_refused(alphabet):
    with pytest.raises(ValueError, match="between 1 and 256"):
        random_string(8, alphabet)


def test_only_djangos_csrf_module_is_given_it():
    assert csrf.get_random_string is random_string
    assert crypto.get_random_string is not random_string


def test_django_draws_csrf_secrets_and_masks_with_it():
    with drawing(bytes(range(40)), bytes(range(40, 80))):
        secret = csrf._get_new_csrf_string()
        token = csrf._mask_cipher_secret(secret)
    assert secret == "".join(CHARS[byte % 62] for byte in range(32))
    assert token[:32] == "".join(CHARS[byte % 62] for byte in range(40, 72))  # the mask
    assert csrf._unmask_cipher_token(token) == secret


@pytest.mark.django_db
def test_a_visitors_token_from_the_new_draw_is_accepted():
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/accounts/login/")
    cookie = visitor.cookies["csrftoken"].value
    assert len(cookie) == 32 and set(cookie) <= set(CHARS)
    token = csrf._mask_cipher_secret(cookie)
    refused = visitor.post("/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64})
    accepted = visitor.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert refused.status_code == 403
    assert accepted.status_code == 302
