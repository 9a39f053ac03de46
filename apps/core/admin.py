from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from .money import format_won


class TSIDAdminMixin:
    """Show the TSID primary key, read-only, on every change form."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None or "id" in fields:  # an unsaved object has no id worth showing
            return fields
        return ("id", *fields)


class ForgivingAdminMixin:
    """Bad input to a list page is a message, not a 500: an action posted with ids that
    are not ids (nothing is done), and a filter whose value the database cannot take
    (``?created_at__year=99999``: the list is shown unfiltered)."""

    def response_action(self, request, queryset):
        field = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                field.to_python(value)
        except ValidationError:
            self.message_user(
                request,
                "Some of the selected items are not ones this list shows; nothing was done.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def changelist_view(self, request, extra_context=None):
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()  # runs the list's queries here, where they are caught
        except (ValueError, OverflowError, ValidationError, DataError):
            self.message_user(
                request,
                "That filter has a value this list cannot use; showing the list without it.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.path)
        return response


class BaseModelAdmin(TSIDAdminMixin, admin.ModelAdmin):
    pass  # ShopAdminSite adds ForgivingAdminMixin to this and every other model admin


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


class ShopAdminSite(admin.AdminSite):
    """The admin, with every model's page forgiving of bad input (ForgivingAdminMixin),
    the shop's own and those of the libraries it uses (auth, allauth, the job queue)."""

    site_header = "BARO admin"
    site_title = "BARO admin"
    index_title = "Run the shop"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ForgivingAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (ForgivingAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)
