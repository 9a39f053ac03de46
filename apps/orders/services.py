"""Cart, checkout and order changes. Stock is taken and put back through
``apps.products.services`` (which alone locks the stock rows, a checkout's last);
an order row is locked through ``lock_objects`` before the stock rows of its items."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Sum
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from apps.accounts.services import user_remember_address
from apps.core.db import retry_on_conflict
from apps.core.errors import Busy, ShopError
from apps.core.rows import fetch, insert_parts, placeholders
from apps.products.models import Variant
from apps.products.rules import MAX_LINE_QUANTITY
from apps.products.selectors import variant_photos, variants_with_products
from apps.products.services import OutOfStock, VariantUnavailable, stock_return, stock_take

from .lock_objects import lock_order, lock_shopper
from .models import MAX_CART_LINES, CartItem, Order, OrderItem
from .selectors import CART_ITEM
from .tasks import order_send_confirmation

logger = logging.getLogger(__name__)

MAX_ADDRESS_LENGTH = 500


class OrderError(ShopError):
    """A checkout or order change that cannot go ahead; ``message`` is for the shopper."""

    message = "Something about this order is not right."


class InvalidQuantity(OrderError):
    message = f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}."


class CartFull(OrderError):
    message = f"Your cart holds at most {MAX_CART_LINES} different items."


class EmptyOrder(OrderError):
    message = "There is nothing to check out."


class InvalidAddress(OrderError):
    message = f"Enter a shipping address (at most {MAX_ADDRESS_LENGTH} characters)."


class NotCancellable(OrderError):
    message = "This order can no longer be cancelled."


class InvalidTransition(OrderError):
    message = "That status change is not allowed."


class PurchaseLimit(OrderError):
    """A product sold at most ``limit`` units per shopper, and this order goes past it."""

    def __init__(self, *, product_name: str, limit: int, held: int) -> None:
        self.product_name, self.limit, self.held = product_name, limit, held
        unit = "unit" if limit == 1 else "units"
        already = f", and you already have {held} in open orders" if held else ""
        super().__init__(f"{product_name} is limited to {limit} {unit} per shopper{already}.")

    @classmethod
    def check(cls, *, product_name: str, limit: int, held: int, adding: int) -> None:
        """Raise when ``adding`` more units on top of ``held`` goes past ``limit``."""
        if held + adding > limit:
            raise cls(product_name=product_name, limit=limit, held=held)


OPEN_STATUSES = (Order.Status.ORDERED, Order.Status.SHIPPED)


def units_held(*, user, product_ids) -> dict[int, int]:
    """Units of each product the shopper has in open orders (ordered or shipped)."""
    rows = (
        OrderItem.objects.filter(
            order__user=user, order__status__in=OPEN_STATUSES, product_id__in=list(product_ids)
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    return {int(product_id): units for product_id, units in rows}


def _check_cart_limit(*, user, variant: Variant, quantity: int) -> None:
    """Say so when the shopper puts more of a limited product in the cart than they
    may buy (in the cart, all sizes, and in open orders). Only a courtesy: the
    checkout counts again under the shopper's lock."""
    limit = variant.product.max_per_shopper
    if not limit:
        return
    held = units_held(user=user, product_ids=[variant.product_id]).get(variant.product_id, 0)
    in_cart = sum(
        CartItem.objects.filter(user=user, variant__product_id=variant.product_id).values_list(
            "quantity", flat=True
        )
    )
    PurchaseLimit.check(
        product_name=variant.product.name, limit=limit, held=held, adding=in_cart + quantity
    )


def _check_limits(*, user, lines: list[Line], variants: dict[int, Variant]) -> None:
    """Refuse an order that takes a shopper past a product's limit. Runs inside the
    checkout's transaction and counts under ``lock_shopper``, so the count includes every
    order this shopper committed before, and a concurrent checkout of theirs waits."""
    limited: dict[int, tuple[str, int, int]] = {}
    for line in lines:
        product = variants[line.variant_id].product
        if product.max_per_shopper:
            name, limit, units = limited.get(product.pk, (product.name, product.max_per_shopper, 0))
            limited[product.pk] = (name, limit, units + line.quantity)
    if not limited:
        return
    lock_shopper(user_id=user.pk)
    held = units_held(user=user, product_ids=limited)
    for product_id, (name, limit, units) in limited.items():
        PurchaseLimit.check(
            product_name=name, limit=limit, held=held.get(product_id, 0), adding=units
        )


@dataclass(frozen=True)
class Line:
    variant_id: int
    quantity: int


