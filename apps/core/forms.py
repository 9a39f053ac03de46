def first_error(form) -> str:
    """The first message of an invalid form, for a one-line answer (htmx, 400s)."""
    return next(iter(form.errors.values()))[0]
