"""Reads for the agent workspace: the queue (keyset pages over a partial index), the workspace page, the
supervisor's figures, and presence (who is looking at a claim).

The queue never counts the whole queue and never uses OFFSET: a page is one query that walks the index from
the cursor, plus one bounded count ("1,000+") and one prefetch of tags, however many claims there are.
A search reads its exact identifier first, then a bounded walk in queue order (a broad term stops after a
page), then the trigram index for a rarer term (see ``_text_search_rows``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib import import_module
from typing import Any, cast

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from contacts.models import PUBLISHED_STATES, ContactChannel, Platform, ProblemType
from helpdesk.models import User
from helpdesk.phones import normalize_personal_phone
from tickets.access import claims_visible_to, may_see_team, other_claims_visible_to
from tickets.models import (
    CLOCK_RUNNING,
    NO_DUE_TIME,
    OPEN_STATUSES,
    WARNED_WITHOUT_DUE,
    Claim,
    ClaimEvent,
    ClaimStatus,
    Macro,
    OpenClaimTally,
    Priority,
    Tag,
    Team,
)

QUEUE_ORDER = ("priority", "queue_urgency", "queue_due_at", "created_at", "id")
# The queue's sorts: each is a full key ending in id (so a keyset cursor is exact), ascending on every
# column (so one row comparison continues it) and served by a partial index over the open claims.
SORTS: dict[str, tuple[str, ...]] = {
    "priority": QUEUE_ORDER,
    "due": ("queue_due_at", "id"),
    "age": ("created_at", "id"),
}
DATETIME_COLUMNS = frozenset({"queue_due_at", "created_at"})
# What a queue row shows, read as plain values (see QueueClaim): the claim's own columns, then its platform,
# problem type, team and assignee. A 200-row page stays cheap: no descriptions, no password hashes, and no
# model instance per row and relation.
CLAIM_COLUMNS = (
    "id",
    "reference",
    "subject",
    "order_number",
    "status",
    "priority",
    "urgency_score",
    "urgency_parts",
    "queue_urgency",
    "queue_due_at",
    "is_high_value",
    "late_filed",
    "amount",
    "currency",
    "created_at",
    "first_responded_at",
    "first_response_warn_at",
    "next_response_warn_at",
    "resolution_warn_at",
    "sla_paused_at",
)
RELATED_COLUMNS = (
    "platform__id",
    "platform__name",
    "platform__slug",
    "problem_type__id",
    "problem_type__slug",
    "problem_type__name_zh",
    "problem_type__name_en",
    "team__id",
    "team__name",
    "team__slug",
    "assignee__id",
    "assignee__role",
    "assignee__staff_number",
    "assignee__display_name",
    "assignee__email",
)
LIST_FIELDS = CLAIM_COLUMNS + RELATED_COLUMNS
ESTIMATE_CAP = 1000
# How many claims (in queue order) a text search reads before it asks the trigram index instead: a term found
# in 1 % of the claims or more fills a 50-row page within them (tickets.desk.queue._text_search_rows).
SEARCH_WALK = 5000
MAX_PAGE = 200
PRESENCE_TTL = 30  # seconds: a viewer who stops polling disappears after this
_SALT = "tickets.queue.cursor"


class BadCursor(ValueError):
    pass


@dataclass
class QueueFilters:
    team: int | None = None
    platform: int | None = None
    problem_type: int | None = None
    status: str = ""
    mine: bool = False
    unassigned: bool = False
    sla: str = ""  # "breached" or "at_risk"
    late: bool = False
    q: str = ""
    view: str = ""  # a saved view (tickets.desk.VIEWS)
    priority: int | None = None
    sort: str = "priority"  # a key of SORTS


class QueueClaim:
    """A claim as a queue row shows it: the columns of CLAIM_COLUMNS as attributes (``pk`` too), its
    platform, problem type, team and assignee as (shared, partial) model instances, and ``tag_names``.

    Built from one tuple per row: at a million claims the page's cost was model instances (five per row,
    with deferred-field bookkeeping), not the database. It answers what the queue's readers ask of a claim
    (``sla_state``, ``encode_cursor``, the HTML rows and the API items) under the model's own names.
    """

    __slots__ = (*CLAIM_COLUMNS, "pk", "platform", "problem_type", "team", "assignee", "tag_names", "matches")
    id: int
    pk: int
    reference: str
    subject: str
    order_number: str
    status: str
    priority: int
    urgency_score: int
    urgency_parts: dict[str, Any]
    queue_urgency: int
    queue_due_at: datetime | None
    is_high_value: bool
    late_filed: bool
    amount: Decimal
    currency: str
    created_at: datetime
    first_responded_at: datetime | None
    first_response_warn_at: datetime | None
    next_response_warn_at: datetime | None
    resolution_warn_at: datetime | None
    sla_paused_at: datetime | None
    platform: Platform
    problem_type: ProblemType
    team: Team | None
    assignee: User | None
    tag_names: list[str]
    matches: int

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _queue_claims(rows: Iterable[tuple[Any, ...]]) -> list[QueueClaim]:
    """QueueClaims from ``values_list(*LIST_FIELDS[, "matches"])`` tuples; each platform, problem type, team
    and assignee is built once per page however many rows share it."""
    width = len(CLAIM_COLUMNS)
    shared: dict[tuple[str, int], Any] = {}
    out = []
    for row in rows:
        claim = QueueClaim()
        for name, value in zip(CLAIM_COLUMNS, row, strict=False):
            setattr(claim, name, value)
        claim.pk = row[0]
        (
            pid,
            pname,
            pslug,
            tid,
            tslug,
            tzh,
            ten,
            team_id,
            team_name,
            team_slug,
            uid,
            role,
            staff,
            shown,
            email,
        ) = row[width : width + len(RELATED_COLUMNS)]
        claim.platform = shared.get(("p", pid)) or shared.setdefault(
            ("p", pid), Platform(id=pid, name=pname, slug=pslug)
        )
        claim.problem_type = shared.get(("t", tid)) or shared.setdefault(
            ("t", tid), ProblemType(id=tid, slug=tslug, name_zh=tzh, name_en=ten)
        )
        claim.team = None
        if team_id is not None:
            claim.team = shared.get(("g", team_id)) or shared.setdefault(
                ("g", team_id), Team(id=team_id, name=team_name, slug=team_slug)
            )
        claim.assignee = None
        if uid is not None:
            claim.assignee = shared.get(("u", uid)) or shared.setdefault(
                ("u", uid), User(id=uid, role=role, staff_number=staff, display_name=shown, email=email)
            )
        if len(row) > width + len(RELATED_COLUMNS):
            claim.matches = row[-1]
        out.append(claim)
    return out


@dataclass
class QueuePage:
    claims: list[QueueClaim]
    next_cursor: str | None
    estimate: int  # at most ESTIMATE_CAP + 1
    estimate_capped: bool = False
    filters: QueueFilters = field(default_factory=QueueFilters)


# --- cursor ---------------------------------------------------------------------------------------------
def encode_cursor(claim: Claim | QueueClaim, sort: str = "priority") -> str:
    """The signed cursor names its sort: a cursor from one sort is refused by another."""
    key: list[Any] = [sort]
    for name in SORTS[sort]:
        value = getattr(claim, "pk" if name == "id" else name)
        key.append(value.isoformat() if name in DATETIME_COLUMNS else value)
    return signing.dumps(key, salt=_SALT, compress=False)


def decode_cursor(token: str, sort: str = "priority") -> list[Any]:
    try:
        key = signing.loads(token, salt=_SALT)
        if not isinstance(key, list) or not key or key[0] != sort or len(key) != len(SORTS[sort]) + 1:
            raise ValueError("the cursor belongs to another sort")
        return [
            datetime.fromisoformat(value) if name in DATETIME_COLUMNS else int(value)
            for name, value in zip(SORTS[sort], key[1:], strict=True)
        ]
    except (signing.BadSignature, ValueError, TypeError, KeyError) as exc:
        raise BadCursor(str(exc)) from None


def _row_compare(key: list[Any], order: tuple[str, ...], op: str) -> RawSQL:
    """``(columns of the sort) > (…)`` (or ``<=``): one row comparison, which the sort's index answers
    directly (every column ascending)."""
    assert op in (">", "<=")
    ops = connection.ops
    params = [
        ops.adapt_datetimefield_value(value) if name in DATETIME_COLUMNS else value
        for name, value in zip(order, key, strict=True)
    ]
    table = Claim._meta.db_table
    columns = ", ".join(f'"{table}"."{name}"' for name in order)
    marks = ", ".join(["%s"] * len(order))
    # Column names and the operator are constants; every value is a bound parameter.
    return RawSQL(f"({columns}) {op} ({marks})", params, output_field=BooleanField())  # noqa: S611


# --- the queue ------------------------------------------------------------------------------------------
def _needle(q: str) -> str:
    return " ".join(q.split()).lower()[:100]


def is_text_search(q: str) -> bool:
    """Does the search look inside the claims' text (``LIKE '%…%'``), rather than match one column exactly?
    From 3 characters, the trigram index's length floor: below it a trigram index cannot help."""
    needle = _needle(q)
    return "@" not in needle and len(needle) >= 3


