"""Whole model rows read by a statement written out, for the few reads on every swipe
where building the query with the ORM costs more than PostgreSQL takes to answer it
(an anti-join with ``Exists`` took 3.6 ms of Python to build and 0.5 ms to run;
docs/performance.md).

The rows still become ordinary model instances, through the same converters the
ORM applies (TSIDs, dates on SQLite), so nothing downstream can tell them apart.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Model


class Columns:
    """The concrete columns of ``model`` under a table alias, and the way back from
    a row of them to an instance. ``only`` names the fields to read when a page needs
    fewer than all of them; the others are deferred, as with ``QuerySet.only()``."""

    def __init__(self, model: type[Model], alias: str, only: tuple[str, ...] | None = None) -> None:
        self.model = model
        self.alias = alias
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if only is None or field.name in only or field.attname in only
        ]
        self.names = [field.attname for field in self.fields]
        self._converters: dict[str, list] = {}
        # The SQL text of the names, per database alias: built on first use, as every
        # request that runs a statement written out asks for the same names again.
        self._text: dict[tuple[str, str, str], str] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def table(self, using: str) -> str:
        """``"table" alias``, for the FROM or JOIN clause."""
        key = ("table", using, "")
        if key not in self._text:
            quote = connections[using].ops.quote_name
            self._text[key] = f"{quote(self.model._meta.db_table)} {self.alias}"
        return self._text[key]

    def sql(self, using: str) -> str:
        """The select list: every concrete column, in field order."""
        key = ("sql", using, "")
        if key not in self._text:
            quote = connections[using].ops.quote_name
            self._text[key] = ", ".join(
                f"{self.alias}.{quote(field.column)}" for field in self.fields
            )
        return self._text[key]

    def column(self, name: str, using: str) -> str:
        """One field's column under the alias (``l."is_active"``)."""
        key = ("column", using, name)
        if key not in self._text:
            field = self.model._meta.get_field(name)
            quote = connections[using].ops.quote_name
            self._text[key] = f"{self.alias}.{quote(field.column)}"
        return self._text[key]

    def build(self, row, using: str, start: int = 0) -> Model:
        """The instance from ``row[start:start + len(self)]``."""
        values = list(row[start : start + len(self.fields)])
        connection = connections[using]
        for index, column, converters in self._converters_for(using):
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(using, self.names, values)

    def _converters_for(self, using: str) -> list:
        if using not in self._converters:
            connection = connections[using]
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
                if converters:
                    found.append((index, column, converters))
            self._converters[using] = found
        return self._converters[using]


def fetch(using: str, sql: str, params: list) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))