def merge_lines(lines: list[Line]) -> list[Line]:
    """One line per variant (quantities added), in the order first seen."""
    merged: OrderedDict[int, int] = OrderedDict()
    for line in lines:
        if not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            raise InvalidQuantity()
        merged[int(line.variant_id)] = merged.get(int(line.variant_id), 0) + line.quantity
    if not merged:
        raise EmptyOrder()
    if len(merged) > MAX_CART_LINES:
        raise CartFull()
    if any(quantity > MAX_LINE_QUANTITY for quantity in merged.values()):
        raise InvalidQuantity()
    return [Line(variant_id, quantity) for variant_id, quantity in merged.items()]


# --- Cart ------------------------------------------------------------------------------


def _sellable_variant(variant_id: int) -> Variant:
    variant = variants_with_products([variant_id]).get(int(variant_id))
    if variant is None or not variant.product.is_active:
        raise VariantUnavailable()
    return variant


def cart_add(*, user, variant_id: int, quantity: int = 1) -> CartItem:
    """Add ``quantity`` of a size to the cart (on top of what is already there)."""
    with transaction.atomic():
        return _cart_add(user=user, variant_id=variant_id, quantity=quantity)


def _cart_add(*, user, variant_id: int, quantity: int) -> CartItem:
    """``cart_add`` inside the caller's transaction, with no savepoint of its own."""
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidQuantity()
    variant = _sellable_variant(variant_id)
    _check_cart_limit(user=user, variant=variant, quantity=quantity)
    item = _cart_line(user=user, variant_id=variant.pk, lock=True)
    if item is None:
        if _cart_lines(user=user) >= MAX_CART_LINES:
            raise CartFull()
        if quantity > variant.stock:
            raise OutOfStock(variant=variant, requested=quantity, available=variant.stock)
        # A double click may have made the line since: then this click is that one. If
        # that line is gone again by the time it is read (checked out, removed), this
        # click makes its own.
        for _ in range(3):
            item = _insert_line(user=user, variant_id=variant.pk, quantity=quantity)
            item = item or _cart_line(user=user, variant_id=variant.pk, lock=False)
            if item is not None:
                return item
        raise Busy()
    wanted = item.quantity + quantity
    if wanted > MAX_LINE_QUANTITY:
        raise InvalidQuantity()
    if wanted > variant.stock:
        raise OutOfStock(variant=variant, requested=wanted, available=variant.stock)
    item.quantity = wanted
    _update_quantity(item)
    return item


# Adding to the cart is 5 % of the shop's requests under load, and 3 of the 6 requests
# of a 3-line cart's order. Through the ORM it took a locking read, a count and an
# INSERT between a savepoint and its release (a double click's unique-key error had to
# be caught there); written out, the INSERT skips a line the shopper already has (ON
# CONFLICT DO NOTHING) and needs no savepoint, and an add costs 1.0-1.3 ms of CPU less
# (docs/performance.md). Only quoted names from the model and placeholders are
# joined into the statements; values are parameters. The line's columns are the cart
# page's (``selectors.CART_ITEM``).


def _cart_line(*, user, variant_id: int, lock: bool) -> CartItem | None:
    """The shopper's line of this size, or None. With ``lock``, the line stays locked
    to the end of the transaction, as ``select_for_update()`` would lock it."""
    using = router.db_for_write(CartItem)
    connection = connections[using]
    locking = lock and connection.features.has_select_for_update
    if locking and not connection.in_atomic_block:
        # As select_for_update() refuses: outside a transaction the lock would be let go
        # as soon as the statement ends.
        raise TransactionManagementError("A cart line is locked only inside a transaction.")
    rows = fetch(
        using,
        f"SELECT {CART_ITEM.sql(using)} FROM {CART_ITEM.table(using)}"  # noqa: S608 (names only)
        f" WHERE {CART_ITEM.column('user', using)} = %s AND {CART_ITEM.column('variant', using)} = %s"
        + (" FOR UPDATE" if locking else ""),
        [int(user.pk), int(variant_id)],
    )
    return CART_ITEM.build(rows[0], using) if rows else None


def _cart_lines(*, user) -> int:
    """How many different sizes the shopper's cart holds."""
    using = router.db_for_write(CartItem)
    rows = fetch(
        using,
        f"SELECT COUNT(*) FROM {CART_ITEM.table(using)}"  # noqa: S608 (names only)
        f" WHERE {CART_ITEM.column('user', using)} = %s",
        [int(user.pk)],
    )
    return rows[0][0]


