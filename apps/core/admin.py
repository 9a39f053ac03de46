from django.contrib import admin


class TSIDAdminMixin:
    """Show the TSID primary key, read-only, on every change form."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None or "id" in fields:  # an unsaved object has no id worth showing
            return fields
        return ("id", *fields)


class BaseModelAdmin(TSIDAdminMixin, admin.ModelAdmin):
    pass
