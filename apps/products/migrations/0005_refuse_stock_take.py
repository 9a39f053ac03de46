"""products_refuse_stock_take(sizes): the error a checkout's stock take raises when a
line fails its check (apps/products/lock_objects.py), so the COMMIT pipelined behind
that statement cannot commit an order whose stock was not taken. PostgreSQL only: the
embedded SQLite default takes stock row by row and commits on its own."""

from django.db import migrations

from apps.core.migration_operations import PostgreSQLOnly

CREATE = """
CREATE OR REPLACE FUNCTION products_refuse_stock_take(sizes text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock take refused' USING DETAIL = sizes;
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS products_refuse_stock_take(text)"


class Migration(migrations.Migration):
    dependencies = [("products", "0004_max_per_shopper")]

    operations = [PostgreSQLOnly([CREATE], [DROP])]
