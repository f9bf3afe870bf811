from __future__ import annotations

from celery import shared_task

from tickets import drafts


@shared_task(name="tickets.purge_draft_files", ignore_result=True)
def purge_draft_files() -> int:
    """Delete evidence files of claim drafts that were never filed (set-based over one folder)."""
    return drafts.purge_abandoned()
