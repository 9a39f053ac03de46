from __future__ import annotations

from dataclasses import dataclass

from django.db import router

from apps.core.pages import digest, release
from apps.core.pagination import Page, decode_cursor, page_of
from apps.core.rows import Columns, fetch, placeholders
from apps.products.models import Variant
from apps.products.selectors import variant_photos, variants_with_products

from .models import MAX_LINE_QUANTITY, CartItem, Order, OrderItem

ORDERS_PAGE_SIZE = 10


@dataclass
class CartLine:
    item: CartItem
    variant: Variant | None
    photo: str = ""  # storage name of the picture of the size as chosen (its colour)

    @property
    def available(self) -> bool:
        return self.variant is not None and self.variant.product.is_active

    @property
    def sold_out(self) -> bool:
        return self.available and self.variant.stock <= 0

    @property
    def short(self) -> bool:
        """Fewer left than the shopper wants (but not sold out)."""
        return self.available and 0 < self.variant.stock < self.item.quantity

    @property
    def ok(self) -> bool:
        return self.available and self.variant.stock >= self.item.quantity

    @property
    def line_total(self) -> int:
        return self.variant.price * self.item.quantity if self.available else 0


@dataclass
class Cart:
    lines: list[CartLine]

    @property
    def total(self) -> int:
        return sum(line.line_total for line in self.lines if line.ok)

    @property
    def count(self) -> int:
        return sum(line.item.quantity for line in self.lines)

    @property
    def quantity_choices(self) -> range:
        return range(0, MAX_LINE_QUANTITY + 1)  # 0 removes the line

    @property
    def ready(self) -> bool:
        return bool(self.lines) and all(line.ok for line in self.lines)


# The cart's lines and their count are read on every cart page, checkout form and
# cart change: written out, a read costs about 120 µs of CPU against 550 through the
# ORM (docs/performance.md).
CART_ITEM = Columns(CartItem, "ci")
# An order's page reads the order with its items (``order_for``); the order list, a
# page of orders and then their items.
_ORDER = Columns(Order, "o")
_ORDER_ITEM = Columns(OrderItem, "i")


def _cart_items(*, user) -> list[CartItem]:
    using = router.db_for_read(CartItem)
    rows = fetch(
        using,
        f"SELECT {CART_ITEM.sql(using)} FROM {CART_ITEM.table(using)}"  # noqa: S608 (names only)
        f" WHERE {CART_ITEM.column('user', using)} = %s"
        f" ORDER BY {CART_ITEM.column('id', using)}",
        [int(user.pk)],
    )
    return [CART_ITEM.build(row, using) for row in rows]


def cart_for(*, user) -> Cart:
    items = _cart_items(user=user)
    variant_ids = [item.variant_id for item in items]
    variants = variants_with_products(variant_ids)
    photos = variant_photos(variants.values())
    return Cart(
        lines=[
            CartLine(
                item=item,
                variant=variants.get(int(item.variant_id)),
                photo=photos.get(int(item.variant_id), ""),
            )
            for item in items
        ]
    )


def cart_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    using = router.db_for_read(CartItem)
    rows = fetch(
        using,
        f"SELECT COALESCE(SUM({CART_ITEM.column('quantity', using)}), 0)"  # noqa: S608 (names only)
        f" FROM {CART_ITEM.table(using)} WHERE {CART_ITEM.column('user', using)} = %s",
        [int(user.pk)],
    )
    return int(rows[0][0])


def buy_now_lines(*, lines) -> list[CartLine]:
    """The lines of a buy-now checkout (sizes that no longer exist are left out)."""
    variants = variants_with_products(line.variant_id for line in lines)
    return [
        CartLine(item=CartItem(variant_id=line.variant_id, quantity=line.quantity), variant=variant)
        for line in lines
        if (variant := variants.get(int(line.variant_id))) is not None
    ]


