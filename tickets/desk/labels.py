"""Words for staff pages. The claim's statuses and timeline entries are named from the customer's point of
view on the customer's pages ("Waiting for your answer", "Your message"); staff read them from the desk's
side. Only the labels that differ are listed here (``pgettext`` context "staff"); the rest keep the model's.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

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


def staff_status_label(status: str) -> str:
    label = STAFF_STATUS.get(status)
    return str(label) if label is not None else str(dict(ClaimStatus.choices).get(status, status))


def staff_event_label(kind: str) -> str:
    label = STAFF_EVENT.get(kind)
    return str(label) if label is not None else str(dict(EventKind.choices).get(kind, kind))


def staff_status_choices(statuses: list[ClaimStatus] | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for staff forms; lazy labels so each request speaks its own language."""
    return [(s.value, STAFF_STATUS.get(s.value) or s.label) for s in (statuses or list(ClaimStatus))]  # type: ignore[misc]
