"""Reads for the agent desk's newer panels: SLA clocks on the workspace, the workspace's timeline, files and
other claims as plain data, the call-back panel, the call-back due badge in the navigation, and the queue's
saved views with their capped counts.

The SLA states themselves ("at risk" after the 75 % warning moment, "breached" after the due time, nothing
while paused) live in ``tickets.queue`` (``breached_q``/``at_risk_q``/``sla_state``); this module asks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Q
from django.template.defaultfilters import filesizeformat, join, linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.models import User
from tickets import access
from tickets.callbacks.selectors import with_caller_numbers
from tickets.desk.labels import staff_event_label, staff_status_label
from tickets.evidence.selectors import claim_evidence
from tickets.models import NO_DUE_TIME, Callback, CallbackStatus, Claim, ClaimEvent, ClaimStatus, Priority

OTHER_CLAIMS_SHOWN = 20

CALLBACK_BADGE_TTL = 20  # seconds: the navigation badge is a hint, refreshed on the next page
VIEW_COUNT_TTL = 20
VIEW_COUNT_CAP = 1000


# --- SLA clocks on the workspace --------------------------------------------------------------------------
@dataclass
class Clock:
    label: Promise
    due_at: datetime
    warn_at: datetime | None
    state: str  # "met", "breached", "at_risk", "running", "paused"
    met_at: datetime | None = None

    @property
    def overdue(self) -> timedelta:
        return (self.met_at or timezone.now()) - self.due_at


def _state(due: datetime, warn: datetime | None, now: datetime, paused: bool) -> str:
    if paused:
        return "paused"
    if due <= now:
        return "breached"
    if warn is not None and warn <= now:
        return "at_risk"
    return "running"


def sla_clocks(claim: Claim, now: datetime | None = None) -> list[Clock]:
    """The claim's SLA targets as the agent should read them: each with its due time and true state."""
    now = now or timezone.now()
    paused = claim.sla_paused_at is not None or not claim.is_open
    clocks: list[Clock] = []
    if claim.first_response_due_at and claim.first_response_due_at < NO_DUE_TIME:
        met = claim.first_responded_at
        clocks.append(
            Clock(
                _("First response"),
                claim.first_response_due_at,
                claim.first_response_warn_at,
                ("met" if met <= claim.first_response_due_at else "late")
                if met
                else _state(claim.first_response_due_at, claim.first_response_warn_at, now, paused),
                met_at=met,
            )
        )
    if claim.next_response_due_at:
        clocks.append(
            Clock(
                _("Next response"),
                claim.next_response_due_at,
                claim.next_response_warn_at,
                _state(claim.next_response_due_at, claim.next_response_warn_at, now, paused),
            )
        )
    if claim.resolution_due_at:
        clocks.append(
            Clock(
                _("Resolution"),
                claim.resolution_due_at,
                claim.resolution_warn_at,
                _state(claim.resolution_due_at, claim.resolution_warn_at, now, paused),
            )
        )
    return clocks


# --- the workspace's lists as plain data ------------------------------------------------------------------
# Profiling the workspace at a million claims showed the page's template work as the cost, not the database:
# per timeline entry a status label built from the model's choices, a blocktranslate, three filters, six
# {% if %} and some twenty variable lookups through a model instance; per file and per other claim a URL
# reversed in the template. Here each entry is worked out once in Python from a values() row, the words that
# are the same on every entry are translated once per page, links are built from the ticket's own URL, and
# the templates read short dicts (tickets/desk/queue_rows.py does the same for the queue). A timeline entry
# is written here whole (TIMELINE_ENTRY): fifty of them were most of the template's work, and a format
# string does in microseconds what the template language did in a tenth of a millisecond. The rendered HTML
# is byte for byte what the templates wrote before.
TIMELINE_ENTRY = (
    '<li class="event event-{kind}{internal_class}">\n'
    '    <p class="event-head"><strong>{label}</strong>{internal_badge}\n'
    "      {actor}\n"
    '      <time datetime="{when_iso}">{when}</time></p>\n'
    "    {status}\n"
    "    {files}\n"
    "    {assignee}\n"
    "    {added}\n"
    "    {body}\n"
    "  </li>"
)


def _shown(value: Any) -> SafeString:
    """``{{ value }}`` as the template language writes it: localised, then escaped."""
    return conditional_escape(localize(value))


