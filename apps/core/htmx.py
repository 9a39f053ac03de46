from django.http import HttpResponse
from django.template.loader import render_to_string


def render_fragments(
    request, templates: list[str], context: dict, status: int = 200
) -> HttpResponse:
    """Several named partials in one htmx response: the swap target first, then
    out-of-band pieces (each carrying its own ``hx-swap-oob``)."""
    html = "".join(render_to_string(name, context, request=request) for name in templates)
    return HttpResponse(html, status=status)
