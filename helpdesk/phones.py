"""Phone numbers entered by people (their own contact numbers), parsed with mainland China rules."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_personal_phone(raw: str) -> str:
    """E.164 form of a person's phone number, or ValidationError with a message for the user."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a valid phone number, e.g. 138 0013 8000."), code="invalid_phone"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. 138 0013 8000."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
