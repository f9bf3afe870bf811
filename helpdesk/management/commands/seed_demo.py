"""Load demo data. Idempotent: running it again changes nothing that is already there."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from helpdesk import context
from helpdesk.demo import DEMO_ACCOUNTS
from helpdesk.services import user_upsert


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) and demo content. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting_from(context.ActionContext(source="command:seed_demo")), transaction.atomic():
            created = 0
            for account in DEMO_ACCOUNTS:
                _user, was_created = user_upsert(
                    email=account.email,
                    password=account.password,
                    role=account.role,
                    display_name=account.display_name,
                    staff_number=account.staff_number,
                    phone=account.phone,
                )
                created += was_created
            for seeder in _content_seeders():
                seeder()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new accounts)."))


def _content_seeders() -> list[Any]:
    """Each app that has demo content exposes ``<app>.demo.seed()``; they run in dependency order."""
    from importlib import import_module

    seeders = []
    for module_name in (
        "contacts.demo",
        "tickets.demo",
        "integrations.demo",
        "insights.demo",
        "helpcentre.demo",
    ):
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        seeders.append(module.seed)
    return seeders
