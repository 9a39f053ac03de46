import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core import db
from apps.core.errors import Busy
from apps.orders import services
from apps.orders.models import CartItem, Order, OrderItem
from apps.orders.services import Line
from apps.products import services as stock_services
from apps.products.models import Product, Variant
from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def stock(variant) -> int:
    return Variant.objects.values_list("stock", flat=True).get(pk=variant.pk)


def place(user, lines, key="a" * 32, **kwargs):
    return services.order_place(
        user=user, lines=lines, shipping_address="1 Seongsu-ro", idempotency_key=key, **kwargs
    )


def test_order_decrements_stock_and_snapshots_the_items(run_jobs):
    user = UserFactory()
    product = ProductFactory(name="Wool Coat", base_price=189_000)
    medium = VariantFactory(product=product, size="M", stock=5)
    large = VariantFactory(product=product, size="L", stock=2, price_override=199_000)
    order = place(user, [Line(medium.pk, 2), Line(large.pk, 1)])
    assert not mail.outbox, "the confirmation is the worker's job, not the request's"
    run_jobs()
    assert (stock(medium), stock(large)) == (3, 1)
    assert order.total == 2 * 189_000 + 199_000
    items = {item.size_label: item for item in order.items.all()}
    assert items["M"].product_name == "Wool Coat"
    assert (items["M"].unit_price, items["L"].unit_price) == (189_000, 199_000)
    assert items["M"].thumbnail == product.thumbnail.name
    assert len(mail.outbox) == 1 and "confirmed" in mail.outbox[0].subject


def test_duplicate_lines_are_merged():
    variant = VariantFactory(stock=5)
    order = place(UserFactory(), [Line(variant.pk, 1), Line(variant.pk, 2)])
    assert list(order.items.values_list("quantity", flat=True)) == [3]
    assert stock(variant) == 2


def test_one_short_line_fails_the_whole_order_and_changes_nothing():
    plenty = VariantFactory(stock=9)
    scarce = VariantFactory(stock=1, product=ProductFactory(name="Rib Beanie"), size="FREE")
    user = UserFactory()
    CartItem.objects.create(user=user, variant_id=plenty.pk, quantity=1)
    with pytest.raises(services.OutOfStock) as caught:
        place(user, [Line(plenty.pk, 1), Line(scarce.pk, 3)], from_cart=True)
    assert caught.value.message == "Only 1 left of Rib Beanie (FREE); you asked for 3."
    assert (stock(plenty), stock(scarce)) == (9, 1)
    assert not Order.objects.exists() and not OrderItem.objects.exists()
    assert CartItem.objects.filter(user=user).exists()


def test_the_same_key_twice_gives_one_order():
    variant = VariantFactory(stock=5)
    user = UserFactory()
    first = place(user, [Line(variant.pk, 1)])
    again = place(user, [Line(variant.pk, 1)])
    assert first.pk == again.pk
    assert Order.objects.count() == 1 and stock(variant) == 4


def test_the_same_key_after_the_last_unit_sold_gives_the_first_order():
    variant = VariantFactory(stock=1)
    user = UserFactory()
    first = place(user, [Line(variant.pk, 1)])
    assert place(user, [Line(variant.pk, 1)]).pk == first.pk  # not "sold out"
    # ... and after the size was taken off sale, or with the cart emptied by the first.
    Variant.objects.filter(pk=variant.pk).delete()
    assert place(user, [Line(variant.pk, 1)]).pk == first.pk
    assert place(user, [], from_cart=True).pk == first.pk
    assert Order.objects.count() == 1


def test_a_new_key_that_cannot_be_ordered_still_says_why():
    variant = VariantFactory(stock=1)
    user = UserFactory()
    place(user, [Line(variant.pk, 1)], key="a" * 32)
    with pytest.raises(services.OutOfStock):
        place(user, [Line(variant.pk, 1)], key="b" * 32)
    with pytest.raises(services.EmptyOrder):
        place(user, [], key="c" * 32)
    assert Order.objects.count() == 1


def test_an_order_that_goes_through_does_not_look_for_an_earlier_one_by_its_key():
    from django.test.utils import CaptureQueriesContext

    variant = VariantFactory(stock=5)
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        place(user, [Line(variant.pk, 1)])
    lookups = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT")
        and "idempotency_key" in query["sql"].split("WHERE")[-1]
    ]
    assert lookups == []
    assert Order.objects.count() == 1


def test_the_same_key_from_another_shopper_is_their_own_order():
    variant = VariantFactory(stock=5)
    place(UserFactory(), [Line(variant.pk, 1)])
    place(UserFactory(), [Line(variant.pk, 1)])
    assert Order.objects.count() == 2


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([], services.EmptyOrder),
        ([Line(1, 0)], services.InvalidQuantity),
        ([Line(1, 11)], services.InvalidQuantity),
        ([Line(1, -3)], services.InvalidQuantity),
        ([Line(1, 6), Line(1, 6)], services.InvalidQuantity),
        ([Line(n, 1) for n in range(1, 22)], services.CartFull),
        ([Line(424242, 1)], services.VariantUnavailable),
    ],
)
def test_bad_lines_are_refused(lines, error):
    with pytest.raises(error):
        place(UserFactory(), lines)
    assert not Order.objects.exists()