def orders_page(*, user, cursor: str | None) -> Page:
    """A page of the shopper's orders, newest first, without their items: a page whose
    rows come from the cache shows none of them (see ``OrdersWithItems``). One
    statement written out, as ``keyset_page`` would read it (docs/performance.md)."""
    after = decode_cursor(cursor, kind="orders", length=1) if cursor else None
    using = router.db_for_read(Order)
    order_id = _ORDER.column("id", using)
    # Only quoted names from the model and placeholders are joined; values are parameters.
    rows = fetch(
        using,
        f"SELECT {_ORDER.sql(using)} FROM {_ORDER.table(using)}"  # noqa: S608
        f" WHERE {_ORDER.column('user', using)} = %s{f' AND {order_id} < %s' if after else ''}"
        f" ORDER BY {order_id} DESC LIMIT %s",
        [int(user.pk), *(after or []), ORDERS_PAGE_SIZE + 1],
    )
    orders = [_ORDER.build(row, using) for row in rows]
    return page_of(orders, keys=("id",), size=ORDERS_PAGE_SIZE, kind="orders")


def orders_version(orders) -> str:
    """A digest of what the order list shows of ``orders``, and of the release. An
    order's items, total and time never change once it is placed (the admin shows them
    read-only), so its id and status are all that can: the rows' rendering is cached
    under this, and a new status is a new entry."""
    return digest([release(), [(int(order.pk), order.status) for order in orders]])


class OrdersWithItems:
    """``orders`` with their items as ``lines`` (in the order they were added, as
    ``order_for`` gives them), read in one statement the first time they are iterated
    over: not at all when the rows that show them come from the cache."""

    def __init__(self, orders: list[Order]) -> None:
        self.orders = orders

    def __len__(self) -> int:
        return len(self.orders)

    def __iter__(self):
        unread = [order for order in self.orders if not hasattr(order, "lines")]
        if unread:  # once: read items are kept
            using = router.db_for_read(OrderItem)
            ids = [int(order.pk) for order in unread]
            lines: dict[int, list[OrderItem]] = {order_id: [] for order_id in ids}
            # Only quoted names from the model and placeholders are joined.
            for row in fetch(
                using,
                f"SELECT {_ORDER_ITEM.sql(using)} FROM {_ORDER_ITEM.table(using)}"  # noqa: S608
                f" WHERE {_ORDER_ITEM.column('order', using)} IN ({placeholders(ids)})"
                f" ORDER BY {_ORDER_ITEM.column('id', using)}",
                ids,
            ):
                item = _ORDER_ITEM.build(row, using)
                lines[int(item.order_id)].append(item)
            for order in unread:
                order.lines = lines[int(order.pk)]
        return iter(self.orders)


def order_for(*, user, order_id: int) -> Order:
    """The shopper's own order with its items as ``lines`` (in the order they were
    added); anyone else's is DoesNotExist (a 404, not a 403).

    One statement written out: through the ORM the order and its prefetched items
    took two round trips and 1.1 ms of CPU."""
    using = router.db_for_read(Order)
    rows = fetch(
        using,
        f"SELECT {_ORDER.sql(using)}, {_ORDER_ITEM.sql(using)} FROM {_ORDER.table(using)}"  # noqa: S608 (names only)
        f" LEFT JOIN {_ORDER_ITEM.table(using)}"
        f" ON {_ORDER_ITEM.column('order', using)} = {_ORDER.column('id', using)}"
        f" WHERE {_ORDER.column('id', using)} = %s AND {_ORDER.column('user', using)} = %s"
        f" ORDER BY {_ORDER_ITEM.column('id', using)}",
        [int(order_id), int(user.pk)],
    )
    if not rows:
        raise Order.DoesNotExist("No such order.")
    order = _ORDER.build(rows[0], using)
    start = len(_ORDER)
    order.lines = [
        _ORDER_ITEM.build(row, using, start=start) for row in rows if row[start] is not None
    ]
    return order
