from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from apps.core.admin import BaseModelAdmin, TSIDAdminMixin

from .models import Store, User


class ShopUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")


class ShopUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(TSIDAdminMixin, DjangoUserAdmin):
    form = ShopUserChangeForm
    add_form = ShopUserCreationForm
    ordering = ("-date_joined",)
    list_display = ("email", "name", "role", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "phone", "shipping_address", "role")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "password1", "password2"),
            },
        ),
    )


@admin.register(Store)
class StoreAdmin(BaseModelAdmin):
    list_display = ("name", "owner", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "owner__email")
    raw_id_fields = ("owner",)


class TaskResultAdmin(DBTaskResultAdmin):
    """Task results, with the arguments of account mail hidden: they hold the message,
    and a password-reset message holds a link that logs its reader into the account."""

    @admin.display(description="arguments")
    def shown_arguments(self, obj):
        if obj.task_path == ACCOUNT_MAIL_TASK:
            return "(hidden: account mail)"
        return obj.args_kwargs

    def lookup_allowed(self, lookup, value, request=None):
        # No filtering on the arguments either: counting the rows that match a guess
        # would spell out a reset link one character at a time.
        if lookup.split("__")[0] in ("args_kwargs", "return_value"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request, obj=None):
        return [
            "shown_arguments" if name == "args_kwargs" else name
            for name in super().get_readonly_fields(request, obj)
        ]


ACCOUNT_MAIL_TASK = "apps.accounts.tasks.account_send_mail"
admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
