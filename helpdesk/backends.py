"""Customers may sign in with their verified phone number instead of their email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from helpdesk.auth import phone_sign_in_user
from helpdesk.models import User
from helpdesk.phones import normalize_personal_phone


class EmailOrPhoneBackend(ModelBackend):
    """E-mail goes through ModelBackend (``User.objects.get_by_natural_key`` folds every spelling to the
    canonical address); a phone number, in any spelling, finds the one customer who verified it."""

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
        user = phone_sign_in_user(phone)
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not tell
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
