"""Demo content: the roll-up of the demo claims' last 30 days and the scorecards, so the analytics page and
the platform pages have figures right after ``make run`` (beat keeps them current)."""

from __future__ import annotations


def seed() -> None:
    from insights.rollup import rollup_recent
    from insights.scorecards import scorecards_refresh

    rollup_recent(days=30)
    scorecards_refresh()
