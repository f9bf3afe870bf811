"""The SLA sweep's claims as plain rows: a batch of a few hundred claims built as ~25-field model instances
cost a third of the sweep's time (issue 17); a row is a tuple with the ``Claim``'s attribute names."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

# The claim columns tickets.sla.policies.Policy.matches reads.
POLICY_COLUMNS = ("platform_id", "problem_type_id", "priority", "amount", "is_high_value")


class ClaimRow(NamedTuple):
    """What the sweep reads of a claim, as a plain row: the rule's columns (tickets.sla.clock.CLOCK_COLUMNS),
    the alerts' (tickets.sla.alerts.ALERT_COLUMNS) and what a policy match reads (POLICY_COLUMNS: a claim
    whose policy was deleted is matched again for its alerts). The rule, the policies and the alerts read
    it as they read a ``Claim`` (the same attribute names); a test keeps the lists inside this one."""

    id: int
    reference: str
    status: str
    priority: int
    amount: Decimal
    is_high_value: bool
    platform_id: int
    problem_type_id: int | None
    customer_id: int
    assignee_id: int | None
    team_id: int | None
    sla_policy_id: int | None
    sla_paused_at: datetime | None
    first_responded_at: datetime | None
    first_response_warn_at: datetime | None
    first_response_due_at: datetime | None
    next_response_warn_at: datetime | None
    next_response_due_at: datetime | None
    resolution_warn_at: datetime | None
    resolution_due_at: datetime | None

    @property
    def pk(self) -> int:
        return self.id


ROW_COLUMNS: tuple[str, ...] = ClaimRow._fields