def search_condition(q: str) -> Q:
    """Reference, order number, phone or description: ``LIKE`` from 3 characters, equality below; an email
    address finds the customer's claims."""
    needle = _needle(q)
    if "@" in needle:
        return Q(customer__email=needle)
    if is_text_search(needle):
        return Q(search_text__contains=needle)
    # Each by its own index (the reference's unique one, the order number's upper-case one, the phone's).
    return Q(reference=needle.upper()) | Q(order_number__iexact=needle) | Q(contact_phone=needle)


_IDENTIFIER = re.compile(r"[0-9A-Za-z][0-9A-Za-z+\-_.#/]*")
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ()\-]{5,24}")


def exact_identifier_condition(q: str) -> Q | None:
    """An exact reference, order number or phone number (its digits in any common spelling), or None when
    the search does not look like one. Indexed equality: answered in well under a millisecond, where the
    trigram search reads every claim sharing a common fragment (every phone starts "+86138…")."""
    needle = " ".join(q.split())[:100]
    condition = None
    if _PHONE_LIKE.fullmatch(needle):
        try:
            phone = normalize_personal_phone(needle)
        except ValidationError:
            phone = ""
        if phone:
            condition = Q(contact_phone=phone)
        needle = needle.replace(" ", "")
    if not _IDENTIFIER.fullmatch(needle) or len(needle) > 64:
        return condition
    by_identifier = Q(reference=needle.upper()) | Q(order_number__iexact=needle)
    return by_identifier if condition is None else condition | by_identifier


