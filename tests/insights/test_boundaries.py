"""The layering rule, as a test: contacts never imports tickets or insights; core (helpdesk, except the
config wiring) never imports insights."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIRING = {"helpdesk/urls.py", "helpdesk/settings.py", "helpdesk/celery.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"), [("contacts", ("tickets", "insights")), ("helpdesk", ("insights",))]
)
def test_a_package_does_not_import_what_depends_on_it(package, forbidden):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in WIRING or "/migrations/" in relative:
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in forbidden:
                offenders.append(f"{relative}: {module}")
    assert offenders == []


def test_the_check_finds_an_import():
    assert "insights.scorecards" in imported_modules(ROOT / "insights/templatetags/insights.py")
