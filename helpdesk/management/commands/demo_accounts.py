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
        for line in _app_lines():
            self.stdout.write(line)
        if settings.STAFF_2FA_REQUIRED:
            self.stdout.write("Staff sign-in asks for a TOTP code (set STAFF_2FA_REQUIRED=false to skip).")
        self.stdout.write("")


def _app_lines() -> list[str]:
    """Apps add lines (e.g. the demo platform key) with ``<app>.demo.demo_lines()``; core imports no app."""
    from importlib import import_module

    lines: list[str] = []
    for module_name in ("integrations.demo",):
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        lines += module.demo_lines()
    return lines