def breached_q(now: datetime) -> Q:
    """A running SLA target is past due (a paused clock, waiting on the customer, is not breached)."""
    return Q(queue_due_at__lte=now, sla_paused_at__isnull=True)


def warned_q(now: datetime) -> Q:
    """A target passed its 75 % warning moment (a first response's only while none has been given)."""
    return (
        Q(first_responded_at__isnull=True, first_response_warn_at__lte=now)
        | Q(next_response_warn_at__lte=now)
        | Q(resolution_warn_at__lte=now)
    )


def at_risk_q(now: datetime) -> Q:
    """A running target passed its 75 % warning moment and none is past due yet."""
    return Q(queue_due_at__gt=now, sla_paused_at__isnull=True) & warned_q(now)


def open_claims_visible_to(agent: User) -> QuerySet[Claim]:
    return claims_visible_to(agent).filter(status__in=sorted(s.value for s in OPEN_STATUSES))


def _filtered(agent: User, filters: QueueFilters, now: datetime) -> QuerySet[Claim]:
    """The claims the filters select, before any search condition (a search covers closed claims too)."""
    from tickets.desk.workspace import view_condition

    qs = claims_visible_to(agent)
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif not filters.q:
        qs = qs.filter(status__in=sorted(s.value for s in OPEN_STATUSES))
    if filters.team:
        if not may_see_team(agent, filters.team):
            raise Http404
        qs = qs.filter(team_id=filters.team)
    if filters.platform:
        qs = qs.filter(platform_id=filters.platform)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.problem_type:
        qs = qs.filter(problem_type_id=filters.problem_type)
    if filters.mine:
        qs = qs.filter(assignee=agent)
    elif filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.sla == "breached":
        qs = qs.filter(breached_q(now))
    elif filters.sla == "at_risk":
        qs = qs.filter(at_risk_q(now))
    if filters.view:
        qs = qs.filter(view_condition(filters.view, agent, now))
    if filters.late:
        qs = qs.filter(late_filed=True)
    return qs


