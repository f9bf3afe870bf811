from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.support.services import missing_service

ROOT = Path(__file__).resolve().parents[2]
# Every project app (a folder with apps.py: a new app is picked up by itself), the templates, the catalogues
# and the scripts.
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
SOURCES = ["manage.py", *APPS, "templates", "locale", "static/js"]


def test_the_committed_catalogues_are_complete():
    zh = polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))
    en = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in zh if not e.translated()]
    assert not untranslated, f"msgids without a zh_Hans translation: {untranslated}"
    assert {e.msgid for e in zh} == {e.msgid for e in en}


def test_every_message_in_the_code_is_in_both_catalogues(tmp_path):
    """Extract messages from a copy of the sources and compare with the committed catalogues."""
    if shutil.which("xgettext") is None:
        missing_service("needs GNU gettext (xgettext) to extract messages: apt-get install gettext")
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "-i",
            "static/*",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "VAR_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 0, result.stderr
    extracted = polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in extracted if not e.translated()]
    assert not missing, f"run `make messages` and translate: {missing}"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogues_compile(language, tmp_path):
    polib.pofile(str(ROOT / f"locale/{language}/LC_MESSAGES/django.po")).save_as_mofile(
        str(tmp_path / "x.mo")
    )
    assert (tmp_path / "x.mo").stat().st_size > 100


def test_the_language_of_one_request_does_not_leak_into_the_next(client, settings):
    from django.utils import translation

    before = translation.get_language()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get("/healthz")
    assert translation.get_language() == before