def _insert_line(*, user, variant_id: int, quantity: int) -> CartItem | None:
    """A new line, or None if the shopper has one of this size already (the unique
    index on user and size decides)."""
    using = router.db_for_write(CartItem)
    connection = connections[using]
    quote = connection.ops.quote_name
    item = CartItem(user=user, variant_id=variant_id, quantity=quantity)
    columns, values = insert_parts(item, connection)
    unique = ", ".join(quote(CartItem._meta.get_field(name).column) for name in ("user", "variant"))
    rows = fetch(
        using,
        f"INSERT INTO {quote(CartItem._meta.db_table)}"  # noqa: S608 (names only)
        f" ({columns}) VALUES ({placeholders(values)})"
        f" ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(CartItem._meta.pk.column)}",
        values,
    )
    if not rows:
        return None
    item._state.adding, item._state.db = False, using
    return item


def _update_quantity(item: CartItem) -> None:
    """Write the line's quantity, and its time of change, as ``save(update_fields=...)``
    would."""
    using = router.db_for_write(CartItem)
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [CartItem._meta.get_field(name) for name in ("quantity", "updated_at")]
    values = [field.get_db_prep_save(field.pre_save(item, False), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(CartItem._meta.db_table)}"  # noqa: S608 (names only)
            f" SET {', '.join(f'{quote(field.column)} = %s' for field in fields)}"
            f" WHERE {quote(CartItem._meta.pk.column)} = %s",
            [*values, int(item.pk)],
        )
        if cursor.rowcount != 1:  # as save(update_fields=...) refuses a row that is gone
            raise DatabaseError("The cart line to update is gone.")


@retry_on_conflict
def cart_add_lines(*, user, lines: list[Line]) -> None:
    """Add several sizes at once (the pieces of a look), all or nothing: if one of them
    cannot go in, none do, and the error names it. Lines are taken in variant-id order,
    so two such requests lock the shopper's cart lines in the same order."""
    lines = sorted(merge_lines(lines), key=lambda line: line.variant_id)
    with transaction.atomic():  # one transaction; a line that fails rolls back them all
        for line in lines:
            _cart_add(user=user, variant_id=line.variant_id, quantity=line.quantity)


def cart_set_quantity(*, user, item_id: int, quantity: int) -> CartItem | None:
    """Change a line (0 removes it). Someone else's line is DoesNotExist."""
    if not 0 <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidQuantity()
    with transaction.atomic():
        item = CartItem.objects.select_for_update().get(pk=item_id, user=user)
        if quantity == 0:
            item.delete()
            return None
        item.quantity = quantity
        item.save(update_fields=["quantity", "updated_at"])
        return item


# --- Checkout ----------------------------------------------------------------------------


def _cart_remove(*, user, variant_ids: list[int]) -> None:
    """Take the ordered sizes out of the shopper's cart, by one DELETE written out:
    nothing refers to a cart line, and the ORM's delete took 0.3 ms of CPU to find that
    out on every checkout of a cart (docs/performance.md)."""
    ids = sorted({int(variant_id) for variant_id in variant_ids})
    if not ids:
        return
    using = router.db_for_write(CartItem)
    quote = connections[using].ops.quote_name
    user_column, variant_column = (
        quote(CartItem._meta.get_field(name).column) for name in ("user", "variant")
    )
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(CartItem._meta.db_table)} WHERE {user_column} = %s"  # noqa: S608
            f" AND {variant_column} IN ({placeholders(ids)})",
            [int(user.pk), *ids],
        )


@retry_on_conflict
def _place(
    *,
    user,
    lines: list[Line],
    shipping_address: str,
    idempotency_key: str,
    from_cart: bool,
    variants: dict[int, Variant],
    photos: dict[int, str],
):
    items = []
    for line in lines:
        variant = variants[line.variant_id]
        items.append(
            OrderItem(
                product_id=variant.product_id,
                variant_id=variant.pk,
                product_name=variant.product.name,
                size_label=variant.label,
                thumbnail=photos.get(line.variant_id, ""),
                unit_price=variant.price,
                quantity=line.quantity,
            )
        )
    with transaction.atomic():
        # The order row goes in first: a second submission with the same key waits
        # here on the unique index and then fails, before it touches any stock.
        order = Order.objects.create(
            user=user,
            shipping_address=shipping_address,
            idempotency_key=idempotency_key,
            total=sum(item.line_total for item in items),
        )
        # A product with a limit per shopper: the shopper's row is locked and their
        # other open orders counted (lock order: shopper, then the stock rows, last).
        _check_limits(user=user, lines=lines, variants=variants)
        for item in items:
            item.order = order
        OrderItem.objects.bulk_create(items)
        # The confirmation is a job row in this transaction (an outbox): it exists
        # exactly when the order does, and nothing after the commit can fail the request.
        order_send_confirmation.enqueue(order_id=order.pk)
        if not user.shipping_address:
            user_remember_address(user=user, shipping_address=shipping_address)
        if from_cart:
            _cart_remove(user=user, variant_ids=[line.variant_id for line in lines])
        # Last, the stock: one statement locks, checks and takes every line, and the
        # commit follows at once, so the hot rows stay locked for one round trip.
        stock_take(quantities={line.variant_id: line.quantity for line in lines}, variants=variants)
    return order


