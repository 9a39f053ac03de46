from django import forms
from django.utils.functional import cached_property

from .models import Category
from .rules import SEARCH_MAX_LENGTH
from .selectors import ProductQuery, Sort, category_list


class ProductListForm(forms.Form):
    sort = forms.ChoiceField(
        choices=Sort.CHOICES,
        required=False,
        error_messages={
            "invalid_choice": "Sort by “%(value)s” isn't available: pick Popular or New in."
        },
    )
    category = forms.SlugField(max_length=60, required=False)
    q = forms.CharField(
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        error_messages={
            "max_length": f"Search is limited to {SEARCH_MAX_LENGTH} characters. Try a few words."
        },
    )
    cursor = forms.CharField(required=False)  # checked (and forgiven) by the pagination

    def clean_category(self):
        slug = self.cleaned_data["category"]
        if not slug:
            return None
        category = next((c for c in self.categories if c.slug == slug), None)
        if category is None:
            raise forms.ValidationError(
                "We don't have a “%(slug)s” category.", params={"slug": slug}
            )
        return category

    @cached_property
    def categories(self) -> list[Category]:
        """The categories, read once per form: the slug's check and the page's chips
        use the same list."""
        return category_list()

    def product_query(self) -> ProductQuery:
        data = self.cleaned_data
        return ProductQuery(
            sort=data.get("sort") or Sort.POPULAR,
            category=data.get("category"),
            text=data.get("q") or "",
        )


class LikeForm(forms.Form):
    liked = forms.TypedChoiceField(
        choices=(("1", "like"), ("0", "unlike")),
        coerce=lambda value: value == "1",
        error_messages={
            "required": "Say whether to like or unlike.",
            "invalid_choice": "Say whether to like or unlike.",
        },
    )
