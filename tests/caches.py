"""Emptying a cache in a test without emptying anyone else's keys."""

from django.core.cache import caches

from apps.core.cache import NearCache


def empty(alias: str = "default") -> None:
    """Drop this test run's entries from ``alias``. On Redis that is the keys under the
    run's own prefix: ``clear()`` would empty the whole database, which other
    programs on the machine share. Of a NearCache, this process's copy: the alias it
    copies is emptied on its own."""
    cache = caches[alias]
    if isinstance(cache, NearCache):
        cache.clear_copy()
    elif hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
