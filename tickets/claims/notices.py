"""What we tell the customer after masking what they typed (web pages and API responses say the same)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from helpdesk.redaction import BANK_CARD, ID_NUMBER, SECRET


def masking_messages(kinds: Any) -> list[str]:
    kinds = set(kinds or ())
    out = []
    if BANK_CARD in kinds:
        out.append(_("We hid a bank card number you typed; only its last four digits are kept."))
    if ID_NUMBER in kinds:
        out.append(_("We hid an ID number you typed."))
    if SECRET in kinds:
        out.append(
            _(
                "We hid what looked like a password or verification code: support will never need your "
                "password or SMS code. If you shared it anywhere, change it now."
            )
        )
    return out
