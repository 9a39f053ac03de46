"""Keyset (cursor) pagination. Never OFFSET: every page is an index range scan.

A cursor carries the sort key of the last row shown, signed so it cannot be forged
into an arbitrary query and opaque to the shopper. Lists here sort every key
descending, and the "after the cursor" condition is one row comparison
``(k1, k2, ...) < (v1, v2, ...)``, which PostgreSQL (and SQLite) match against a
composite index in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan

MAX_CURSOR_LENGTH = 300


class InvalidCursor(ValueError):
    """A cursor that was not made by us for this list."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def encode_cursor(values: list[int], *, kind: str) -> str:
    return signing.dumps([int(value) for value in values], salt=f"cursor:{kind}")


def decode_cursor(token: str, *, kind: str, length: int) -> list[int]:
    if len(token) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor too long")
    try:
        values = signing.loads(token, salt=f"cursor:{kind}")
    except signing.BadSignature as exc:
        raise InvalidCursor("cursor signature does not match") from exc
    if (
        not isinstance(values, list)
        or len(values) != length
        or not all(isinstance(value, int) and not isinstance(value, bool) for value in values)
    ):
        raise InvalidCursor("cursor has the wrong shape")
    return values


def keyset_queryset(
    queryset: QuerySet, *, keys: tuple[str, ...], cursor: str | None, size: int, kind: str
) -> QuerySet:
    """The query behind :func:`keyset_page`: rows after ``cursor``, one extra to see
    whether another page follows."""
    queryset = queryset.order_by(*(f"-{key}" for key in keys))
    if cursor:
        values = decode_cursor(cursor, kind=kind, length=len(keys))
        if len(keys) == 1:
            queryset = queryset.filter(**{f"{keys[0]}__lt": values[0]})
        else:
            queryset = queryset.filter(
                TupleLessThan(Tuple(*(F(key) for key in keys)), tuple(values))
            )
    return queryset[: size + 1]


def keyset_page(
    queryset: QuerySet, *, keys: tuple[str, ...], cursor: str | None, size: int, kind: str
) -> Page:
    """One page of ``queryset`` ordered by ``keys`` descending, after ``cursor``.

    ``keys`` must end with a unique column (the id) so the order is total and no
    row is skipped or repeated between pages, even when earlier keys tie.
    """
    rows = list(keyset_queryset(queryset, keys=keys, cursor=cursor, size=size, kind=kind))
    return page_of(rows, keys=keys, size=size, kind=kind)


def page_of(rows: list, *, keys: tuple[str, ...], size: int, kind: str) -> Page:
    """The page from up to ``size + 1`` rows read after a cursor in ``keys`` order
    (by ``keyset_page`` or by a statement written out): the extra row, if read, says
    that another page follows."""
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, key) for key in keys], kind=kind)
    return Page(items=items, next_cursor=next_cursor)
