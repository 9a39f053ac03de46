from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def won(amount) -> str:
    """₩39,000 — prices are whole won."""
    if amount is None or amount == "":
        return ""
    return f"₩{intcomma(int(amount))}"
