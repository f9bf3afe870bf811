"""Boundaries a machine checks. The layering contracts are import-linter's (``lint-imports``, pyproject.toml);
this one it cannot state: no module imports another module's ``_private`` names from ``tickets``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("tickets", "helpdesk", "contacts", "integrations", "insights", "helpcentre")


def _private_imports_of_tickets() -> list[str]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("tickets"):
                    continue
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}")
    return found


def test_no_module_imports_a_private_name_from_tickets():
    assert _private_imports_of_tickets() == []


def test_the_check_sees_a_private_import(tmp_path, monkeypatch):
    # The rule must be able to fail: a module importing a private name is reported.
    app = tmp_path / "tickets"
    app.mkdir()
    (app / "leak.py").write_text("from tickets.claims.services import _lock\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    monkeypatch.setattr(f"{__name__}.APPS", ("tickets",))
    assert _private_imports_of_tickets() == ["tickets/leak.py:1 tickets.claims.services._lock"]
