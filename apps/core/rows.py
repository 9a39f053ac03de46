"""Whole model rows read by a statement written out, for the few reads on every swipe
where building the query with the ORM costs more than PostgreSQL takes to answer it
(an anti-join with ``Exists`` took 3.6 ms of Python to build and 0.5 ms to run;
docs/performance.md).

The rows still become ordinary model instances, through the same converters the
ORM applies (TSIDs, dates on SQLite), so nothing downstream can tell them apart.
They are made as ``Model.from_db`` makes them, less the work that does nothing here:
a model that keeps Django's ``__init__`` and ``from_db`` (and object's ``__new__`` and
``__setattr__``) gets its field values set straight into the instance, as ``__init__``
would set them one by one (a product row with its converters: 10.3 against 5.2 µs,
measured). That is only done where setting a field on a new instance does nothing more
than store the value (Django's own field attributes: plain, foreign key ids, files),
and while nothing listens to ``pre_init`` or ``post_init``; otherwise the instance comes
from ``from_db`` as before.
"""

from __future__ import annotations

import inspect

from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

# Django's own setters that, on an instance being made, only store the value (a file's
# dimensions are updated by a post_init receiver, which turns the shortcut off).
_STORING = {
    FileDescriptor.__set__,
    ImageFileDescriptor.__set__,
    ForeignKeyDeferredAttribute.__set__,
}


def _stores_plainly(model: type[Model], name: str) -> bool:
    setter = getattr(type(inspect.getattr_static(model, name, None)), "__set__", None)
    return setter is None or setter in _STORING


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
        # Whether an instance is no more than its field values (see the module's docstring).
        self._plain = (
            model.__init__ is Model.__init__
            and model.from_db.__func__ is Model.from_db.__func__
            and model.__setattr__ is object.__setattr__
            and model.__new__ is object.__new__
            and all(_stores_plainly(model, name) for name in self.names)
        )
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
        if self._plain and not (pre_init.receivers or post_init.receivers):
            instance = self.model.__new__(self.model)
            instance.__dict__.update(zip(self.names, values, strict=True))
            state = instance._state = ModelState()
            state.adding, state.db = False, using
            return instance
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


def insert_parts(instance: Model, connection) -> tuple[str, list]:
    """The column list and the values of an INSERT of ``instance``, every concrete field,
    prepared as ``save()`` prepares them (a default already set, ``auto_now`` times set on
    the instance now)."""
    quote = connection.ops.quote_name
    fields = type(instance)._meta.concrete_fields
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    return ", ".join(quote(field.column) for field in fields), values


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))
