from __future__ import annotations

from celery import shared_task


@shared_task(name="insights.rollup", ignore_result=True)
def rollup() -> int:
    """Every 15 minutes: today's and yesterday's roll-up rows, then the platform scorecards."""
    from insights.rollup import rollup_recent
    from insights.scorecards import scorecards_refresh

    rows = rollup_recent()
    scorecards_refresh()
    return rows


@shared_task(name="insights.build_data_export", ignore_result=True)
def build_data_export(export_id: int) -> bool:
    from insights.privacy import data_export_build

    return data_export_build(export_id)


@shared_task(name="insights.run_due_deletions", ignore_result=True)
def run_due_deletions() -> int:
    """Hourly: accounts whose cooling-off period ended are erased; expired exports are deleted."""
    from insights.privacy import expire_exports
    from insights.privacy import run_due_deletions as run

    expire_exports()
    return run()
