import re

from django import forms

from apps.core.fields import TSIDFormField

from .models import MAX_CART_LINES, MAX_LINE_QUANTITY
from .services import MAX_ADDRESS_LENGTH, Line

PIECE_FIELD = re.compile(r"variant-([0-9]{1,2})")
QUANTITY = re.compile(r"[0-9]{1,2}")  # ASCII digits only: "²" and 5,000-digit strings are not

QUANTITY_ERRORS = {
    "min_value": f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.",
    "max_value": f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.",
    "invalid": f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.",
}


class LinesForm(forms.Form):
    """The sizes a shopper picked: one ``variant`` (and ``quantity``) from a product page,
    several ``variant``/``quantity`` pairs (a buy-now checkout of several lines), or one
    ``variant-N`` per piece of a look, where a piece left unpicked is simply left out.
    ``cleaned_data["lines"]`` holds them in the order given."""

    @property
    def empty_message(self) -> str:
        """What to say when nothing was picked: a look's form names its pieces."""
        if "look" in self.data or any(PIECE_FIELD.fullmatch(key) for key in self.data):
            return "Choose a size for the pieces you want."
        return "Choose a size first."

    def _picked(self) -> list[tuple[str, str]]:
        variants, quantities = self.data.getlist("variant"), self.data.getlist("quantity")
        picked = [
            (variant, quantities[index] if index < len(quantities) else "")
            for index, variant in enumerate(variants)
        ]
        pieces = sorted(
            (int(match[1]), key) for key in self.data if (match := PIECE_FIELD.fullmatch(key))
        )
        for index, key in pieces:
            picked.append((self.data.get(key, ""), self.data.get(f"quantity-{index}", "")))
        return picked

    def clean(self):
        lines = []
        for raw_variant, raw_quantity in self._picked():
            if not raw_variant.strip():
                continue
            try:
                variant_id = TSIDFormField().clean(raw_variant)
            except forms.ValidationError:
                raise forms.ValidationError(self.empty_message) from None
            raw_quantity = raw_quantity.strip() or "1"
            if (
                not QUANTITY.fullmatch(raw_quantity)
                or not 1 <= int(raw_quantity) <= MAX_LINE_QUANTITY
            ):
                raise forms.ValidationError(QUANTITY_ERRORS["invalid"])
            lines.append(Line(int(variant_id), int(raw_quantity)))
        if not lines:
            raise forms.ValidationError(self.empty_message)
        if len(lines) > MAX_CART_LINES:
            raise forms.ValidationError(f"Choose at most {MAX_CART_LINES} items at once.")
        return {"lines": lines}


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(
        min_value=0,
        max_value=MAX_LINE_QUANTITY,
        error_messages={
            "required": f"Choose a quantity from 0 to {MAX_LINE_QUANTITY}.",
            "min_value": f"Choose a quantity from 0 to {MAX_LINE_QUANTITY}.",
            "max_value": f"Choose a quantity from 0 to {MAX_LINE_QUANTITY}.",
            "invalid": f"Choose a quantity from 0 to {MAX_LINE_QUANTITY}.",
        },
    )


class CheckoutForm(forms.Form):
    shipping_address = forms.CharField(
        max_length=MAX_ADDRESS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        error_messages={"required": "Enter a shipping address."},
    )
    idempotency_key = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={"invalid": "This checkout form has expired. Please check out again."},
    )
