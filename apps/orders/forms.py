from django import forms

from apps.core.fields import TSIDFormField

from .models import MAX_LINE_QUANTITY
from .services import MAX_ADDRESS_LENGTH

QUANTITY_ERRORS = {
    "min_value": f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.",
    "max_value": f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.",
    "invalid": f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.",
}


class VariantQuantityForm(forms.Form):
    variant = TSIDFormField(
        error_messages={"required": "Choose a size first.", "invalid": "Choose a size first."}
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=MAX_LINE_QUANTITY, required=False, error_messages=QUANTITY_ERRORS
    )

    def clean_quantity(self):
        return self.cleaned_data["quantity"] or 1


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
    # Present for "buy now": the one line being bought instead of the cart.
    variant = TSIDFormField(required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        required=False,
        widget=forms.HiddenInput,
        error_messages=QUANTITY_ERRORS,
    )
