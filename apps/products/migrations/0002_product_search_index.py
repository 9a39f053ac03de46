from django.db import migrations

# Full-text search index on PostgreSQL. The expression is the one Django compiles for
# SearchVector("name", "description", config="simple"), which the search selector
# filters on; SQLite has no GIN and searches with a plain contains instead.
CREATE = """
CREATE INDEX IF NOT EXISTS product_search_idx ON products_product USING gin (
    to_tsvector('simple'::regconfig,
                COALESCE("products_product"."name", '') || ' ' ||
                COALESCE("products_product"."description", ''))
)
"""
DROP = "DROP INDEX IF EXISTS product_search_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