def _rows(
    qs: QuerySet[Claim], order: tuple[str, ...], size: int, *, sorted_here: bool = False
) -> list[QueueClaim]:
    """The page's rows. ``sorted_here``: sort the rows found rather than walk an index in queue order (the
    first key as ``COALESCE(key, key)``, which no index provides), for a query that reads every match anyway:
    given the choice, PostgreSQL walked all of a team's claims in order to count 3,000 matches (6.8 s)."""
    keys: list[Any] = list(order)
    if sorted_here:
        keys[0] = Coalesce(order[0], order[0]).asc()
    columns = (*LIST_FIELDS, "matches") if "matches" in qs.query.annotations else LIST_FIELDS
    return _queue_claims(qs.order_by(*keys).values_list(*columns)[: size + 1])


def _text_search_rows(
    scope: QuerySet[Claim], after: RawSQL | None, search: Q, order: tuple[str, ...], size: int
) -> tuple[list[QueueClaim], bool]:
    """A page of a text search in queue order.

    A broad term (a third of the claims say "仍未到账"; "B99" is in thousands of order numbers and hashes)
    is answered by walking the scope in queue order (an index over every claim, tickets migration 0016) and
    filtering: the walk stops after a page. It is bounded: it reads at most SEARCH_WALK claims, up to the
    key of the SEARCH_WALK-th (an index-only read). Matches found there are the first ones in queue order,
    so a full page from the walk is exact. A rarer term fills no page there: then the trigram index
    (PostgreSQL) finds its few matches, which are sorted.

    The flag says the term was broad (a full page from a bounded walk of a larger scope).
    """
    ahead = scope if after is None else scope.filter(after)
    # Where every match is read and sorted anyway, the same pass counts them (``matches``).
    every_match = ahead.filter(search).annotate(matches=Window(Count("pk")))
    bound = list(ahead.order_by(*order).values_list(*order)[SEARCH_WALK - 1 : SEARCH_WALK])
    if not bound:  # fewer claims in scope than a walk reads: the walk is the whole answer
        return _rows(every_match, order, size, sorted_here=True), False
    rows = _rows(ahead.filter(search).filter(_row_compare(list(bound[0]), order, "<=")), order, size)
    if len(rows) > size:
        return rows, True
    return _rows(every_match, order, size, sorted_here=True), False


