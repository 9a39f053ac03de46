from django.contrib import admin, messages
from django.db.models import Q

from apps.core.admin import BaseModelAdmin, won_display
from apps.core.errors import ShopError
from apps.core.fields import TSID
from apps.core.tsid import InvalidTSID

from . import services
from .models import Order, OrderItem


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    fields = (
        "product_name",
        "size_label",
        "unit_price_won",
        "quantity",
        "line_total_won",
        "product_id",
        "variant_id",
    )
    readonly_fields = fields
    unit_price_won = won_display("unit_price", "unit price")
    line_total_won = won_display("line_total", "line total")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(BaseModelAdmin):
    list_display = ("id", "user", "status", "total_won", "created_at")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email",)
    date_hierarchy = "created_at"
    inlines = [OrderItemInline]
    readonly_fields = (
        "user",
        "status",
        "total_won",
        "idempotency_key",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
        "confirmation_sent_at",
    )
    fields = (*readonly_fields[:3], "shipping_address", *readonly_fields[3:])
    total_won = won_display("total", "total")
    actions = ["mark_shipped", "mark_delivered", "cancel_orders"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # orders come from checkouts

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        try:
            order_id = TSID.parse(search_term.strip())
        except (InvalidTSID, ValueError):
            return queryset, duplicates
        return queryset | self.model.objects.filter(Q(pk=order_id)), duplicates

    def _apply(self, request, queryset, change, done: str):
        changed, refused = 0, []
        for order in queryset.order_by("pk"):
            try:
                change(order)
            except ShopError as error:
                refused.append(f"#{order.pk}: {error}")
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} order(s) {done}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not changed: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Mark selected orders shipped")
    def mark_shipped(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda order: services.order_set_status(order_id=order.pk, status=Order.Status.SHIPPED),
            "marked shipped",
        )

    @admin.action(description="Mark selected orders delivered")
    def mark_delivered(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda order: services.order_set_status(
                order_id=order.pk, status=Order.Status.DELIVERED
            ),
            "marked delivered",
        )

    @admin.action(description="Cancel selected orders (puts stock back)")
    def cancel_orders(self, request, queryset):
        self._apply(
            request, queryset, lambda order: services.order_cancel(order_id=order.pk), "cancelled"
        )
