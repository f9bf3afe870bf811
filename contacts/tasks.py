from __future__ import annotations

from celery import shared_task

from contacts import services
from helpdesk import context


@shared_task(name="contacts.sweep_review_overdue")
def sweep_review_overdue() -> int:
    """Beat runs this; idempotent and set-based (see contacts.services.review)."""
    with context.acting_from(context.ActionContext(source="task:contacts.sweep_review_overdue")):
        return services.sweep_review_overdue()
