"""products_refuse_stock_take(sizes): the error a checkout's stock take raises when a
line fails its check (apps/products/lock_objects.py), so the COMMIT pipelined behind
that statement cannot commit an order whose stock was not taken. PostgreSQL only: the
embedded SQLite default takes stock row by row and commits on its own."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION products_refuse_stock_take(sizes text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock take refused' USING DETAIL = sizes;
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS products_refuse_stock_take(text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("products", "0004_max_per_shopper")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
