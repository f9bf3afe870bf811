from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from helpdesk.demo import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the site address and the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"\nClaimDesk is starting at {settings.SITE_URL}/\n")
        self.stdout.write("Demo accounts (email / password / role):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:34} {account.password:24} {account.role.value}")
        if settings.STAFF_2FA_REQUIRED:
            self.stdout.write("Staff sign-in asks for a TOTP code (set STAFF_2FA_REQUIRED=false to skip).")
        self.stdout.write("")
