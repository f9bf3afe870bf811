from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from helpdesk.auth import is_verified


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # A staff member who has not passed TOTP yet sees no personal navigation (the bell, queues).
    signed_in = bool(
        user is not None
        and user.is_authenticated
        and (not settings.STAFF_2FA_REQUIRED or not user.is_staff_role or is_verified(user))
    )
    return {"DEMO_MODE": settings.DEMO_MODE, "SITE_URL": settings.SITE_URL, "FULLY_SIGNED_IN": signed_in}