@pytest.mark.parametrize("address", ["", "   ", "x" * 501])
def test_a_missing_or_huge_address_is_refused(address):
    variant = VariantFactory(stock=3)
    with pytest.raises(services.InvalidAddress):
        services.order_place(
            user=UserFactory(),
            lines=[Line(variant.pk, 1)],
            shipping_address=address,
            idempotency_key="b" * 32,
        )
    assert stock(variant) == 3


def test_a_withdrawn_product_cannot_be_bought():
    variant = VariantFactory(stock=3, product=ProductFactory(is_active=False))
    with pytest.raises(services.VariantUnavailable):
        place(UserFactory(), [Line(variant.pk, 1)])
    assert stock(variant) == 3


def test_checkout_from_cart_clears_only_the_bought_lines():
    user, other = UserFactory(), UserFactory()
    bought, kept = VariantFactory(stock=4), VariantFactory(stock=4)
    CartItem.objects.create(user=user, variant_id=bought.pk, quantity=1)
    CartItem.objects.create(user=user, variant_id=kept.pk, quantity=1)
    CartItem.objects.create(user=other, variant_id=bought.pk, quantity=2)  # not theirs to clear
    place(user, [Line(bought.pk, 1)], from_cart=True)
    assert list(CartItem.objects.filter(user=user).values_list("variant_id", flat=True)) == [
        kept.pk
    ]
    assert list(CartItem.objects.filter(user=other).values_list("variant_id", "quantity")) == [
        (bought.pk, 2)
    ]


def test_clearing_no_sizes_from_a_cart_leaves_it_as_it_was():
    user, variant = UserFactory(), VariantFactory()
    CartItem.objects.create(user=user, variant_id=variant.pk, quantity=1)
    with CaptureQueriesContext(connection) as queries:
        services._cart_remove(user=user, variant_ids=[])
    assert len(queries) == 0  # "IN ()" is an error on PostgreSQL, and SQLite accepts it
    assert CartItem.objects.filter(user=user).count() == 1


def test_cancel_restores_stock_once_and_only_while_ordered():
    user = UserFactory()
    variant = VariantFactory(stock=5)
    order = place(user, [Line(variant.pk, 2)])
    services.order_cancel(order_id=order.pk, user=user)
    assert stock(variant) == 5
    with pytest.raises(services.NotCancellable):
        services.order_cancel(order_id=order.pk, user=user)
    assert stock(variant) == 5


def test_someone_elses_order_cannot_be_cancelled():
    variant = VariantFactory(stock=5)
    order = place(UserFactory(), [Line(variant.pk, 1)])
    with pytest.raises(Order.DoesNotExist):
        services.order_cancel(order_id=order.pk, user=UserFactory())
    assert Order.objects.get(pk=order.pk).status == Order.Status.ORDERED


def test_shipped_orders_cannot_be_cancelled_and_statuses_only_move_forward():
    variant = VariantFactory(stock=5)
    order = place(UserFactory(), [Line(variant.pk, 1)])
    with pytest.raises(services.InvalidTransition):
        services.order_set_status(order_id=order.pk, status=Order.Status.DELIVERED)
    services.order_set_status(order_id=order.pk, status=Order.Status.SHIPPED)
    with pytest.raises(services.NotCancellable):
        services.order_cancel(order_id=order.pk)
    services.order_set_status(order_id=order.pk, status=Order.Status.DELIVERED)
    assert Order.objects.get(pk=order.pk).delivered_at is not None
    assert stock(variant) == 4


def test_snapshot_survives_a_rename_and_a_deletion():
    product = ProductFactory(name="Original Name")
    variant = VariantFactory(product=product, stock=3)
    order = place(UserFactory(), [Line(variant.pk, 1)])
    Product.objects.filter(pk=product.pk).update(name="Renamed")
    item = order.items.get()
    assert item.product_name == "Original Name"
    Variant.objects.filter(product=product).delete()
    Product.objects.filter(pk=product.pk).delete()
    item = OrderItem.objects.get(pk=item.pk)
    assert (item.product_name, item.product_id) == ("Original Name", product.pk)
    services.order_cancel(order_id=order.pk)  # stock has nowhere to go back to: no error
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_order_items_have_no_foreign_key_to_variants_or_products():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, OrderItem._meta.db_table)
        cart = connection.introspection.get_constraints(cursor, CartItem._meta.db_table)
    referenced = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert referenced == {Order._meta.db_table}
    cart_refs = {c["foreign_key"][0] for c in cart.values() if c["foreign_key"]}
    assert Variant._meta.db_table not in cart_refs


def test_cart_add_merges_and_enforces_limits():
    user = UserFactory()
    variant = VariantFactory(stock=30)
    services.cart_add(user=user, variant_id=variant.pk, quantity=4)
    services.cart_add(user=user, variant_id=variant.pk, quantity=5)
    assert CartItem.objects.get(user=user).quantity == 9
    with pytest.raises(services.InvalidQuantity):
        services.cart_add(user=user, variant_id=variant.pk, quantity=2)
    assert CartItem.objects.get(user=user).quantity == 9
    for _ in range(19):
        services.cart_add(user=user, variant_id=VariantFactory(stock=3).pk)
    with pytest.raises(services.CartFull):
        services.cart_add(user=user, variant_id=VariantFactory(stock=3).pk)
    assert CartItem.objects.filter(user=user).count() == 20


