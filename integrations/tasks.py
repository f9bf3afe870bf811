from __future__ import annotations

from celery import shared_task

from helpdesk import context


@shared_task(name="integrations.match_events", ignore_result=True)
def match_events() -> int:
    """Match events not matched yet (kicked after each ingested batch; beat every 10 s catches the rest).
    Idempotent: each event is matched once, leased with SKIP LOCKED."""
    from integrations.services import match_pending

    with context.acting_from(context.ActionContext(source="task:integrations.match_events")):
        return match_pending()