def queue_for_agent(
    *, agent: User, filters: QueueFilters | None = None, cursor: str = "", size: int = 50
) -> QueuePage:
    """One page of the agent's queue: the rows (one query; a search: at most four, see below), a bounded
    count only when the page does not already tell it, and the tags."""
    filters = filters or QueueFilters()
    sort = filters.sort if filters.sort in SORTS else "priority"
    order = SORTS[sort]
    size = max(1, min(size, MAX_PAGE))
    now = timezone.now()
    after = _row_compare(decode_cursor(cursor, sort), order, ">") if cursor else None
    scope = _filtered(agent, filters, now)
    base = scope
    rows: list[QueueClaim] = []
    # A search that is an exact reference, order number or phone number is answered from those columns'
    # indexes; only when nothing has it exactly does the search look inside every claim's text.
    exact = exact_identifier_condition(filters.q) if filters.q else None
    broad = False
    if exact is not None:
        base = scope.filter(exact)
        rows = _rows(base if after is None else base.filter(after), order, size)
    if not rows and filters.q:
        search = search_condition(filters.q)
        base = scope.filter(search)
        if is_text_search(filters.q):
            rows, broad = _text_search_rows(scope, after, search, order, size)
        else:
            rows = _rows(base if after is None else base.filter(after), order, size)
    elif not filters.q:
        rows = _rows(base if after is None else base.filter(after), order, size)
    has_more = len(rows) > size
    rows = rows[:size]
    _attach_tag_names(rows)
    if not cursor and not has_more:
        estimate, capped = len(rows), False
    elif not cursor and hasattr(rows[0], "matches"):
        estimate, capped = min(rows[0].matches, ESTIMATE_CAP), rows[0].matches > ESTIMATE_CAP
    elif broad:
        # Counting a broad term's matches up to the cap means finding a thousand of them: for a term in 2 %
        # of the claims, 50,000 claims to read (or every trigram candidate), ten times the page's own cost.
        # The page says "50+" instead: more than a page match, which is what the agent needs to know.
        estimate, capped = len(rows), True
    elif (view := _same_as_a_view(filters)) is not None:
        # The claims of a saved view ("all" without one): its count is the views bar's, shared for a few
        # seconds (tickets.desk.workspace.view_counts), so paging and refreshing do not count again.
        from tickets.desk.workspace import view_counts

        counted = view_counts(agent, now)[view]
        estimate, capped = min(counted, ESTIMATE_CAP), counted > ESTIMATE_CAP
    else:
        # Bounded, and in queue order: the planner walks the same index as the page and stops at the cap
        # instead of building a bitmap of every match first.
        counted = base.order_by(*order).values("pk")[: ESTIMATE_CAP + 1].count()
        estimate, capped = min(counted, ESTIMATE_CAP), counted > ESTIMATE_CAP
    return QueuePage(
        claims=rows,
        next_cursor=encode_cursor(rows[-1], sort) if has_more and rows else None,
        estimate=estimate,
        estimate_capped=capped,
        filters=filters,
    )


# One filter on its own that selects exactly a saved view's claims (tickets.desk.workspace.view_condition).
_FILTER_AS_VIEW = {
    ("mine", True): "mine",
    ("unassigned", True): "unassigned",
    ("sla", "breached"): "breached",
    ("sla", "at_risk"): "at_risk",
    ("status", ClaimStatus.WAITING_ON_PLATFORM.value): "waiting_platform",
    ("status", ClaimStatus.WAITING_ON_CUSTOMER.value): "waiting_customer",
}
_FILTER_NAMES = (
    "team",
    "platform",
    "problem_type",
    "priority",
    "status",
    "mine",
    "unassigned",
    "sla",
    "late",
    "q",
)


def _same_as_a_view(filters: QueueFilters) -> str | None:
    """The saved view whose claims these filters select, if one does: none set but a view (or none at all:
    "all"), or one filter that is a view on its own (the "Mine" box is the "Mine" view). The sort does not
    change which claims match."""
    from tickets.desk.workspace import VIEW_SLUGS

    used = [(name, getattr(filters, name)) for name in _FILTER_NAMES if getattr(filters, name)]
    view = filters.view if filters.view in VIEW_SLUGS else ""
    if not used:
        return view or "all"
    if len(used) == 1 and not view:
        return _FILTER_AS_VIEW.get(used[0])
    return None


