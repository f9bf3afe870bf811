"""The checker's answer as plain data: the API returns it as JSON and the page renders the same dicts."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest
from django.utils.translation import gettext as _

from contacts.checker.engine import Outcome, Result
from contacts.checker.extract import MAX_QUERY_CHARS, InputProblem


def result_json(result: Result) -> dict[str, Any]:
    platform = result.platform
    replacement = result.replacement
    return {
        "input": result.input,
        "kind": result.kind,
        "canonical": result.canonical,
        "verdict": result.verdict,
        "platform": {"slug": platform.slug, "name": platform.name} if platform else None,
        "channel": {"id": result.channel.pk, "kind": result.channel.kind} if result.channel else None,
        "replacement": (
            {
                "id": replacement.pk,
                "kind": replacement.kind,
                "value": replacement.value,
                "canonical": replacement.canonical_value,
            }
            if replacement
            else None
        ),
        "similar_to": result.similar_to,
        "reason": result.reason,
        "warnings": list(result.warnings),
        "extension": result.extension or None,
        "ivr": result.ivr or None,
        "reports": _reports_json(result),
    }


def _reports_json(result: Result) -> dict[str, Any] | None:
    """Who reported it and when: present with a ``reported`` verdict (or a warning about reports)."""
    summary = result.reports
    if summary is None:
        return None
    return {
        "count": summary.count,
        "first_reported_at": summary.first_reported_at.isoformat() if summary.first_reported_at else None,
        "last_reported_at": summary.last_reported_at.isoformat() if summary.last_reported_at else None,
        "confirmed": summary.confirmed,
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {"query": outcome.query, "results": [result_json(r) for r in outcome.results]}


def problem_message(code: str) -> str:
    messages = {
        "empty": _("Paste a phone number, a link, an address or the whole message you want to check."),
        "too_long": _("That is too long to check: paste at most %(max)s characters.")
        % {"max": MAX_QUERY_CHARS},
        "control_characters": _(
            "The text contains invisible control characters, which can hide a different number or address. "
            "Type it again or paste it as plain text."
        ),
        "encoding": _("The query is not valid UTF-8 text."),
    }
    return messages.get(code, messages["empty"])


def query_from_request(request: HttpRequest, name: str = "q") -> str:
    """``q`` from the query string; invalid UTF-8 (which Django silently replaces) is refused."""
    raw = request.META.get("QUERY_STRING", "")
    raw_bytes = raw.encode("latin-1", "replace") if isinstance(raw, str) else bytes(raw)
    for pair in raw_bytes.split(b"&"):
        key, _sep, value = pair.partition(b"=")
        if unquote_to_bytes(key.replace(b"+", b" ")) != name.encode():
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise InputProblem("encoding") from None
    return request.GET.get(name, "")
