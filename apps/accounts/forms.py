import re

from allauth.account import forms as allauth_forms
from django import forms

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up (email, password) with the name the shop greets you by."""

    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    field_order = ["name", "email", "password1"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Tell us what to call you.")
        return name


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email"
        self.fields["login"].widget.attrs.update(
            {"autocomplete": "email", "autofocus": True, "placeholder": ""}
        )
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=100)
    phone = forms.CharField(
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    shipping_address = forms.CharField(
        label="Default shipping address",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Tell us what to call you.")
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError("Enter a phone number like 010-1234-5678.")
        return phone