def _attach_tag_names(claims: list[QueueClaim]) -> None:
    """``claim.tag_names``: the tags' names in name order, for the whole page in one query (names are all a
    row shows; a prefetch would build a related manager and a Tag instance per row and tag). Written as SQL:
    the statement never changes, and building it through the ORM cost more than running it."""
    if not claims:
        return
    names: dict[int, list[str]] = defaultdict(list)
    links, tags = Claim.tags.through._meta.db_table, Tag._meta.db_table
    ids = [c.pk for c in claims]
    with connection.cursor() as cursor:
        # Table names are the models' own; the ids are bound parameters.
        cursor.execute(
            f'SELECT l.claim_id, t.name FROM "{links}" l JOIN "{tags}" t ON t.id = l.tag_id '  # noqa: S608
            f"WHERE l.claim_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY t.name, t.id",
            ids,
        )
        pairs = cursor.fetchall()
    for claim_id, name in pairs:
        names[claim_id].append(name)
    for claim in claims:
        claim.tag_names = names.get(claim.pk, [])


def sla_state(claim: Claim | QueueClaim, now: datetime | None = None) -> str:
    """ "breached", "at_risk" or "": breached once the next due time has passed, at risk only once a running
    target's 75 % warning moment has really passed (the SLA engine fills both), nothing while paused."""
    due = claim.queue_due_at
    if not claim.is_open or due is None or due >= NO_DUE_TIME or claim.sla_paused_at is not None:
        return ""
    now = now or timezone.now()
    if due <= now:
        return "breached"
    warns = [claim.next_response_warn_at, claim.resolution_warn_at]
    if claim.first_responded_at is None:
        warns.append(claim.first_response_warn_at)
    if any(w is not None and w <= now for w in warns):
        return "at_risk"
    return ""


# --- the workspace (the claim itself comes from tickets.access.claim_for_agent) -----------------------
def full_timeline(claim: Claim) -> list[ClaimEvent]:
    """Every event, internal notes included (for staff only)."""
    events = list(ClaimEvent.objects.filter(claim=claim).order_by("created_at", "id"))
    labels = dict(ClaimStatus.choices)
    for event in events:
        target = event.data.get("to") if isinstance(event.data, dict) else None
        event.status_label = labels.get(target, "") if isinstance(target, str) else ""  # type: ignore[attr-defined]
        # The time as the template's date filters wrote it ("c" and "Y-m-d H:i"), from one conversion.
        local = timezone.localtime(event.created_at)
        event.when_iso = local.isoformat()  # type: ignore[attr-defined]
        event.when = local.strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
    return events


def other_claims_of_customer(claim: Claim, *, viewer: User, limit: int = 20) -> list[Claim]:
    """The customer's other claims this viewer may open: another team's are not even listed."""
    return list(
        other_claims_visible_to(viewer, claim)
        .only("id", "reference", "status", "subject", "created_at", "priority", "team_id")
        .order_by("-created_at", "-id")[:limit]
    )


def macros_for(claim: Claim) -> list[Macro]:
    return list(
        Macro.objects.filter(is_active=True)
        .filter(Q(team__isnull=True) | Q(team_id=claim.team_id))
        .prefetch_related("tags")
        .order_by("name", "id")
    )


def official_channels(claim: Claim) -> list[ContactChannel]:
    """The platform's published (verified) channels from the directory: what the agent may point to."""
    return list(
        ContactChannel.objects.filter(platform_id=claim.platform_id, state__in=PUBLISHED_STATES)
        .only("id", "kind", "value", "label", "notes", "sort_order")
        .order_by("sort_order", "id")
    )


def known_fakes(claim: Claim) -> list[Any]:
    """Reported fake numbers for the platform, when the directory offers them."""
    try:
        selectors = import_module("contacts.selectors")
    except ImportError:
        return []
    reader = getattr(selectors, "known_fakes_of", None)
    return list(reader(platform=claim.platform)) if reader else []


