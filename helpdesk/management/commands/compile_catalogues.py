"""Compile locale/*/LC_MESSAGES/django.po to .mo with polib, so no GNU gettext is needed to run."""

from __future__ import annotations

import os
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the message catalogues (.po → .mo) without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                # Written aside and renamed into place: a process reading the catalogue meanwhile (a test
                # run, `make run`) sees the old file or the new one, never half of one.
                partial = mo_path.with_name(f".{mo_path.stem}-{os.getpid()}.mo")  # git ignores *.mo
                polib.pofile(str(po_path)).save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