def timeline_entries(claim: Claim) -> list[SafeString]:
    """Every event of the claim, internal notes included (for staff only), oldest first, each as the <li>
    that agent/_timeline.html lists: staff label, local time, status line, files/assignee/tag, body."""
    statuses = {value: str(label) for value, label in ClaimStatus.choices}
    status_line = gettext("Status: %(status)s")
    unassigned = gettext("Unassigned")
    internal_badge = format_html(' <span class="badge muted">{}</span>', gettext("internal"))
    rows = (
        ClaimEvent.objects.filter(claim=claim)
        .order_by("created_at", "id")
        .values_list("kind", "is_internal", "actor_label", "body", "data", "created_at")
    )
    zone = timezone.get_current_timezone()
    labels: dict[str, str] = {}
    entries = []
    for kind, is_internal, actor_label, body, data, created_at in rows:
        data = data if isinstance(data, dict) else {}
        target = data.get("to")
        status = statuses.get(target, "") if isinstance(target, str) else ""
        # The line under new files, an assignment or a tagging, as the template's filters wrote it.
        detail = {"evidence_added": "", "assigned": "", "tagged": ""}
        if kind == "evidence_added":
            files = join(data["files"], ", ", autoescape=True) if "files" in data else ""
            detail[kind] = f"<p>{_shown(files)}</p>"
        elif kind == "assigned":
            detail[kind] = f"<p>{_shown(data.get('assignee') or unassigned)}</p>"
        elif kind == "tagged":
            detail[kind] = f"<p>{_shown(data.get('added', ''))}</p>"
        local = created_at.astimezone(zone)  # timezone.localtime, with the zone looked up once
        label = labels.get(kind) or labels.setdefault(kind, staff_event_label(kind))
        entry = TIMELINE_ENTRY.format(
            kind=escape(kind),
            internal_class=" internal" if is_internal else "",
            label=escape(label),
            internal_badge=internal_badge if is_internal else "",
            actor=f"· {escape(actor_label)}" if actor_label else "",
            when_iso=local.isoformat(),
            when=local.strftime("%Y-%m-%d %H:%M"),
            status=f"<p>{status_line % {'status': escape(status)}}</p>" if status else "",
            files=detail["evidence_added"],
            assignee=detail["assigned"],
            added=detail["tagged"],
            body=f'<p class="event-body">{linebreaksbr(body, autoescape=True)}</p>' if body else "",
        )
        entries.append(SafeString(entry))  # every piece is escaped above
    return entries


def evidence_entries(claim: Claim, ticket_url: str) -> list[dict[str, Any]]:
    """The claim's files with their links (``<ticket url>evidence/<id>/``, the agent:evidence route)."""
    return [
        {
            "url": f"{ticket_url}evidence/{item.pk}/",
            "is_ready": item.is_ready,
            "is_image": item.is_image,
            "name": item.original_name,
            "size": filesizeformat(item.size),
        }
        for item in claim_evidence(claim)
    ]


def other_claims(claim: Claim, *, viewer: User, ticket_prefix: str) -> list[dict[str, str]]:
    """The customer's other claims this viewer may open (tickets.access): another team's are not listed."""
    rows = (
        access.other_claims_visible_to(viewer, claim)
        .order_by("-created_at", "-id")
        .values_list("reference", "status", "created_at")[:OTHER_CLAIMS_SHOWN]
    )
    return [
        {
            "url": f"{ticket_prefix}{reference}/",
            "reference": reference,
            "status": staff_status_label(status),
            "created": timezone.localtime(created_at).strftime("%Y-%m-%d"),
        }
        for reference, status, created_at in rows
    ]


# --- call-backs --------------------------------------------------------------------------------------------
def callback_panel(claim: Claim) -> Callback | None:
    """The claim's pending call-back with the number to call from (the platform's call-back line)."""
    # At most one call-back is pending per claim (a unique constraint): no ORDER BY, and the claim is the
    # one already loaded rather than joined again.
    found = list(Callback.objects.filter(claim=claim, status=CallbackStatus.PENDING).order_by()[:1])
    if not found:
        return None
    found[0].claim = claim
    return with_caller_numbers(found)[0]


def callbacks_due_count(agent: User, now: datetime | None = None) -> int:
    """Pending call-backs of the agent's teams (tickets.access) that are due or overdue, for the navigation
    badge: one indexed count (pending call-backs have a partial index on due time), cached briefly."""
    if not agent.is_agent:
        return 0
    key = f"agent:callbacks-due:{agent.pk}"
    found = cache.get(key)
    if found is not None:
        return int(found)
    now = now or timezone.now()
    count = (
        access.callbacks_visible_to(agent)
        .filter(status=CallbackStatus.PENDING, due_at__lte=now + timedelta(minutes=5))
        .filter(Q(owner=agent) | Q(owner__isnull=True))
        .values("pk")[:100]
        .count()
    )
    cache.set(key, count, CALLBACK_BADGE_TTL)
    return count