# --- supervisor view ------------------------------------------------------------------------------------
@dataclass
class SupervisorFigures:
    by_priority: list[tuple[str, int]]
    by_team: list[dict[str, Any]]
    by_agent: list[dict[str, Any]]
    oldest_unassigned: list[Claim]
    breached: int
    at_risk: int
    max_bar: int


SUPERVISOR_FIGURES_TTL = 15  # seconds: the view is a dashboard; a quarter-minute old is fresh enough


def supervisor_figures(*, now: datetime | None = None, cached: bool = False) -> SupervisorFigures:
    """Team load, depth per priority, SLA counts, per-agent load and the oldest unassigned claims.

    Counts come from the kept tally of open claims (``OpenClaimTally``: a few hundred rows, kept by triggers
    in each claim write's transaction), never from a pass over the open claims. Breached and at risk depend
    on ``now``: every breached claim has a running clock (``CLOCK_RUNNING``, a tally dimension), so
    breached = running - running and not yet due; at risk is among the not yet due (one short range of
    ``claim_running_clock_idx``: the claims still inside their targets) or has a warning without any due
    time (``WARNED_WITHOUT_DUE``, its own index, empty in practice). The tally and both ranges are one
    statement, so one snapshot. Then the team names with each team's oldest unassigned claim (one
    probe per team), the same for claims without a team, the agents' names and the oldest unassigned.

    With ``cached`` the figures are shared for SUPERVISOR_FIGURES_TTL seconds across supervisors: that is
    sound because a supervisor sees every team (``tickets.access.sees_every_team``).
    """
    if cached:
        return cast(
            SupervisorFigures,
            cache.get_or_set(
                "agent:supervisor-figures", lambda: supervisor_figures(), SUPERVISOR_FIGURES_TTL
            ),
        )
    now = now or timezone.now()
    open_claims = Claim.objects.filter(status__in=sorted(s.value for s in OPEN_STATUSES))
    kept = (
        OpenClaimTally.objects.order_by()
        .values("team_id", "priority", "assignee_id", "clock_running")
        .annotate(total=Sum("n"), at_risk=Value(0))
        .exclude(total=0)
    )
    # The union's rows of these parts have no priority: that is how they are told apart below. Neither
    # is COUNT(id): the id is not in their indexes, and the scans must stay index-only (queue_due_at is
    # never NULL, so counting it counts the rows).
    not_yet_due = (
        open_claims.filter(CLOCK_RUNNING, queue_due_at__gt=now)
        .order_by()
        .values("team_id")
        .annotate(
            no_priority=Value(None, output_field=IntegerField()),
            no_assignee=Value(None, output_field=IntegerField()),
            running=Value(True),
            total=Count("queue_due_at"),
            at_risk=Count("queue_due_at", filter=warned_q(now)),
        )
    )
    warned_without_due = (
        open_claims.filter(WARNED_WITHOUT_DUE)
        .order_by()
        .values("team_id")
        .annotate(
            no_priority=Value(None, output_field=IntegerField()),
            no_assignee=Value(None, output_field=IntegerField()),
            running=Value(False),
            total=Value(0),
            at_risk=Count("queue_due_at", filter=warned_q(now)),
        )
    )
    priorities: dict[int, int] = defaultdict(int)
    agents: dict[int, int] = defaultdict(int)
    teams: dict[int | None, dict[str, Any]] = {}
    running: dict[int | None, int] = defaultdict(int)
    within: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for row in kept.union(not_yet_due, warned_without_due, all=True):
        team_id, priority, assignee_id, n = row["team_id"], row["priority"], row["assignee_id"], row["total"]
        if priority is None:
            within[team_id][0] += n
            within[team_id][1] += row["at_risk"]
            continue
        priorities[priority] += n
        team = teams.setdefault(
            team_id,
            {"team_id": team_id, "open": 0, "unassigned": 0, "oldest": None, "breached": 0, "at_risk": 0},
        )
        team["open"] += n
        if assignee_id is None:
            team["unassigned"] += n
        else:
            agents[assignee_id] += n
        if row["clock_running"]:
            running[team_id] += n
    for team_id, team in teams.items():
        not_due, at_risk = within.get(team_id) or (0, 0)
        team["breached"] = running[team_id] - not_due
        team["at_risk"] = at_risk
    breached = sum(team["breached"] for team in teams.values())
    at_risk_total = sum(team["at_risk"] for team in teams.values())
    by_priority = [(str(label), priorities.get(value, 0)) for value, label in Priority.choices]

    unassigned = open_claims.filter(assignee__isnull=True)
    names: dict[int | None, str] = {}
    oldest_of: dict[int | None, datetime | None] = {
        None: unassigned.filter(team__isnull=True).aggregate(oldest=Min("created_at"))["oldest"]
    }
    first_of_team = unassigned.filter(team=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    for team_id, name, oldest in Team.objects.order_by().values_list("id", "name", Subquery(first_of_team)):
        names[team_id] = name
        oldest_of[team_id] = oldest
    by_team = []
    for team_id in sorted(teams, key=lambda t: (t is None, t or 0)):
        team = teams[team_id]
        if team["unassigned"]:
            team["oldest"] = oldest_of.get(team_id)
        by_team.append({**team, "name": names.get(team_id, "—")})
    by_team.sort(key=lambda r: -r["open"])

    counts = sorted(agents.items(), key=lambda item: (-item[1], item[0]))[:100]
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in=[a for a, _n in counts]).only(
            "display_name", "staff_number", "email"
        )
    }
    by_agent = [
        {
            "assignee_id": assignee_id,
            "assignee__display_name": people[assignee_id].display_name,
            "assignee__staff_number": people[assignee_id].staff_number,
            "assignee__email": people[assignee_id].email,
            "open": n,
        }
        for assignee_id, n in counts
        if assignee_id in people
    ]
    oldest = list(
        open_claims.filter(assignee__isnull=True)
        .only("id", "reference", "created_at", "priority")
        .order_by("created_at", "id")[:10]
    )
    max_bar = max([n for _l, n in by_priority] + [r["open"] for r in by_team] + [1])
    return SupervisorFigures(
        by_priority=by_priority,
        by_team=by_team,
        by_agent=by_agent,
        oldest_unassigned=oldest,
        breached=breached,
        at_risk=at_risk_total,
        max_bar=max_bar,
    )


