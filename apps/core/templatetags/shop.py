from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def won(amount) -> str:
    """₩39,000 — prices are whole won."""
    if amount is None or amount == "":
        return ""
    return f"₩{intcomma(int(amount))}"


@register.filter
def tsid(value) -> str:
    """The 13-character form of an id held as a plain int (e.g. in cached data)."""
    from apps.core.tsid import encode

    return encode(int(value))


@register.filter
def sum_line_totals(lines) -> int:
    return sum(line.line_total for line in lines)
