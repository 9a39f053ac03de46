"""The backend that serves a logged-in shopper's requests.

Every page a logged-in shopper opens loads their user row first. Through the ORM
(``ModelBackend.get_user``) building that one-row query cost more than PostgreSQL took
to answer it, so ``SessionBackend`` reads the same row with one statement written out
(apps/core/rows.py) and applies the same rule: an inactive account is nobody.

Passwords are still checked by ``ModelBackend`` and allauth's backend; this one never
authenticates. Every log-in records it in the session (``signals.serve_the_session``),
whichever backend checked the password. ``ModelBackend`` stays in
AUTHENTICATION_BACKENDS too, so a session that recorded it keeps working.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db import router

from apps.core.rows import Columns, fetch

from .models import User

SESSION_BACKEND = "apps.accounts.backends.SessionBackend"
# Backends whose get_user is ModelBackend's: their sessions are served by this one.
SAME_USERS = {
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
}

_USER = Columns(User, "u")


class SessionBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None  # see the module's docstring

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        using = router.db_for_read(User)
        rows = fetch(
            using,
            f"SELECT {_USER.sql(using)} FROM {_USER.table(using)}"  # noqa: S608 (names only)
            f" WHERE {_USER.column('id', using)} = %s",
            [pk],
        )
        if not rows:
            return None
        user = _USER.build(rows[0], using)
        return user if self.user_can_authenticate(user) else None