# --- presence -------------------------------------------------------------------------------------------
def _presence_key(claim_id: int) -> str:
    return f"presence:claim:{claim_id}"


def presence_touch(*, claim: Claim, agent: User) -> list[str]:
    """Record that ``agent`` is viewing the claim; return the names of the others viewing it now."""
    key = _presence_key(claim.pk)
    now = timezone.now().timestamp()
    viewers: dict[str, Any] = cache.get(key) or {}
    viewers = {uid: v for uid, v in viewers.items() if v[1] > now}
    viewers[str(agent.pk)] = (agent.public_name, now + PRESENCE_TTL)
    cache.set(key, viewers, PRESENCE_TTL)
    return sorted(name for uid, (name, _until) in viewers.items() if uid != str(agent.pk))


def viewers_of(claims: Sequence[Claim | QueueClaim], *, exclude: User | None = None) -> dict[int, list[str]]:
    """Who is viewing each listed claim: one cache round trip for the whole page."""
    if not claims:
        return {}
    found = cache.get_many([_presence_key(c.pk) for c in claims])
    now = timezone.now().timestamp()
    skip = str(exclude.pk) if exclude else ""
    out: dict[int, list[str]] = {}
    for claim in claims:
        viewers = found.get(_presence_key(claim.pk)) or {}
        names = sorted(name for uid, (name, until) in viewers.items() if until > now and uid != skip)
        if names:
            out[claim.pk] = names
    return out
