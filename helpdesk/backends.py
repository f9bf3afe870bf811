"""Customers may sign in with their phone number instead of their email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from helpdesk.models import Role, User
from helpdesk.phones import normalize_personal_phone


class EmailOrPhoneBackend(ModelBackend):
    """Email as usual; a phone number finds the one customer account with that number (never staff)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None or "@" in username:
            return None
        try:
            phone = normalize_personal_phone(username)
        except ValidationError:
            return None
        matches = list(User.objects.filter(phone=phone, role=Role.CUSTOMER)[:2])
        if len(matches) != 1:
            User().set_password(password)  # same work as a real check, so timing does not tell
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
