"""NearCache: a process's copy of a shared cache whose entries never change. And the
caches are not closed after each request when closing them does nothing."""

import threading
import time
import uuid
from unittest import mock

import pytest
from django.core.cache import caches, close_caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished
from django.template import engines
from django_redis.cache import RedisCache
from django_redis.client import DefaultClient

from apps.core.cache import NearCache, _size, skip_closing_caches

# Room for two entries of 400 plain characters under a one-letter key, not three.
ENTRY = _size(":1:a", "x" * 400)
ROOM = int(ENTRY * 2.5)


@pytest.fixture
def near(settings):
    """A NearCache over a local-memory 'shared' cache, both new for each test."""
    shared = f"shared-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        shared: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": shared},
    }
    cache = NearCache(shared, {"TIMEOUT": 60, "OPTIONS": {"MAX_BYTES": ROOM}})
    cache.shared = caches[shared]
    return cache


@pytest.fixture
def clock(monkeypatch):
    """time.time() that moves only when told (both copies read it)."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_a_string_read_once_is_served_from_the_process(near):
    near.shared.set("page", "<p>hi</p>")
    assert near.get("page") == "<p>hi</p>"  # read through, and kept
    near.shared.delete("page")  # only the process's copy can answer now
    assert near.get("page") == "<p>hi</p>"
    assert near.has_key("page")


def test_what_is_written_is_kept_in_both(near):
    near.set("page", ("token", "<p>hi</p>"))
    assert near.shared.get("page") == ("token", "<p>hi</p>")
    near.shared.delete("page")
    assert near.get("page") == ("token", "<p>hi</p>")


def test_values_that_could_change_in_place_are_not_kept(near):
    near.set("data", {"a": 1})
    near.set("listed", ("a", ["b"]))
    near.shared.clear()
    assert near.get("data") is None
    assert near.get("listed", "gone") == "gone"


def test_a_miss_everywhere_is_the_default(near):
    assert near.get("nothing") is None
    assert near.get("nothing", "default") == "default"
    assert not near.has_key("nothing")


def test_the_copy_keeps_the_most_recently_used_up_to_its_size(near):
    near.set("a", "x" * 400)
    near.set("b", "y" * 400)
    near.get("a")  # used last: "b" goes first
    near.set("c", "z" * 400)  # three do not fit
    near.shared.clear()
    assert near.get("a") == "x" * 400
    assert near.get("c") == "z" * 400
    assert near.get("b") is None


def test_the_size_is_counted_in_bytes_as_python_stores_them(near):
    """Half as many characters as the plain ones, but "₩" takes two bytes, and three
    more for the UTF-8 copy CPython keeps once the string is pickled: two do not fit."""
    near.set("a", "₩" * 200)
    near.set("b", "₩" * 200)
    near.shared.clear()
    assert near.get("a") is None
    assert near.get("b") == "₩" * 200


def test_a_value_larger_than_the_copy_is_only_shared(near):
    near.set("big", "x" * ROOM)
    assert near.get("big") == "x" * ROOM
    near.shared.delete("big")
    assert near.get("big") is None


def test_an_expired_copy_is_not_served(near):
    near.set("page", "<p>hi</p>", timeout=0)  # expires at once, in both
    near.shared.set("page", "<p>new</p>")
    assert near.get("page") == "<p>new</p>"


def test_a_copy_read_from_the_shared_cache_lasts_the_alias_timeout(near, clock):
    near.shared.set("page", "<p>hi</p>", timeout=None)
    assert near.get("page") == "<p>hi</p>"
    near.shared.delete("page")
    clock[0] += 59
    assert near.get("page") == "<p>hi</p>"
    clock[0] += 2  # past the alias's 60 s
    assert near.get("page") is None


def test_no_timeout_means_kept_until_pushed_out(near, clock):
    near.set("page", "<p>hi</p>", timeout=None)
    near.shared.delete("page")
    clock[0] += 365 * 24 * 3600
    assert near.get("page") == "<p>hi</p>"


def test_the_threads_of_a_process_share_one_copy(near):
    """Django builds a backend per thread; what one thread read, the others have."""
    near.set("page", "<p>hi</p>")
    near.shared.delete("page")
    seen = []

    def other_thread():
        other = NearCache(near._shared_alias, {"TIMEOUT": 60, "OPTIONS": {"MAX_BYTES": ROOM}})
        seen.append(other.get("page"))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == ["<p>hi</p>"]


def test_a_copy_of_another_size_is_another_copy(near):
    near.set("page", "<p>hi</p>")
    near.shared.delete("page")
    bigger = NearCache(near._shared_alias, {"TIMEOUT": 60, "OPTIONS": {"MAX_BYTES": ROOM * 2}})
    assert bigger.get("page") is None
    assert bigger._copy.maxsize == ROOM * 2


def test_a_cache_tag_fragment_is_kept_as_it_was_rendered(near, settings):
    """{% cache %} stores a SafeString: kept in the process, and not escaped again."""
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {
            "BACKEND": "apps.core.cache.NearCache",
            "LOCATION": near._shared_alias,
            "OPTIONS": {"MAX_BYTES": ROOM},
        },
    }
    template = engines["django"].from_string(
        "{% load cache %}{% cache 60 card %}<b>{{ name }}</b>{% endcache %}"
    )
    assert template.render({"name": "<i>"}) == "<b>&lt;i&gt;</b>"
    near.shared.clear()  # only this process's copy has it now
    assert template.render({"name": "other"}) == "<b>&lt;i&gt;</b>"


def test_delete_and_clear_reach_both(near):
    near.set("a", "1")
    near.set("b", "2")
    assert near.delete("a")
    assert near.get("a") is None and near.shared.get("a") is None
    near.clear()
    assert near.get("b") is None and near.shared.get("b") is None


def test_add_keeps_only_what_it_added(near):
    near.shared.set("page", "first")
    assert not near.add("page", "second")
    assert near.get("page") == "first"
    assert near.add("other", "value")
    near.shared.delete("other")
    assert near.get("other") == "value"


def test_touch_reads_the_entry_again(near):
    near.set("page", "old")
    near.shared.set("page", "new")  # cannot happen with digest keys; shows the copy dropped
    assert near.touch("page", 30)
    assert near.get("page") == "new"


def test_versions_are_separate_entries(near):
    near.set("page", "v1", version=1)
    near.set("page", "v2", version=2)
    near.shared.clear()
    assert near.get("page", version=1) == "v1"
    assert near.get("page", version=2) == "v2"


def test_clearing_the_copy_leaves_the_shared_cache(near):
    near.set("page", "<p>hi</p>")
    near.shared.set("page", "<p>shared</p>")  # as if another process wrote it
    near.clear_copy()
    assert near.get("page") == "<p>shared</p>"


@pytest.mark.redis
def test_the_tests_empty_their_own_keys_only(settings):
    """Redis here is shared with other programs: resetting the caches between tests
    must not empty its database."""
    from tests.caches import empty

    redis = caches["default"].client.get_client()
    redis.set("another-program:key", "kept")
    try:
        for alias in settings.CACHES:
            empty(alias)
        assert redis.get("another-program:key") == b"kept"
    finally:
        redis.delete("another-program:key")


# --- Closing caches after a request ---------------------------------------------------


class ClosingCache(LocMemCache):
    def close(self, **kwargs):
        pass  # stands for a backend that has something to close


class ClosingClient(DefaultClient):
    def close(self, **kwargs):
        pass


@pytest.fixture
def close_receiver():
    """Django's close_caches connected for the test; afterwards, as it was before."""
    was_connected = request_finished.disconnect(close_caches)
    request_finished.connect(close_caches)
    yield
    request_finished.disconnect(close_caches)
    if was_connected:
        request_finished.connect(close_caches)


