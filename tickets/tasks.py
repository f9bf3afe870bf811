from __future__ import annotations

from celery import shared_task

from tickets.claims import drafts


@shared_task(name="tickets.purge_draft_files", ignore_result=True)
def purge_draft_files() -> int:
    """Delete evidence files of claim drafts older than DRAFT_TTL (set-based over one folder)."""
    return drafts.purge_expired_drafts()


@shared_task(name="tickets.sla_sweep", ignore_result=True)
def sla_sweep() -> int:
    """Every minute: record and alert SLA warnings (75 %) and breaches, each once (tickets/sla/sweep.py)."""
    from tickets.sla.sweep import sla_sweep as sweep

    return sweep()


@shared_task(name="tickets.callbacks_overdue", ignore_result=True)
def callbacks_overdue() -> int:
    from tickets.callbacks.services import callback_sweep_overdue

    return callback_sweep_overdue()


@shared_task(name="tickets.claim_tally_compact", ignore_result=True)
def claim_tally_compact() -> int:
    """Every minute: fold the open-claim tally's change rows into one row per group (tickets.desk.tally)."""
    from tickets.desk.tally import tally_compact

    return tally_compact()


@shared_task(name="tickets.claim_tally_recount", ignore_result=True)
def claim_tally_recount() -> int:
    """Daily: check the open-claim tally against a plain count, log and repair any difference."""
    from tickets.desk.tally import tally_recount

    return tally_recount()
