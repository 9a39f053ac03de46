"""The TSID model field: a bigint in the database, a 13-character string in Python."""

from __future__ import annotations

from django import forms
from django.core import exceptions
from django.db import models

from . import tsid


class TSID(int):
    """An int that prints as its Crockford string (in templates, URLs and logs)."""

    __slots__ = ()

    def __str__(self) -> str:
        return tsid.encode(int(self))

    def __repr__(self) -> str:
        return f"TSID('{self}')"

    @classmethod
    def parse(cls, value: object) -> TSID:
        """Accept a TSID, an int or a 13-character string; raise InvalidTSID otherwise."""
        if isinstance(value, TSID):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            tsid.encode(value)  # range check
            return cls(value)
        if isinstance(value, str):
            return cls(tsid.decode(value.strip()))
        raise tsid.InvalidTSID(f"not a TSID: {value!r}")


def new_tsid() -> TSID:
    return TSID(tsid.new_tsid())


class TSIDFormField(forms.CharField):
    default_error_messages = {"invalid": "Enter a valid 13-character id."}

    def widget_attrs(self, widget):
        # Length is checked by parsing, so no length validators run on the TSID value.
        return {**super().widget_attrs(widget), "maxlength": str(tsid.STRING_LENGTH)}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(TSID(value))
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return TSID.parse(value)
        except tsid.InvalidTSID as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class TSIDField(models.BigIntegerField):
    """A bigint column whose Python value is a :class:`TSID`."""

    description = "Time-sorted 64-bit id shown as 13 Crockford base32 characters"

    def from_db_value(self, value, expression, connection):
        return None if value is None else TSID(value)

    def to_python(self, value):
        if value is None or isinstance(value, TSID):
            return value
        try:
            return TSID.parse(value)
        except tsid.InvalidTSID as exc:
            raise exceptions.ValidationError(
                "“%(value)s” is not a valid id.", code="invalid", params={"value": value}
            ) from exc

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return int(TSID.parse(value))
            except tsid.InvalidTSID as exc:
                raise exceptions.ValidationError(
                    "“%(value)s” is not a valid id.", code="invalid", params={"value": value}
                ) from exc
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(TSID(value))

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": TSIDFormField, **kwargs})


class TSIDPrimaryKey(TSIDField):
    """The primary key every model uses: generated in Python, never editable."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("default", new_tsid)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
