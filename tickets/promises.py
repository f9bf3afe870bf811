"""What we promised the customer, and where each promise stands: pending, met, late or cancelled.

The claim page and the notifications read promises from here only, so they never contradict each other:
- first reply before X (met: "answered at 12:05"; late: an apology and the new time);
- the resolution target, stated in working days on office calendars;
- the call-back (late: "we are late; an agent will call you before <new time>"; cancelled while the claim
  waits on the customer's written answer; a high-value claim without a phone number asks for one).

A missed promise's new time comes from ``tickets.sla.clock.renewed_due`` (deterministic in the missed
time), so the page, the ``SLA_PROMISE`` timeline entry and the notification name the same moment. The
timeline entry is written whenever a promise is made or changed (``promise_record``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helpdesk.models import User
from helpdesk.templatetags.claimdesk import phone
from tickets.models import Callback, CallbackStatus, Claim, ClaimEvent, ClaimStatus, EventKind, SlaTarget
from tickets.sla.clock import renewed_due, target_window, working_days
from tickets.sla.rows import ClaimRow

PENDING, MET, LATE, CANCELLED = "pending", "met", "late", "cancelled"
NEEDS_PHONE = "needs_phone"  # a pending call-back promise we cannot keep without a number
FIRST_RESPONSE, RESOLUTION, CALLBACK = SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION, SlaTarget.CALLBACK


@dataclass(frozen=True)
class Promise:
    target: str
    state: str
    text: str
    due_at: datetime | None = None

    @property
    def css(self) -> str:
        return {MET: "ok", LATE: "bad", CANCELLED: "muted"}.get(self.state, "warn")


def when(moment: datetime) -> str:
    # Digits only, the same in every language ("Y-m-d H:i"); strftime, because a sweep formats hundreds.
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _time(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i")


# --- Reading -----------------------------------------------------------------------------------------------
def first_response_promise(claim: Claim, now: datetime) -> Promise | None:
    due = claim.first_response_due_at
    if claim.first_responded_at is not None:
        return Promise(
            FIRST_RESPONSE,
            MET,
            _("First reply: answered at %(time)s (%(when)s).")
            % {"time": _time(claim.first_responded_at), "when": when(claim.first_responded_at)},
        )
    if due is None or not claim.is_open:
        return None
    if claim.status == ClaimStatus.WAITING_ON_CUSTOMER:
        return Promise(
            FIRST_RESPONSE, CANCELLED, _("First reply: paused while we wait for your answer."), None
        )
    if due > now:
        return Promise(
            FIRST_RESPONSE,
            PENDING,
            _("First reply before %(when)s (Beijing time).") % {"when": when(due)},
            due,
        )
    new = renewed_due(claim, FIRST_RESPONSE, due, now)
    return Promise(
        FIRST_RESPONSE,
        LATE,
        _("Sorry, we are late: we promised a first reply by %(was)s. An agent will answer before %(new)s.")
        % {"was": when(due), "new": when(new)},
        new,
    )


def resolution_promise(claim: Claim, now: datetime) -> Promise | None:
    due = claim.resolution_due_at
    if claim.status == ClaimStatus.RESOLVED and claim.resolved_at:
        return Promise(RESOLUTION, MET, _("Resolved on %(when)s.") % {"when": when(claim.resolved_at)})
    if due is None or not claim.is_open:
        return None
    if claim.status == ClaimStatus.WAITING_ON_CUSTOMER:
        return Promise(
            RESOLUTION,
            CANCELLED,
            _("Resolution target: paused while we wait for your answer; it moves on when you reply."),
        )
    if due <= now:
        new = renewed_due(claim, RESOLUTION, due, now)
        return Promise(
            RESOLUTION,
            LATE,
            _("Sorry, we did not resolve your claim by %(was)s as promised. Our new target: %(new)s.")
            % {"was": when(due), "new": when(new)},
            new,
        )
    days = working_days(claim)
    if days:
        text = ngettext(
            "Resolution target: within %(days)d working day, by %(when)s.",
            "Resolution target: within %(days)d working days, by %(when)s.",
            days,
        ) % {"days": days, "when": when(due)}
    else:
        text = _("Resolution target: by %(when)s.") % {"when": when(due)}
    return Promise(RESOLUTION, PENDING, text, due)


def callback_promise(claim: Claim, callback: Callback | None, now: datetime) -> Promise | None:
    """The latest call-back's promise; for a high-value claim without one and without a verified phone
    number (we call no other), the request to verify one."""
    if callback is None:
        if claim.is_open and claim.is_high_value and not claim.customer.has_verified_phone:
            window = target_window(claim, CALLBACK)
            if window is not None:
                minutes = max(1, int(window[1].total_seconds() // 60))
                return Promise(
                    CALLBACK,
                    NEEDS_PHONE,
                    ngettext(
                        "For a claim of this value we call you back within %(minutes)d minute, but only on a "
                        "verified phone number. Verify yours and the call-back is arranged then.",
                        "For a claim of this value we call you back within %(minutes)d minutes, but only on "
                        "a verified phone number. Verify yours and the call-back is arranged then.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
        return None
    if callback.status == CallbackStatus.DONE and callback.closed_at:
        return Promise(CALLBACK, MET, _("We called you at %(when)s.") % {"when": when(callback.closed_at)})
    if callback.status == CallbackStatus.UNREACHED:
        return Promise(
            CALLBACK,
            CANCELLED,
            _("We called you %(count)d times and could not reach you. Ask for a call-back again if you wish.")
            % {"count": callback.attempts},
        )
    if callback.status == CallbackStatus.CANCELLED:
        if not claim.is_open:
            return None
        return Promise(
            CALLBACK,
            CANCELLED,
            _(
                "We will not call you while we wait for your written answer. "
                "Ask for a call-back below if you want one."
            ),
        )
    if callback.due_at > now:
        return Promise(
            CALLBACK,
            PENDING,
            _("An agent will call %(phone)s before %(when)s (Beijing time).")
            % {"phone": phone(callback.phone), "when": when(callback.due_at)},
            callback.due_at,
        )
    new = renewed_due(claim, CALLBACK, callback.due_at, now)
    return Promise(
        CALLBACK,
        LATE,
        _("We are late: we promised to call you by %(was)s. Sorry. An agent will call you before %(new)s.")
        % {"was": when(callback.due_at), "new": when(new)},
        new,
    )


def latest_callback(claim: Claim) -> Callback | None:
    return Callback.objects.filter(claim=claim).order_by("-created_at", "-id").first()


def customer_promises(claim: Claim, *, callback: Callback | None, now: datetime) -> dict[str, Promise]:
    found = {
        FIRST_RESPONSE: first_response_promise(claim, now),
        RESOLUTION: resolution_promise(claim, now),
        CALLBACK: callback_promise(claim, callback, now),
    }
    return {target: promise for target, promise in found.items() if promise is not None}


def promise_event_text(data: dict[str, object]) -> str:
    """The timeline line of an ``SLA_PROMISE`` entry, in the reader's language."""
    target, state = data.get("target"), data.get("state", PENDING)
    due = parse_datetime(str(data.get("due") or "")) if data.get("due") else None
    was = parse_datetime(str(data.get("was") or "")) if data.get("was") else None
    if state == CANCELLED:
        if target == CALLBACK:
            return _("The call-back we offered is cancelled while we wait for your written answer.")
        return _("Our time limits are paused while we wait for your answer.")
    if state == NEEDS_PHONE:
        return _("We promised a call-back but have no phone number: please give us one.")
    if due is None:
        return ""
    labels: dict[str, str] = {
        FIRST_RESPONSE: _("first reply"),
        RESOLUTION: _("resolution"),
        CALLBACK: _("call-back"),
        SlaTarget.NEXT_RESPONSE: _("next reply"),
    }
    label = labels.get(str(target), "")
    if state == LATE and was is not None:
        return _("We missed the %(what)s time (%(was)s). Sorry. New time: before %(new)s.") % {
            "what": label,
            "was": when(was),
            "new": when(due),
        }
    return _("Our promise: %(what)s before %(when)s.") % {"what": label, "when": when(due)}


