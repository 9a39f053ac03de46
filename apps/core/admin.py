from django import forms
from django.contrib import admin
from django.utils.html import format_html

from .money import format_won


class TSIDAdminMixin:
    """Show the TSID primary key, read-only, on every change form."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None or "id" in fields:  # an unsaved object has no id worth showing
            return fields
        return ("id", *fields)


class BaseModelAdmin(TSIDAdminMixin, admin.ModelAdmin):
    pass


class WonInput(forms.NumberInput):
    """A number box for an amount in won, labelled with the currency. Staff type plain
    digits; the sign says what they mean."""

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        return format_html('<span class="baro-won">₩&nbsp;{}</span>', box)


def won_display(field: str, description: str):
    """A read-only admin column showing a whole-won amount as ₩39,000, sortable by
    ``field``."""

    @admin.display(description=description, ordering=field)
    def show(self, obj):
        return format_won(getattr(obj, field))

    show.__name__ = f"{field}_won"
    return show
