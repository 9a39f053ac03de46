from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F

from apps.core.errors import ShopError
from apps.core.rows import Columns, fetch, insert_parts, placeholders

from .models import Look, LookProduct, Swipe

Reaction = Swipe.Reaction


class LookUnavailable(ShopError):
    message = "That look is no longer available."


@dataclass(frozen=True)
class SwipeResult:
    swipe: Swipe
    changed: bool  # False when the same reaction was already recorded (a double tap)
    created: bool = False  # a new row: the shopper's latest swipe
    # The shopper's liked looks with this swipe, when the statement that recorded it
    # counted them too (a first swipe, on PostgreSQL); None otherwise.
    liked_count: int | None = None


def _move_likes(look_id: int, delta: int) -> None:
    if delta:
        Look.objects.filter(pk=look_id).update(likes_count=F("likes_count") + delta)


_LOOK = Columns(Look, "l")
_SWIPE = Columns(Swipe, "s")


def _insert_first_swipe(*, user, look_id: int, reaction: str) -> SwipeResult | None:
    """The shopper's first swipe on a published look, in one statement: inserted only
    if the look is published and the shopper has no swipe on it yet (the (user, look)
    unique index decides, ``ON CONFLICT DO NOTHING``). On PostgreSQL a like also counts
    in that statement, and the statement answers with the shopper's liked count for
    the header. None when nothing was inserted: the caller then finds out why.

    The swipe is the shop's most frequent write; through the ORM it took an EXISTS,
    a savepoint around the INSERT and an UPDATE, seven round trips with BEGIN and
    COMMIT (docs/performance.md).
    """
    using = router.db_for_write(Swipe)
    connection = connections[using]
    quote = connection.ops.quote_name
    swipe = Swipe(user=user, look_id=look_id, reaction=reaction)
    columns, values = insert_parts(swipe, connection)
    swipes = quote(Swipe._meta.db_table)
    unique = ", ".join(quote(Swipe._meta.get_field(name).column) for name in ("user", "look"))
    # Only quoted names from the models and placeholders are joined; values are parameters.
    insert = (
        f"INSERT INTO {swipes} ({columns})"  # noqa: S608
        f" SELECT {placeholders(values)} WHERE EXISTS (SELECT 1 FROM {_LOOK.table(using)}"
        f" WHERE {_LOOK.column('id', using)} = %s AND {_LOOK.column('is_active', using)})"
        f" ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(Swipe._meta.pk.column)}"
    )
    params = [*values, int(look_id)]
    counts = reaction == Reaction.LIKE
    liked_count: int | None = None
    if connection.vendor == "postgresql":
        # The count reads the table as it was before this statement's own insert
        # (one snapshot for the whole statement), so a like adds itself.
        reacted, user_column = (
            quote(Swipe._meta.get_field(name).column) for name in ("reaction", "user")
        )
        liked = (
            f"(SELECT COUNT(*) FROM {swipes}"  # noqa: S608
            f" WHERE {user_column} = %s AND {reacted} = %s) + %s"
        )
        liked_params = [int(user.pk), Reaction.LIKE.value, int(counts)]
        if counts:
            likes = quote(Look._meta.get_field("likes_count").column)
            sql = (
                f"WITH new AS ({insert}), counted AS ("  # noqa: S608
                f"UPDATE {quote(Look._meta.db_table)} SET {likes} = {likes} + 1"
                f" WHERE {quote(Look._meta.pk.column)} = %s AND EXISTS (SELECT 1 FROM new))"
                f" SELECT {liked} FROM new"
            )
            params.append(int(look_id))
        else:
            sql = f"WITH new AS ({insert}) SELECT {liked} FROM new"  # noqa: S608
        inserted = fetch(using, sql, [*params, *liked_params])
        liked_count = int(inserted[0][0]) if inserted else None
    elif counts:
        with transaction.atomic(using=using):
            inserted = fetch(using, insert, params)
            if inserted:
                _move_likes(look_id, 1)
    else:
        inserted = fetch(using, insert, params)
    if not inserted:
        return None
    swipe._state.adding = False
    swipe._state.db = using
    return SwipeResult(swipe=swipe, changed=True, created=True, liked_count=liked_count)


