"""Rows read by hand-written SQL become the same instances the ORM would build."""

import datetime

import pytest
from django.db import DEFAULT_DB_ALIAS

from apps.core.fields import TSID
from apps.core.rows import Columns, fetch
from apps.products.models import Product, Variant
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in type(instance)._meta.fields
    }


def test_a_row_becomes_the_instance_the_orm_builds():
    variant = VariantFactory(stock=3, price_override=None, colour="Navy")
    columns = Columns(Variant, "v")
    using = DEFAULT_DB_ALIAS
    sql = (
        f"SELECT {columns.sql(using)} FROM {columns.table(using)}"  # noqa: S608
        f" WHERE {columns.column('id', using)} = %s"
    )
    (row,) = fetch(using, sql, [int(variant.pk)])

    built = columns.build(row, using)

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