# --- Writing (inside the caller's transaction) ------------------------------------------------------------
def promise_event(
    claim: Claim | ClaimRow,
    *,
    target: str,
    state: str,
    now: datetime,
    due: datetime | None = None,
    was: datetime | None = None,
    actor: User | None = None,
) -> ClaimEvent:
    """The ``SLA_PROMISE`` timeline entry, unsaved (a sweep writes many with one ``bulk_create``)."""
    data: dict[str, str] = {"target": str(target), "state": state}
    if due is not None:
        data["due"] = due.isoformat()
    if was is not None:
        data["was"] = was.isoformat()
    return ClaimEvent(claim_id=claim.pk, kind=EventKind.SLA_PROMISE, actor=actor, data=data, created_at=now)


def promise_record(
    claim: Claim,
    *,
    target: str,
    state: str,
    now: datetime,
    due: datetime | None = None,
    was: datetime | None = None,
    actor: User | None = None,
) -> ClaimEvent:
    event = promise_event(claim, target=target, state=state, now=now, due=due, was=was, actor=actor)
    event.save(force_insert=True)
    return event


def promises_of_clocks(claim: Claim, now: datetime) -> list[ClaimEvent]:
    """The first-reply and resolution promises as they stand now, unsaved (filing writes them together
    with its other timeline entries, in one statement)."""
    due = {FIRST_RESPONSE: claim.first_response_due_at, RESOLUTION: claim.resolution_due_at}
    if claim.first_responded_at is not None:
        due[FIRST_RESPONSE] = None  # answered: no first-reply promise left to state
    return [promise_event(claim, target=t, state=PENDING, due=at, now=now) for t, at in due.items() if at]


def promises_record_clocks(claim: Claim, now: datetime) -> None:
    """The first-reply and resolution promises as they stand now (moved on after a pause)."""
    events = promises_of_clocks(claim, now)
    if events:
        ClaimEvent.objects.bulk_create(events)