# --- the queue's saved views ------------------------------------------------------------------------------
@dataclass
class QueueView:
    slug: str
    label: Promise
    count: int = 0
    capped: bool = False


VIEWS: list[tuple[str, Promise]] = [
    ("all", _("All open")),
    ("mine", _("Mine")),
    ("unassigned", _("Unassigned")),
    ("breached", _("Breached")),
    ("at_risk", _("At risk")),
    ("waiting_platform", _("Waiting on the platform")),
    ("waiting_customer", _("Waiting on the customer")),
]
VIEW_SLUGS = frozenset(slug for slug, _label in VIEWS)


def view_condition(slug: str, agent: User, now: datetime) -> Q:
    """What each saved view selects, on top of the agent's visible open claims."""
    from tickets.desk.queue import at_risk_q, breached_q

    if slug == "mine":
        return Q(assignee=agent)
    if slug == "unassigned":
        return Q(assignee__isnull=True)
    if slug == "breached":
        return breached_q(now)
    if slug == "at_risk":
        return at_risk_q(now)
    if slug == "waiting_platform":
        return Q(status=ClaimStatus.WAITING_ON_PLATFORM)
    if slug == "waiting_customer":
        return Q(status=ClaimStatus.WAITING_ON_CUSTOMER)
    return Q()


def view_counts(agent: User, now: datetime | None = None) -> dict[str, int]:
    """Each saved view's count for the agent, capped at VIEW_COUNT_CAP + 1 ("1,000+": a bounded count each,
    never ``COUNT(*)`` over everything), cached per agent for VIEW_COUNT_TTL seconds: the views bar and the
    queue's own "N claims" read the same numbers, and the 20-second refresh costs nothing."""
    from tickets.desk.queue import open_claims_visible_to

    key = f"agent:view-counts:{agent.pk}"
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        now = now or timezone.now()
        base = open_claims_visible_to(agent)
        counts = {
            slug: base.filter(view_condition(slug, agent, now)).values("pk")[: VIEW_COUNT_CAP + 1].count()
            for slug, _label in VIEWS
        }
        cache.set(key, counts, VIEW_COUNT_TTL)
    return counts


def queue_view_counts(agent: User, now: datetime | None = None) -> list[QueueView]:
    counts = view_counts(agent, now)
    return [
        QueueView(slug, label, min(counts[slug], VIEW_COUNT_CAP), counts[slug] > VIEW_COUNT_CAP)
        for slug, label in VIEWS
    ]


# --- supervisor charts ------------------------------------------------------------------------------------
def supervisor_charts(figures: Any) -> dict[str, Any]:
    """The supervisor's figures as true-scale SVG bar charts; every bar links to the queue filtered to the
    claims it counts (``tickets.queue.supervisor_figures`` computes the numbers)."""
    from tickets.desk.charts import Row, bar_chart

    queue = reverse("agent:queue")

    def url(**params: Any) -> str:
        return queue + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    depth = bar_chart(
        [
            Row(label, [("open", count, url(priority=value))])
            for (label, count), value in zip(figures.by_priority, Priority.values, strict=True)
        ],
        series=[("open", str(_("Open")))],
    )
    teams = list(figures.by_team)
    load = bar_chart(
        [
            Row(
                row["name"],
                [
                    ("open", row["open"], url(team=row["team_id"])),
                    ("unassigned", row["unassigned"], url(view="unassigned", team=row["team_id"])),
                ],
            )
            for row in teams
        ],
        series=[("open", str(_("Open"))), ("unassigned", str(_("Unassigned")))],
    )
    sla = bar_chart(
        [
            Row(
                row["name"],
                [
                    ("breached", row["breached"], url(view="breached", team=row["team_id"])),
                    ("at_risk", row["at_risk"], url(view="at_risk", team=row["team_id"])),
                ],
            )
            for row in teams
        ],
        series=[("breached", str(_("Breached"))), ("at_risk", str(_("At risk")))],
    )
    return {
        "depth_chart": depth,
        "load_chart": load,
        "sla_chart": sla,
        "breached_url": url(view="breached"),
        "at_risk_url": url(view="at_risk"),
    }