def swipe_record(*, user, look_id: int, reaction: str) -> SwipeResult:
    """Record (or change) ``user``'s reaction to a look.

    Idempotent per user and look: the same reaction twice changes nothing. The
    look's ``likes_count`` moves only by the rows this call really inserted or
    changed, so it equals the number of like swipes under any concurrency.
    """
    if reaction not in Reaction.values:
        raise ValueError(f"unknown reaction {reaction!r}")
    first = _insert_first_swipe(user=user, look_id=look_id, reaction=reaction)
    if first is not None:
        return first
    # Nothing inserted: the look is gone, or the shopper swiped it before (a double
    # tap, a change of mind from the liked page, or a swipe just undone by another tab).
    with transaction.atomic():
        if not Look.objects.filter(pk=look_id, is_active=True).exists():
            raise LookUnavailable()
        try:
            with transaction.atomic():
                swipe = Swipe.objects.create(user=user, look_id=look_id, reaction=reaction)
        except IntegrityError:
            swipe = Swipe.objects.get(user=user, look_id=look_id)
            # Compare-and-set: of two requests changing the same reaction at once,
            # only one UPDATE matches the old value, so the count moves once.
            changed = (
                Swipe.objects.filter(pk=swipe.pk)
                .exclude(reaction=reaction)
                .update(reaction=reaction)
            )
            if changed:
                _move_likes(look_id, 1 if reaction == Reaction.LIKE else -1)
                swipe.reaction = reaction
            return SwipeResult(swipe=swipe, changed=bool(changed))
        _move_likes(look_id, 1 if reaction == Reaction.LIKE else 0)
        return SwipeResult(swipe=swipe, changed=True, created=True)


def swipe_undo(*, user, swipe_id: int | None = None) -> Swipe | None:
    """Take back ``user``'s most recent swipe and return it (None if there is none).

    ``swipe_id`` names the swipe the shopper saw as "last": a second tap on undo
    that raced the first then finds it gone and undoes nothing more.
    """
    using = router.db_for_write(Swipe)
    if connections[using].vendor == "postgresql":
        return _undo_in_one_statement(using, user=user, swipe_id=swipe_id)
    with transaction.atomic():
        latest = Swipe.objects.filter(user=user).order_by("-id").first()
        if latest is None or (swipe_id is not None and latest.pk != swipe_id):
            return None
        deleted, _ = Swipe.objects.filter(pk=latest.pk).delete()
        if not deleted:
            return None  # a concurrent undo took it
        _move_likes(latest.look_id, -1 if latest.reaction == Reaction.LIKE else 0)
        return latest


def _undo_in_one_statement(using: str, *, user, swipe_id: int | None) -> Swipe | None:
    """``swipe_undo`` on PostgreSQL: the shopper's latest swipe deleted (if it is the
    one named) and, if it was a like, taken off the look's count, in one statement that
    answers with the swipe. Through the ORM it took a SELECT, the delete collector's
    DELETE and an UPDATE, five round trips with BEGIN and COMMIT (docs/performance.md).
    A second tap that read the same latest swipe waits for the first one's delete, then
    deletes nothing; one that names no swipe and reads after the first committed takes
    back the swipe before it, as two undos would."""
    quote = connections[using].ops.quote_name
    id_column, user_column, look_column, reaction_column = (
        quote(Swipe._meta.get_field(name).column) for name in ("id", "user", "look", "reaction")
    )
    swipes = quote(Swipe._meta.db_table)
    likes = quote(Look._meta.get_field("likes_count").column)
    named = f" AND {_SWIPE.column('id', using)} = %s" if swipe_id is not None else ""
    # Only quoted names from the models and placeholders are joined; values are parameters.
    sql = (
        f"WITH gone AS (DELETE FROM {_SWIPE.table(using)} WHERE {_SWIPE.column('id', using)} ="  # noqa: S608
        f" (SELECT {id_column} FROM {swipes} WHERE {user_column} = %s ORDER BY {id_column} DESC LIMIT 1)"
        f"{named} RETURNING {_SWIPE.sql(using)}),"
        f" counted AS (UPDATE {quote(Look._meta.db_table)} SET {likes} = {likes} - 1"
        f" WHERE {quote(Look._meta.pk.column)} IN"
        f" (SELECT {look_column} FROM gone WHERE {reaction_column} = %s))"
        f" SELECT * FROM gone"
    )
    params = [int(user.pk), *([] if swipe_id is None else [int(swipe_id)]), Reaction.LIKE.value]
    rows = fetch(using, sql, params)
    return _SWIPE.build(rows[0], using) if rows else None


def looks_refresh_categories(*, look_ids: Iterable[int]) -> None:
    """Recompute ``category_mask`` of these looks from their products' categories.

    The one place the mask is written. It runs whenever a look's products, a
    product's category or a category's position changes (see ``signals``), inside the
    same transaction, so the feed never ranks on a stale mask.
    """
    ids = sorted({int(look_id) for look_id in look_ids})
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        masks = dict.fromkeys(chunk, 0)
        for look_id, position in LookProduct.objects.filter(look_id__in=chunk).values_list(
            "look_id", "product__category__position"
        ):
            masks[int(look_id)] |= category_bit(position)
        by_mask: dict[int, list[int]] = defaultdict(list)
        for look_id, mask in masks.items():
            by_mask[mask].append(look_id)
        for mask, same in by_mask.items():
            Look.objects.filter(pk__in=same).exclude(category_mask=mask).update(category_mask=mask)


def category_bit(position: int) -> int:
    return 1 << (position % 62)
