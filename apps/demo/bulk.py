"""Bulk writing for demo data: rows as plain tuples, COPY on PostgreSQL, executemany
on SQLite; and the demo's fans, whose like rows stand behind every like count."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.db import connection

from apps.accounts.models import User

FAN_DOMAIN = "fans.baro.local"


def writer(table: str, columns: list[str]) -> Callable[[list[tuple]], None]:
    """A function that appends rows to ``table`` as fast as the backend allows."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":

        def copy_rows(rows: list[tuple]) -> None:
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)

        return copy_rows

    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - our own table names

    def insert_rows(rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    return insert_rows


def timestamp(unix_ms: int):
    moment = datetime.fromtimestamp(unix_ms / 1000, tz=UTC)
    return (
        connection.ops.adapt_datetimefield_value(moment)
        if connection.vendor != "postgresql"
        else moment
    )


def fan_ids(count: int) -> list[int]:
    """Ids of ``count`` demo fans (created on first use): shoppers whose likes give
    products and looks their like counts. They cannot log in (unusable password)."""
    have = list(
        User.objects.filter(email__endswith=f"@{FAN_DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(have) < count:
        password = make_password(None)
        User.objects.bulk_create(
            User(email=f"fan{index:05d}@{FAN_DOMAIN}", name=f"Fan {index}", password=password)
            for index in range(len(have), count)
        )
        return fan_ids(count)
    return [int(pk) for pk in have[:count]]


def likers(rng: random.Random, fans: list[int], alpha: float, scale: int) -> list[int]:
    """Who likes one item: a long-tailed number of distinct fans (most items a few,
    a few items many), at most every fan."""
    wanted = min(int(rng.paretovariate(alpha) * scale) - scale, len(fans))
    return rng.sample(fans, wanted) if wanted > 0 else []


def delete_fans() -> None:
    User.objects.filter(email__endswith=f"@{FAN_DOMAIN}").delete()
