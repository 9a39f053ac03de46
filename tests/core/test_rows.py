"""Rows read by hand-written SQL become the same instances the ORM would build."""

import datetime

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

from apps.core.fields import TSID
from apps.core.rows import Columns, fetch
from apps.products.models import Product, Variant
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in type(instance)._meta.fields
    }


def read(columns, pk):
    """The row with id ``pk``, read with ``columns`` and built into an instance."""
    using = DEFAULT_DB_ALIAS
    sql = (
        f"SELECT {columns.sql(using)} FROM {columns.table(using)}"  # noqa: S608
        f" WHERE {columns.column('id', using)} = %s"
    )
    (row,) = fetch(using, sql, [int(pk)])
    return columns.build(row, using)


def test_a_row_becomes_the_instance_the_orm_builds():
    variant = VariantFactory(stock=3, price_override=None, colour="Navy")
    using = DEFAULT_DB_ALIAS
    built = read(Columns(Variant, "v"), variant.pk)

    assert field_values(built) == field_values(Variant.objects.get(pk=variant.pk))
    # The field converters ran: ids are TSIDs and times are aware, on SQLite too.
    assert isinstance(built.pk, TSID) and isinstance(built.product_id, TSID)
    assert isinstance(built.created_at, datetime.datetime) and built.created_at.tzinfo
    assert not built._state.adding and built._state.db == using
    built.stock = 2
    built.save(update_fields=["stock"])  # a loaded row saves as an UPDATE
    assert Variant.objects.get(pk=variant.pk).stock == 2


def test_columns_read_a_joined_row_from_an_offset():
    variant = VariantFactory()
    sizes, products = Columns(Variant, "v"), Columns(Product, "p")
    using = DEFAULT_DB_ALIAS
    sql = (
        f"SELECT {sizes.sql(using)}, {products.sql(using)} FROM {sizes.table(using)}"  # noqa: S608
        f" JOIN {products.table(using)}"
        f" ON {products.column('id', using)} = {sizes.column('product', using)}"
        f" WHERE {sizes.column('id', using)} = %s"
    )
    (row,) = fetch(using, sql, [int(variant.pk)])

    product = products.build(row, using, start=len(sizes))

    assert field_values(product) == field_values(Product.objects.get(pk=variant.product_id))


def test_the_sql_text_of_the_names_is_built_once(monkeypatch):
    from django.db import connections

    columns = Columns(Variant, "v")
    using = DEFAULT_DB_ALIAS
    first = (columns.sql(using), columns.table(using), columns.column("stock", using))
    quoted = []
    quote = connections[using].ops.quote_name
    monkeypatch.setattr(
        connections[using].ops, "quote_name", lambda name: quoted.append(name) or quote(name)
    )
    again = (columns.sql(using), columns.table(using), columns.column("stock", using))
    assert again == first and '"stock"' in first[2]
    assert quoted == []  # nothing quoted again


def test_an_instance_made_without_init_is_the_one_from_db_makes(monkeypatch):
    variant = VariantFactory(stock=3, colour="Navy")
    columns = Columns(Variant, "v")
    assert columns._plain  # Variant keeps Django's __init__, fields store plainly
    made_by_from_db = []
    from_db = Variant.from_db.__func__
    monkeypatch.setattr(
        Variant,
        "from_db",
        classmethod(lambda cls, *args: made_by_from_db.append(1) or from_db(cls, *args)),
    )
    built = read(columns, variant.pk)
    assert made_by_from_db == []  # made without it
    monkeypatch.undo()
    made = Variant.from_db(
        DEFAULT_DB_ALIAS, columns.names, [built.__dict__[name] for name in columns.names]
    )
    assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
        k: v for k, v in made.__dict__.items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, DEFAULT_DB_ALIAS)
    # The relation loads through the id, and a new id drops the cached relation.
    assert built.product.pk == variant.product_id
    other = VariantFactory()
    built.product_id = other.product_id
    assert built.product.pk == other.product_id


def test_fields_left_out_load_when_read():
    variant = VariantFactory(stock=7, sku="SKU-7")
    built = read(Columns(Variant, "v", only=("id", "stock")), variant.pk)
    assert set(built.get_deferred_fields()) >= {"sku", "product_id"}
    assert built.sku == "SKU-7" and built.stock == 7


def test_an_image_field_reads_as_a_file():
    product = VariantFactory().product
    Product.objects.filter(pk=product.pk).update(thumbnail="products/a.jpg")
    columns = Columns(Product, "p")
    assert columns._plain
    built = read(columns, product.pk)
    assert built.thumbnail.name == "products/a.jpg" and built.thumbnail.instance is built


def test_init_signals_are_still_sent_when_something_listens():
    from django.db.models.signals import post_init, pre_init

    variant = VariantFactory()
    seen = []

    def listener(sender, **kwargs):
        seen.append((sender, "instance" in kwargs))

    for signal in (pre_init, post_init):
        signal.connect(listener, sender=Variant)
        try:
            seen.clear()
            read(Columns(Variant, "v"), variant.pk)
            assert seen == [(Variant, signal is post_init)]
        finally:
            signal.disconnect(listener, sender=Variant)


def test_a_model_with_its_own_init_or_setters_is_made_by_from_db():
    class Setter:
        def __get__(self, instance, owner=None):
            return self if instance is None else instance.__dict__["stock"]

        def __set__(self, instance, value):
            instance.__dict__["stock"] = value * 10

    variant = VariantFactory(stock=4)
    columns = Columns(Variant, "v")
    original = Variant.__dict__["stock"]
    try:
        Variant.stock = Setter()
        columns = Columns(Variant, "v")
        assert not columns._plain
        assert read(columns, variant.pk).stock == 40  # the setter ran
    finally:
        Variant.stock = original

    set_through = []

    def setattr_(self, name, value):
        set_through.append(name)
        object.__setattr__(self, name, value)

    Variant.__setattr__ = setattr_
    try:
        columns = Columns(Variant, "v")
        assert not columns._plain
        read(columns, variant.pk)
        assert "stock" in set_through
    finally:
        del Variant.__setattr__

    initialised = []

    def init(self, *args, **kwargs):
        Model.__init__(self, *args, **kwargs)
        initialised.append(self)

    Variant.__init__ = init
    try:
        columns = Columns(Variant, "v")
        assert not columns._plain
        built = read(columns, variant.pk)
        assert initialised == [built]
    finally:
        del Variant.__init__


@pytest.mark.parametrize(
    "label", ["swipe.Swipe", "products.ProductLike", "orders.CartItem"], ids=lambda label: label
)
def test_rows_deleted_by_statements_written_out_have_nothing_that_needs_the_orm(label):
    """Undo, unlike and a checkout's clearing of the cart delete these rows by plain
    DELETE statements: right only while no row refers to them (nothing to cascade or
    protect) and no receiver waits for their deletion."""
    from django.apps import apps
    from django.db.models.signals import post_delete, pre_delete

    model = apps.get_model(label)
    assert model._meta.related_objects == ()
    assert not pre_delete.has_listeners(model)
    assert not post_delete.has_listeners(model)
