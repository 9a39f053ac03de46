from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin import BaseModelAdmin
from apps.core.money import format_won

from .models import Look, LookImage, LookProduct


class LookProductInline(admin.TabularInline):
    """The look's pieces, each shown by its picture and name. Products are picked by id
    (the lookup opens the product list with its search and filters): a drop-down of
    every product would not load at catalogue size."""

    model = LookProduct
    extra = 1
    fields = ("piece", "product", "position")
    readonly_fields = ("piece",)
    raw_id_fields = ("product",)
    ordering = ("position", "id")
    verbose_name = "product"
    verbose_name_plural = "products"

    class Media:
        css = {"all": ("css/admin.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("look", "product")

    @admin.display(description="piece")
    def piece(self, entry):
        if entry.product_id is None:
            return ""
        product = entry.product
        picture = (
            format_html('<img src="{}" alt="" class="baro-thumb">', product.thumbnail.url)
            if product.thumbnail
            else ""
        )
        return format_html(
            '<span class="baro-piece">{}<a href="{}">{}</a> <small>{}</small></span>',
            picture,
            reverse("admin:products_product_change", args=[product.pk]),
            product.name,
            format_won(product.base_price),
        )


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
