"""Checks behind /healthz: does the database answer, does the cache answer."""

import logging

from django.core.cache import caches
from django.db import connection

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:
        # One line, no traceback: a balancer asks every few seconds during an outage.
        logger.warning("health check: database did not answer: %s", error)
        return False


def cache_ok() -> bool:
    cache = caches["default"]
    try:
        client = getattr(cache, "client", None)
        if client is not None and hasattr(client, "get_client"):
            # django-redis: ask the server itself rather than trusting a cache read.
            return bool(client.get_client(write=True).ping())
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") == "ok"
    except Exception as error:
        logger.warning("health check: cache did not answer: %s", error)
        return False