def test_a_line_another_click_made_after_the_lookup_is_that_clicks_line(monkeypatch):
    """A double click: the second click looked before the first one's line was there,
    so its INSERT meets the line on the unique index and adds nothing."""
    user, variant = UserFactory(), VariantFactory(stock=5)
    first = services.cart_add(user=user, variant_id=variant.pk)
    lookup, looked = services._cart_line, []

    def before_the_first_click(**kwargs):
        looked.append(kwargs["lock"])
        return None if len(looked) == 1 else lookup(**kwargs)

    monkeypatch.setattr(services, "_cart_line", before_the_first_click)
    again = services.cart_add(user=user, variant_id=variant.pk)
    assert looked == [True, False]
    assert (again.pk, again.quantity) == (first.pk, 1)
    assert CartItem.objects.get(user=user).quantity == 1


def test_a_line_another_click_made_and_removed_again_is_made_anew(monkeypatch):
    """The INSERT met a double click's line, which was gone (checked out, removed) by
    the time it was read: this click makes its own."""
    user, variant = UserFactory(), VariantFactory(stock=5)
    insert, inserts = services._insert_line, []

    def met_a_line_now_gone(**kwargs):
        inserts.append(1)
        return None if len(inserts) == 1 else insert(**kwargs)

    monkeypatch.setattr(services, "_insert_line", met_a_line_now_gone)
    item = services.cart_add(user=user, variant_id=variant.pk)
    assert len(inserts) == 2
    assert CartItem.objects.get(user=user) == item and item.quantity == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cart_line_is_locked_only_inside_a_transaction():
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    user = UserFactory()
    with pytest.raises(TransactionManagementError):  # as select_for_update() refuses
        services._cart_line(user=user, variant_id=1, lock=True)
    with transaction.atomic():
        assert services._cart_line(user=user, variant_id=1, lock=True) is None


def test_a_line_gone_before_its_quantity_is_written_is_an_error():
    # As save(update_fields=...) refuses: the line is locked first, so this is a bug.
    from django.db import DatabaseError

    user, variant = UserFactory(), VariantFactory(stock=5)
    item = services.cart_add(user=user, variant_id=variant.pk)
    CartItem.objects.filter(pk=item.pk).delete()
    item.quantity = 2
    with pytest.raises(DatabaseError):
        services._update_quantity(item)


def test_adding_to_a_line_writes_its_quantity_and_time_of_change():
    user, variant = UserFactory(), VariantFactory(stock=5)
    first = services.cart_add(user=user, variant_id=variant.pk)
    again = services.cart_add(user=user, variant_id=variant.pk, quantity=2)
    stored = CartItem.objects.get(user=user)
    assert (again.pk, again.quantity) == (first.pk, 3)
    assert (stored.quantity, stored.updated_at) == (3, again.updated_at)
    assert stored.updated_at > first.updated_at
    assert stored.created_at == first.created_at


def test_cart_add_refuses_sold_out_and_unknown_sizes():
    user = UserFactory()
    with pytest.raises(services.OutOfStock):
        services.cart_add(user=user, variant_id=VariantFactory(stock=0).pk)
    with pytest.raises(services.VariantUnavailable):
        services.cart_add(user=user, variant_id=987654321)
    assert not CartItem.objects.exists()


def test_a_deadlock_is_retried_then_reported_as_busy(monkeypatch):
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"

    calls = []

    def always_deadlocks(*args, **kwargs):
        calls.append(1)
        error = OperationalError("deadlock detected")
        error.__cause__ = Deadlock()
        raise error

    monkeypatch.setattr(stock_services, "take_stock", always_deadlocks)
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)
    variant = VariantFactory(stock=3)
    with pytest.raises(Busy):
        place(UserFactory(), [Line(variant.pk, 1)])
    assert len(calls) == db.RETRY_ATTEMPTS
    assert stock(variant) == 3 and not Order.objects.exists()


def test_an_order_keeps_the_photo_of_the_colour_bought():
    from apps.products.models import ProductImage

    product = ProductFactory(thumbnail="demo/garments/hoodie-grey.jpg")
    ProductImage.objects.create(
        product=product, image="p/hoodie-forest-back.jpg", colour="forest", position=1
    )
    ProductImage.objects.create(
        product=product, image="p/hoodie-forest.jpg", colour="forest", position=0
    )
    forest = VariantFactory(product=product, size="L", colour="forest", stock=2)
    plain = VariantFactory(stock=2)  # one colour: the product's own thumbnail
    order = place(UserFactory(), [Line(forest.pk, 1), Line(plain.pk, 1)])
    photos = dict(order.items.values_list("variant_id", "thumbnail"))
    assert photos == {forest.pk: "p/hoodie-forest.jpg", plain.pk: plain.product.thumbnail.name}
