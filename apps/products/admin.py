from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from apps.accounts.models import Store
from apps.core.admin import BaseModelAdmin, WonInput, won_display
from apps.core.errors import ShopError
from apps.core.fields import TSID
from apps.core.tsid import InvalidTSID

from . import rules
from .models import Category, Product, ProductImage, Variant
from .services import variant_new_sku, variants_adjust_stock


@admin.register(Category)
class CategoryAdmin(BaseModelAdmin):
    list_display = ("name", "slug", "position", "add_product")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)

    @admin.display(description="")
    def add_product(self, category):
        url = reverse("admin:products_product_add")
        sizes = " ".join(rules.default_sizes(category.slug))
        return format_html(
            '<a href="{}?category={}">Add a product</a> <small>({})</small>',
            url,
            category.pk,
            sizes,
        )


class SellerScopedAdmin(BaseModelAdmin):
    """Admins see every store's rows; a seller (staff with the seller role) sees and
    edits only rows of the stores they own."""

    @staticmethod
    def is_seller(request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and not user.is_superuser
            and user.role == user.Role.SELLER
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.is_seller(request):
            queryset = queryset.filter(store__owner=request.user)
        return queryset

    def _owns(self, request, obj) -> bool:
        return obj is None or obj.store.owner_id == request.user.pk

    def has_module_permission(self, request):
        return self.is_seller(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if self.is_seller(request):
            return self._owns(request, obj)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if self.is_seller(request):
            return self._owns(request, obj)
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        if self.is_seller(request):
            return True
        return super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        if self.is_seller(request):
            return self._owns(request, obj)
        return super().has_delete_permission(request, obj)


class SellerScopedInline:
    """Inlines follow their parent: a seller may edit them on products they own."""

    def _seller(self, request):
        return SellerScopedAdmin.is_seller(request)

    def has_view_permission(self, request, obj=None):
        return self._seller(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._seller(request) or super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._seller(request) or super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._seller(request) or super().has_delete_permission(request, obj)


class VariantForm(forms.ModelForm):
    class Meta:
        model = Variant
        fields = ("size", "colour", "price_override", "stock", "sku", "position")
        # Widths come from css/admin.css: the admin's 20em text boxes made the sizes
        # table wider than a laptop window.
        widgets = {
            "size": forms.TextInput(attrs={"class": "baro-size"}),
            "colour": forms.TextInput(attrs={"class": "baro-colour"}),
            "price_override": WonInput(attrs={"class": "baro-price"}),
            "stock": forms.NumberInput(attrs={"class": "baro-stock"}),
            "sku": forms.TextInput(attrs={"class": "baro-sku"}),
            "position": forms.NumberInput(attrs={"class": "baro-position"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form carries the stock the admin saw, so a save knows the change they meant.
        self.fields["stock"].show_hidden_initial = True
        # A blank SKU is made when the size is saved (VariantFormSet): a new product has
        # no id until then.
        sku = self.fields["sku"]
        sku.required = False
        sku.help_text = "Leave blank to have one made: product id, size, colour."
        sku.widget.attrs["placeholder"] = "made when blank"

    def clean_sku(self):
        # None rather than "": the formset's duplicate check skips None, so two blank
        # SKUs are not "duplicates" (each gets its own name on save).
        return self.cleaned_data["sku"] or None

    def stock_seen(self) -> int:
        field = self.fields["stock"]
        raw = field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix("stock")
        )
        try:
            return int(field.to_python(raw))
        except (TypeError, ValueError, forms.ValidationError):
            return int(self.initial.get("stock") or 0)


class VariantFormSet(BaseInlineFormSet):
    """Saves a size's stock as a change under the stock lock, never as a plain write:
    "12 -> 15" becomes "+3" applied to whatever checkouts left meanwhile."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stock_deltas: dict[int, int] = {}

    def _name_if_blank(self, variant: Variant) -> None:
        if not variant.sku:
            variant.sku = variant_new_sku(
                product_id=self.instance.pk,
                size=variant.size,
                colour=variant.colour,
                variant_id=None if variant._state.adding else variant.pk,
            )

    def save_new(self, form, commit=True):
        variant = super().save_new(form, commit=False)
        self._name_if_blank(variant)
        if commit:
            variant.save()
        return variant

    def clean(self):
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.instance.pk is None:
                continue
            if "stock" not in form.changed_data or data.get("stock") is None:
                continue
            delta = data["stock"] - form.stock_seen()
            now = Variant.objects.filter(pk=form.instance.pk).values_list("stock", flat=True)
            left = now.first()
            if left is not None and left + delta < 0:
                form.add_error(
                    "stock",
                    f"{left} in stock now (checkouts took some since this page was opened), "
                    f"so it cannot go down by {-delta}. Enter the stock again.",
                )

    def save_existing(self, form, obj, commit=True):
        obj = form.save(commit=False)
        self._name_if_blank(obj)
        if commit:
            other_fields = [name for name in form.changed_data if name != "stock"]
            if other_fields:
                obj.save(update_fields=[*other_fields, "updated_at"])
            if "stock" in form.changed_data:
                # Applied last, all sizes in one locked call (ProductAdmin.save_related):
                # the stock rows are locked in primary-key order, and only at the end.
                self.stock_deltas[int(obj.pk)] = form.cleaned_data["stock"] - form.stock_seen()
        return obj


class VariantInline(SellerScopedInline, admin.TabularInline):
    model = Variant
    form = VariantForm
    formset = VariantFormSet
    extra = 0
    fields = ("size", "colour", "price_override", "stock", "sku", "position")
    verbose_name = "size"
    verbose_name_plural = "sizes"

    class Media:
        css = {"all": ("css/admin.css",)}

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None and request.method == "GET":
            return len(sizes_for_new_product(request))
        return 0


def sizes_for_new_product(request) -> tuple[str, ...]:
    """The size rows a new product's form starts with: the usual sizes of the category
    named in the URL (``add/?category=<id>``, as the category list links it), or the
    general set. The category is picked on the same form, so the rows cannot follow
    the picker without a reload; staff edit or remove them before saving."""
    try:
        category_id = TSID.parse(request.GET.get("category", ""))
    except (InvalidTSID, ValueError):
        return rules.default_sizes(None)
    slug = Category.objects.filter(pk=category_id).values_list("slug", flat=True).first()
    return rules.default_sizes(slug)


class ProductImageInline(SellerScopedInline, admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("preview", "image", "alt", "colour", "position")
    readonly_fields = ("preview",)

    @admin.display(description="")
    def preview(self, image):
        if not image.pk or not image.image:
            return ""
        return format_html('<img class="baro-thumb" src="{}" alt="">', image.image.url)


class SoldOutFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return (("sold_out", "Sold out in every size"), ("available", "Available"))

    def queryset(self, request, queryset):
        in_stock = Exists(Variant.objects.filter(product=OuterRef("pk"), stock__gt=0))
        if self.value() == "sold_out":
            return queryset.filter(~in_stock)
        if self.value() == "available":
            return queryset.filter(in_stock)
        return queryset


@admin.register(Product)
class ProductAdmin(SellerScopedAdmin):
    list_display = ("thumb", "name", "store", "category", "price", "likes_count", "is_active")
    list_display_links = ("thumb", "name")
    list_filter = (
        "category",
        "is_active",
        SoldOutFilter,
        ("store", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("store", "category")
    search_fields = ("name", "store__name")
    readonly_fields = ("likes_count",)
    inlines = [VariantInline, ProductImageInline]
    list_per_page = 50
    show_full_result_count = False  # counting 1.8 M rows on every page view is wasted work
    fieldsets = (
        (None, {"fields": ("store", "category", "name", "description")}),
        ("Price and display", {"fields": ("base_price", "thumbnail", "is_active", "likes_count")}),
        ("Fair stock", {"fields": ("max_per_shopper",)}),
    )

    price = won_display("base_price", "price")

    class Media:
        css = {"all": ("css/admin.css",)}

    @admin.display(description="")
    def thumb(self, product):
        if not product.thumbnail:
            return "—"
        return format_html(
            '<img class="baro-thumb-small" src="{}" alt="">',
            product.thumbnail.url,
        )

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # Only the blank form is pre-filled: on a POST the rows are whatever staff sent,
        # and a row counts as wanted because its size differs from an empty form's.
        if isinstance(inline, VariantInline) and obj._state.adding and request.method == "GET":
            kwargs["initial"] = [
                {"size": size, "position": position}
                for position, size in enumerate(sizes_for_new_product(request))
            ]
        return kwargs

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and response.status_code == 302:
            # The next product most likely shares this one's category, and so its sizes.
            url = urlsplit(response["Location"])
            query = [(key, value) for key, value in parse_qsl(url.query) if key != "category"]
            query.append(("category", str(obj.category_id)))
            response["Location"] = urlunsplit(url._replace(query=urlencode(query)))
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        deltas = {}
        for formset in formsets:
            deltas.update(getattr(formset, "stock_deltas", {}))
        if not deltas:
            return
        try:
            variants_adjust_stock(deltas=deltas)
        except ShopError as error:  # a checkout got in after the form was checked
            self.message_user(request, str(error), messages.ERROR)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "base_price":
            kwargs["widget"] = WonInput(attrs={"class": "vIntegerField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "store" and self.is_seller(request):
            kwargs["queryset"] = Store.objects.filter(owner=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
