"""Extract messages into both catalogues; English msgstrs mirror their (English) msgids."""

from __future__ import annotations

from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run makemessages for zh_Hans and en, then fill the English catalogue. Needs GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        ignore = [".venv/*", "var/*", "static/vendor/*", "tests/*", "bench/*", "node_modules/*"]
        call_command(
            "makemessages",
            locale=["zh_Hans", "en"],
            ignore_patterns=ignore,
            no_obsolete=True,
            no_location=True,
            verbosity=0,
        )
        en_path = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(en_path))
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()
        zh = polib.pofile(str(settings.LOCALE_PATHS[0] / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        missing = [e.msgid for e in zh if not e.translated()]
        self.stdout.write(f"zh_Hans: {len(zh)} messages, {len(missing)} to translate.")
        for msgid in missing:
            self.stdout.write(f"  {msgid}")
