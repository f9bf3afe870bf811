"""Reports on claims: SLA attainment by team, platform or problem type (``selectors``).

``sla_report`` is re-exported because ``tickets.sla_views`` (owned by the SLA package work) imports it from
``tickets.reports``."""

from tickets.reports.selectors import sla_report

__all__ = ["sla_report"]
