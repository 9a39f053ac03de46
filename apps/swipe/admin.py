from django.contrib import admin
from django.utils.html import format_html

from apps.core.admin import BaseModelAdmin

from .models import Look, LookImage, LookProduct


class LookProductInline(admin.TabularInline):
    model = LookProduct
    extra = 1
    fields = ("product", "position")
    raw_id_fields = ("product",)
    ordering = ("position", "id")


class LookImageInline(admin.TabularInline):
    model = LookImage
    extra = 0
    fields = ("image", "alt", "position")
    ordering = ("position", "id")


@admin.register(Look)
class LookAdmin(BaseModelAdmin):
    list_display = ("cover_thumb", "title", "store", "likes_count", "is_active")
    list_display_links = ("cover_thumb", "title")
    list_filter = ("is_active", ("store", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("store",)
    search_fields = ("title",)
    raw_id_fields = ("creator", "store")
    readonly_fields = ("likes_count",)
    inlines = [LookProductInline, LookImageInline]
    show_full_result_count = False

    @admin.display(description="")
    def cover_thumb(self, look):
        if not look.cover:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="height:56px;width:45px;object-fit:cover;border-radius:4px">',
            look.cover.url,
        )

    def save_model(self, request, obj, form, change):
        if not change and obj.creator_id is None:
            obj.creator = request.user
        super().save_model(request, obj, form, change)