def _closes_after_requests() -> bool:
    connected = request_finished.disconnect(close_caches)
    if connected:
        request_finished.connect(close_caches)
    return connected


def test_the_shops_caches_are_not_closed_after_each_request():
    # Whichever the environment gave: local memory, or Redis with the process's copy.
    assert not _closes_after_requests()


def test_the_receiver_is_taken_off_for_caches_whose_close_does_nothing(close_receiver, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://x/0"},
        "sentinel": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://x/0",
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.SentinelClient"},
        },
        "fragments": {"BACKEND": "apps.core.cache.NearCache", "LOCATION": "default"},
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert skip_closing_caches()
    assert not _closes_after_requests()


@pytest.mark.parametrize(
    "other",
    [
        {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"},
        {"BACKEND": "tests.core.test_cache.ClosingCache"},
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://x/0",
            "OPTIONS": {"CLOSE_CONNECTION": True},
        },
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://x/0",
            "OPTIONS": {"CLIENT_CLASS": "tests.core.test_cache.ClosingClient"},
        },
    ],
    ids=["memcached", "a close of its own", "redis closing its pool", "a redis client's close"],
)
def test_a_cache_that_closes_something_keeps_the_receiver(close_receiver, settings, other):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "other": other,
    }
    assert not skip_closing_caches()
    assert _closes_after_requests()


@pytest.mark.parametrize("option", [None, False], ids=["by the setting", "option says no"])
def test_the_redis_setting_to_close_counts_unless_the_alias_says_otherwise(
    close_receiver, settings, option
):
    settings.DJANGO_REDIS_CLOSE_CONNECTION = True
    alias = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://x/0"}
    if option is not None:
        alias["OPTIONS"] = {"CLOSE_CONNECTION": option}
    settings.CACHES = {"default": alias}
    assert skip_closing_caches() is (option is False)
    assert _closes_after_requests() is (option is None)


@pytest.mark.parametrize("asked", [False, True])
def test_django_redis_disconnects_on_close_only_when_asked(asked):
    # What the rule above reads from django-redis: its close() leaves the pool alone
    # unless CLOSE_CONNECTION is set (no connection is made by either).
    cache = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"CLOSE_CONNECTION": asked}})
    assert cache.client  # made, as after a request that used the cache
    with mock.patch.object(DefaultClient, "do_close_clients") as disconnect:
        cache.close()
    assert disconnect.called is asked