def order_place(
    *, user, lines: list[Line], shipping_address: str, idempotency_key: str, from_cart: bool = False
) -> Order:
    """Place an order for ``lines``, exactly once per ``idempotency_key``.

    Reads the sizes and prices first, outside the transaction. Then, in one
    transaction: the order and its items (snapshots), the confirmation job, the cart
    lines removed, and last the stock, taken by one statement that locks every size
    (primary-key order), checks them against the locked values and decrements them,
    just before the commit. Any shortfall or price change fails the whole order and
    changes nothing. Deadlocks, serialization failures and lock timeouts are retried,
    then reported as ``Busy``.

    A repeat of a submission that already went through (a double click, a retry after a
    timeout) gets that order back, even though the cart is empty by now or the size
    has sold out since: its order row collides with the first on the unique key before
    any stock is touched, and an order that cannot go through for any reason looks for
    the first before it says why. So an order that goes through never looks it up.
    """
    if not idempotency_key or len(idempotency_key) > 64:
        raise OrderError("This checkout form has expired. Please check out again.")
    try:
        return _order_place(
            user=user,
            lines=lines,
            shipping_address=shipping_address,
            idempotency_key=idempotency_key,
            from_cart=from_cart,
        )
    except (ShopError, IntegrityError):
        # The same key committed by an earlier or a concurrent submission: that order
        # is the answer. Without one, the error stands.
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing


def _order_place(
    *, user, lines: list[Line], shipping_address: str, idempotency_key: str, from_cart: bool
) -> Order:
    shipping_address = (shipping_address or "").strip()
    if not shipping_address or len(shipping_address) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress()
    lines = merge_lines(lines)
    # Read before the transaction: nothing that does not need the stock lock runs under it.
    variants = variants_with_products(line.variant_id for line in lines)
    # Refused here without a transaction; stock_take checks again under the lock.
    if any(
        line.variant_id not in variants or not variants[line.variant_id].product.is_active
        for line in lines
    ):
        raise VariantUnavailable()
    return _place(
        user=user,
        lines=lines,
        shipping_address=shipping_address,
        idempotency_key=idempotency_key,
        from_cart=from_cart,
        variants=variants,
        photos=variant_photos(variants.values()),
    )


# --- After the order ----------------------------------------------------------------------


@retry_on_conflict
def order_cancel(*, order_id: int, user=None) -> Order:
    """Cancel an order while it is still 'ordered' and put its stock back.

    ``user`` limits it to that shopper's orders (others are DoesNotExist); staff pass
    ``user=None``. Locks the order row, then its variants in primary-key order.
    """
    with transaction.atomic():
        order = lock_order(order_id=order_id, user=user)
        if order.status != Order.Status.ORDERED:
            raise NotCancellable()
        quantities: dict[int, int] = {}
        for item in order.items.all():
            quantities[int(item.variant_id)] = (
                quantities.get(int(item.variant_id), 0) + item.quantity
            )
        stock_return(quantities=quantities)
        order.status = Order.Status.CANCELLED
        order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at", "updated_at"])
    logger.info("order %s cancelled", order.pk)
    return order


TRANSITIONS = {
    Order.Status.SHIPPED: (Order.Status.ORDERED, "shipped_at"),
    Order.Status.DELIVERED: (Order.Status.SHIPPED, "delivered_at"),
}


def order_set_status(*, order_id: int, status: str) -> Order:
    """Staff moves an order along: ordered -> shipped -> delivered."""
    if status not in TRANSITIONS:
        raise InvalidTransition()
    required, stamp = TRANSITIONS[status]
    with transaction.atomic():
        order = lock_order(order_id=order_id)
        if order.status != required:
            raise InvalidTransition()
        order.status = status
        setattr(order, stamp, timezone.now())
        order.save(update_fields=["status", stamp, "updated_at"])
    return order
