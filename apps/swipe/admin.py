from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin import BaseModelAdmin
from apps.core.money import format_won

from .covers import look_compose_cover
from .models import Look, LookImage, LookProduct

COMPOSE_AT_ONCE = 100


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


class LookForm(forms.ModelForm):
    class Meta:
        model = Look
        fields = (
            "title",
            "description",
            "store",
            "creator",
            "cover",
            "cover_is_custom",
            "is_active",
        )

    def clean(self):
        data = super().clean()
        if "cover" in self.changed_data:
            # An upload is staff's own cover and stays; clearing it asks for a composed one.
            data["cover_is_custom"] = bool(data.get("cover"))
        return data


@admin.register(Look)
class LookAdmin(BaseModelAdmin):
    form = LookForm
    list_display = ("cover_thumb", "title", "store", "likes_count", "is_active")
    list_display_links = ("cover_thumb", "title")
    list_filter = ("is_active", "cover_is_custom", ("store", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("store",)
    search_fields = ("title",)
    raw_id_fields = ("creator", "store")
    fields = (
        "title",
        "description",
        "store",
        "creator",
        "cover_preview",
        "cover",
        "cover_is_custom",
        "is_active",
        "likes_count",
    )
    readonly_fields = ("cover_preview", "likes_count")
    inlines = [LookProductInline, LookImageInline]
    actions = ["compose_covers"]
    show_full_result_count = False

    @admin.display(description="cover as shown")
    def cover_preview(self, look):
        if not look.cover:
            return "Composed from the products when the look is saved."
        return format_html(
            '<img src="{}" alt="" style="height:200px;border-radius:6px">', look.cover.url
        )

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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The products are saved now: a composed cover follows them.
        if look_compose_cover(look_id=form.instance.pk):
            self.message_user(request, "The cover was composed from the look's products.")

    @admin.action(description="Compose covers from the products (replaces uploaded covers)")
    def compose_covers(self, request, queryset):
        # Each cover is drawn in this request: keep it well inside the worker's timeout.
        if queryset.count() > COMPOSE_AT_ONCE:
            self.message_user(
                request, f"Choose at most {COMPOSE_AT_ONCE} looks at a time.", messages.ERROR
            )
            return
        changed = sum(
            look_compose_cover(look_id=look_id, replace_custom=True)
            for look_id in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{changed} cover(s) composed.", messages.SUCCESS)
