"""Words for staff pages. The claim's statuses and timeline entries are named from the customer's point of
view on the customer's pages ("Waiting for your answer", "Your message"); staff read them from the desk's
side. Only the labels that differ are listed here (``pgettext`` context "staff"); the rest keep the model's.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy

from tickets.models import ClaimStatus, EventKind

STAFF_STATUS: dict[str, Promise] = {
    ClaimStatus.WAITING_ON_CUSTOMER: pgettext_lazy("staff", "Waiting on the customer"),
    ClaimStatus.WAITING_ON_PLATFORM: pgettext_lazy("staff", "Waiting on the platform"),
}
STAFF_EVENT: dict[str, Promise] = {
    EventKind.CUSTOMER_REPLY: pgettext_lazy("staff", "Customer's message"),
    EventKind.RESOLVED_CONFIRMED: pgettext_lazy("staff", "The customer confirmed it is resolved"),
    EventKind.SLA_PROMISE: pgettext_lazy("staff", "Promise to the customer"),
}


@lru_cache(maxsize=16)
def _staff_labels(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Every staff label translated once per language (a list page asks for one per row)."""
    statuses = {value: str(STAFF_STATUS.get(value) or label) for value, label in ClaimStatus.choices}
    events = {value: str(STAFF_EVENT.get(value) or label) for value, label in EventKind.choices}
    return statuses, events


def staff_status_labels(language: str | None) -> dict[str, str]:
    """Status value -> staff label in ``language`` (for a page that labels many rows at once)."""
    return _staff_labels(language)[0]


def staff_status_label(status: str) -> str:
    return staff_status_labels(get_language()).get(status, status)


def staff_event_label(kind: str) -> str:
    return _staff_labels(get_language())[1].get(kind, kind)


def staff_status_choices(statuses: list[ClaimStatus] | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for staff forms; lazy labels so each request speaks its own language."""
    return [(s.value, STAFF_STATUS.get(s.value) or s.label) for s in (statuses or list(ClaimStatus))]  # type: ignore[misc]
