"""The agent workspace: queue, take next, the ticket page and its actions, bulk actions, supervisor view.

Customers get 404 on every page here (they must not learn the workspace exists); an agent gets 404 for a
claim outside their teams, exactly as for a reference that does not exist. Who sees which claim is decided
in ``tickets.access`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Platform, ProblemType
from helpdesk.models import Role, User
from helpdesk.params import read_int
from tickets import access
from tickets.desk import queue as q
from tickets.desk import services as svc
from tickets.desk import workspace as desk
from tickets.desk.forms import (
    AssignForm,
    BodyForm,
    BulkForm,
    MergeForm,
    PriorityForm,
    QueueFilterForm,
    ReasonForm,
    ReplyForm,
    RoutingRuleForm,
    StatusForm,
    TagForm,
    form_fields_html,
)
from tickets.desk.queue_rows import queue_rows_html
from tickets.evidence.serving import evidence_pending_page, serve_evidence
from tickets.models import CallbackOutcome, Claim, Macro, RoutingRule, Team
from tickets.triage import services as triage_services
from tickets.triage.urgency import explain

View = Callable[..., HttpResponseBase]
FILTER_NAMES = ("platform", "problem_type", "status", "sla", "late", "mine", "unassigned", "priority")
FILTER_OPTIONS_TTL = 300


def agent_required(view: View) -> View:
    @login_required
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not cast(User, request.user).is_agent:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _agent(request: HttpRequest) -> User:
    return cast(User, request.user)


def _filter_options(agent: User) -> dict[str, Any]:
    """Teams, platforms and problem types for the filter bar: reference data, cached across requests."""

    def load() -> dict[str, Any]:
        return {
            "teams": list(Team.objects.values_list("id", "name")),
            "platforms": list(Platform.objects.order_by("name").values_list("id", "name")[:500]),
            "problem_types": [(p.pk, p.name) for p in ProblemType.objects.filter(is_active=True)],
        }

    options = cast(
        dict[str, Any], cache.get_or_set(f"agent:filter-options:{get_language()}", load, FILTER_OPTIONS_TTL)
    )
    return {**options, "teams": [t for t in options["teams"] if access.may_see_team(agent, t[0])]}


# --- queue ----------------------------------------------------------------------------------------------
@agent_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    try:
        page = q.queue_for_agent(
            agent=agent,
            filters=filters,
            cursor=request.GET.get("cursor", ""),
            size=form.cleaned_data.get("size") or 50,
        )
    except q.BadCursor:
        return redirect("agent:queue")
    now = timezone.now()
    viewers = q.viewers_of(page.claims, exclude=agent)
    rows_html = queue_rows_html(
        page.claims,
        states={claim.pk: q.sla_state(claim, now) for claim in page.claims},
        viewers=viewers,
        now=now,
        q=filters.q,
        ticket_prefix=reverse("agent:ticket", args=["-"])[:-2],
    )
    if getattr(request, "htmx", False):
        return HttpResponse(rows_html)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "rows_html": rows_html,
        "now": now,
        "query": query.urlencode(),
        "cursor": request.GET.get("cursor", ""),
    }
    context.update(
        {
            "bulk_form": BulkForm(),
            "views": [(v, _view_urls(request)[v.slug]) for v in desk.queue_view_counts(agent, now)],
            "current_view": filters.view
            or ("all" if not (filters.q or any(request.GET.get(n) for n in FILTER_NAMES)) else ""),
            "sort_urls": _sort_urls(request),
            "filters_active": any(request.GET.get(name) for name in FILTER_NAMES),
            **_filter_options(agent),
        }
    )
    return render(request, "agent/queue.html", context)


def _view_urls(request: HttpRequest) -> dict[str, str]:
    """Each saved view keeps the team and the sort, and starts from the first page."""
    keep = {k: request.GET[k] for k in ("team", "sort") if request.GET.get(k)}
    return {slug: "?" + urlencode({**keep, "view": slug}) for slug, _label in desk.VIEWS}


def _sort_urls(request: HttpRequest) -> dict[str, str]:
    query = request.GET.copy()
    query.pop("cursor", None)
    out = {}
    for sort in q.SORTS:
        query["sort"] = sort
        out[sort] = "?" + query.urlencode()
    return out


@agent_required
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    claim = svc.claim_take_next(agent=_agent(request))
    if claim is None:
        messages.info(request, _("No unassigned claim is waiting in your teams' queues."))
        return redirect("agent:queue")
    messages.success(request, _("Claim %(reference)s is yours now.") % {"reference": claim.reference})
    return redirect("agent:ticket", reference=claim.reference)


@agent_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    form = BulkForm(request.POST)
    references = request.POST.getlist("claims")[:200]
    if not form.is_valid() or not references:
        messages.error(request, _("Select claims and an action."))
        return redirect("agent:queue")
    claims = list(access.claims_visible_to(agent).filter(reference__in=references).order_by("id"))
    order = {ref: i for i, ref in enumerate(references)}
    claims.sort(key=lambda c: order.get(c.reference, 0))
    action = form.cleaned_data["action"]
    act = _bulk_action(agent, action, form.cleaned_data, claims)
    if act is None:
        messages.error(request, _("Select claims and an action."))
        return redirect("agent:queue")
    targets = claims[1:] if action == "merge" else claims
    result = svc.claims_bulk(agent=agent, claims=targets, act=act)
    if result.done:
        messages.success(request, _("Done for %(count)d claims.") % {"count": len(result.done)})
    for reference, reason in result.failed:
        messages.error(request, f"{reference}: {reason}")
    return redirect("agent:queue")


def _bulk_action(
    agent: User, action: str, data: dict[str, Any], claims: list[Claim]
) -> Callable[[Claim], Any] | None:
    if action == "assign_me":
        return lambda c: svc.claim_assign(claim=c, actor=agent, assignee=agent)
    if action == "unassign":
        return lambda c: svc.claim_assign(claim=c, actor=agent, assignee=None)
    if action == "assign" and data.get("assignee"):
        assignee = _staff(data["assignee"])
        if assignee is None:
            return None
        return lambda c: svc.claim_assign(claim=c, actor=agent, assignee=assignee)
    if action == "status" and data.get("status"):
        return lambda c: svc.claim_set_status(claim=c, agent=agent, status=data["status"])
    if action == "tag" and data.get("tag"):
        return lambda c: svc.claim_add_tag(claim=c, agent=agent, name=data["tag"])
    if action == "merge" and len(claims) >= 2:
        into = claims[0]
        return lambda c: svc.claim_merge(claim=c, agent=agent, into=into)
    return None


# --- the ticket workspace -------------------------------------------------------------------------------
def _get_claim(request: HttpRequest, reference: str) -> Claim:
    return access.claim_for_agent(agent=_agent(request), reference=reference)


def _auto_id(action: str) -> str:
    """Each action's form has its own element ids (several forms on the page have a "body" field)."""
    return "id_%s" if action == "reply" else f"{action}_%s"


def _blank_initial(action: str, claim: Claim) -> dict[str, Any]:
    """What an action's blank form starts from: the claim's current status and priority."""
    if action == "status":
        return {"status": claim.status}
    if action == "priority":
        return {"priority": claim.priority}
    return {}


def _render_ticket(
    request: HttpRequest, claim: Claim, *, status: int = 200, forms: dict[str, Any] | None = None
) -> HttpResponse:
    """The workspace; ``forms`` holds the one action form the agent sent back with its errors."""
    forms = forms or {}
    agent = _agent(request)
    # Links are built from the ticket's own URL (agent:action, agent:evidence, agent:presence and
    # agent:timeline all live under it) instead of being reversed one by one in the template.
    ticket_url = reverse("agent:ticket", args=[claim.reference])
    context = {
        "claim": claim,
        "sla": q.sla_state(claim),
        "clocks": desk.sla_clocks(claim),
        "callback": desk.callback_panel(claim),
        "outcome_choices": CallbackOutcome.choices,
        "now": timezone.now(),
        "events": desk.timeline_entries(claim),
        "evidence": desk.evidence_entries(claim, ticket_url),
        "others": desk.other_claims(
            claim, viewer=agent, ticket_prefix=reverse("agent:ticket", args=["-"])[:-2]
        ),
        "macros": q.macros_for(claim),
        "channels": q.official_channels(claim),
        "fakes": q.known_fakes(claim),
        "why": explain(claim.urgency_parts),
        "override": claim.urgency_parts.get("override"),
        "viewers": q.presence_touch(claim=claim, agent=agent),
        "urls": {
            "presence": f"{ticket_url}presence/",
            "timeline": f"{ticket_url}timeline/",
            **{action: f"{ticket_url}{action}/" for action in ACTIONS},
        },
        "action_forms": forms,  # only a form sent back with errors: its <details> opens
        "fields": {  # every action's form but take's, which has no fields
            action: form_fields_html(
                form_class,
                auto_id=_auto_id(action),
                initial=_blank_initial(action, claim),
                bound=forms.get(action),
            )
            for action, (form_class, _act, _done) in ACTIONS.items()
            if action != "take"
        },
        "tags": list(claim.tags.order_by("name").values_list("name", flat=True)),
        "may_take": claim.assignee_id is None and claim.is_open,
        "is_mine": claim.assignee_id == agent.pk,
    }
    return render(request, "agent/ticket.html", context, status=status)


@agent_required
@require_GET
def ticket(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_ticket(request, _get_claim(request, reference))


@agent_required
@require_GET
def presence(request: HttpRequest, reference: str) -> HttpResponse:
    claim = _get_claim(request, reference)
    viewers = q.presence_touch(claim=claim, agent=_agent(request))
    return render(request, "agent/_presence.html", {"viewers": viewers, "claim": claim})


@agent_required
@require_GET
def timeline(request: HttpRequest, reference: str) -> HttpResponse:
    """The workspace's timeline, polled so a customer's new message shows without a reload."""
    claim = _get_claim(request, reference)
    return render(
        request,
        "agent/_timeline.html",
        {"events": desk.timeline_entries(claim), "claim": claim},
    )


@agent_required
@require_GET
def evidence(request: HttpRequest, reference: str, evidence_id: int) -> HttpResponseBase:
    claim = _get_claim(request, reference)
    back = reverse("agent:ticket", args=[claim.reference])
    return serve_evidence(
        claim=claim, evidence_id=evidence_id, not_ready=lambda: evidence_pending_page(request, back_url=back)
    )


def _macro(agent: User, claim: Claim, macro_id: int | None) -> Macro | None:
    if not macro_id:
        return None
    macro = next((m for m in q.macros_for(claim) if m.pk == macro_id), None)
    if macro is None:
        raise ValidationError(_("This canned reply is not available for this claim."))
    return macro


def _staff(staff_number: str) -> User | None:
    number = staff_number.strip()
    return (
        User.objects.filter(staff_number=number, role__in=[Role.AGENT, Role.SUPERVISOR]).first()
        if number
        else None
    )


def _assignee(agent: User, data: dict[str, Any]) -> User | None:
    if not data.get("assignee"):
        return None
    user = _staff(data["assignee"])
    if user is None:
        raise ValidationError(_("Choose an agent."))
    return user


def _into(agent: User, reference: str) -> Claim:
    try:
        return access.claim_for_agent(agent=agent, reference=reference)
    except Http404:
        raise ValidationError(_("No claim with this reference in your teams.")) from None


def _reply(agent: User, claim: Claim, data: dict[str, Any]) -> Any:
    macro = _macro(agent, claim, data.get("macro"))
    body = (data.get("body") or "").strip() or (macro.body if macro else "")
    return svc.claim_agent_reply(claim=claim, agent=agent, body=body, macro=macro)


# action name → (form class, service call, success message)
ACTIONS: dict[str, tuple[type[Any], Callable[[User, Claim, dict[str, Any]], Any], Any]] = {
    "reply": (
        ReplyForm,
        lambda a, c, d: _reply(a, c, d),
        gettext_lazy("Reply sent."),
    ),
    "note": (
        BodyForm,
        lambda a, c, d: svc.claim_internal_note(claim=c, agent=a, body=d["body"]),
        gettext_lazy("Note added."),
    ),
    "request_info": (
        BodyForm,
        lambda a, c, d: svc.claim_request_info(claim=c, agent=a, body=d["body"]),
        gettext_lazy("Question sent; the claim waits for the customer."),
    ),
    "status": (
        StatusForm,
        lambda a, c, d: svc.claim_set_status(claim=c, agent=a, status=d["status"], reason=d["reason"]),
        gettext_lazy("Status changed."),
    ),
    "escalate": (
        ReasonForm,
        lambda a, c, d: svc.claim_escalate(claim=c, agent=a, reason=d["reason"]),
        gettext_lazy("Escalated to a supervisor."),
    ),
    "priority": (
        PriorityForm,
        lambda a, c, d: svc.claim_override_priority(
            claim=c, actor=a, priority=d["priority"], reason=d["reason"]
        ),
        gettext_lazy("Priority changed."),
    ),
    "assign": (
        AssignForm,
        lambda a, c, d: svc.claim_assign(claim=c, actor=a, assignee=_assignee(a, d)),
        gettext_lazy("Assignment changed."),
    ),
    "take": (
        AssignForm,
        lambda a, c, d: svc.claim_assign(claim=c, actor=a, assignee=a),
        gettext_lazy("Claim assigned to you."),
    ),
    "tag": (
        TagForm,
        lambda a, c, d: svc.claim_add_tag(claim=c, agent=a, name=d["name"]),
        gettext_lazy("Tag added."),
    ),
    "merge": (
        MergeForm,
        lambda a, c, d: svc.claim_merge(claim=c, agent=a, into=_into(a, d["into"])),
        gettext_lazy("Merged."),
    ),
}


@agent_required
@require_POST
def ticket_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    agent = _agent(request)
    claim = _get_claim(request, reference)
    form_class, act, done = ACTIONS[action]
    form = form_class(request.POST, auto_id=_auto_id(action))
    if form.is_valid():
        try:
            act(agent, claim, form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied:
            form.add_error(None, _("Only a supervisor can do this."))
        else:
            messages.success(request, done)
            return redirect("agent:ticket", reference=claim.reference)
    claim = _get_claim(request, reference)
    # The form travels in a dict: an action named "status" must not collide with the status code.
    return _render_ticket(request, claim, status=400, forms={action: form})


# --- supervisor -----------------------------------------------------------------------------------------
@agent_required
@require_GET
def supervisor(request: HttpRequest) -> HttpResponse:
    # The figures count every team and link to their claims: for those who see every team.
    if not access.sees_every_team(_agent(request)):
        raise Http404
    figures = q.supervisor_figures(cached=True)
    return render(request, "agent/supervisor.html", {"figures": figures, **desk.supervisor_charts(figures)})


@agent_required
def routing_rules(request: HttpRequest) -> HttpResponse:
    """Supervisors edit the routing rules: the list, and one form to add or change a rule."""
    agent = _agent(request)
    if not agent.is_supervisor:
        raise Http404
    editing = read_int(request.GET, "edit", default=None, minimum=1)
    rule = (RoutingRule.objects.filter(pk=editing).first() if editing else None) or RoutingRule()
    form = RoutingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if "delete" in request.POST and rule.pk:
            triage_services.routing_rule_delete(actor=agent, rule=rule)
            messages.success(request, _("Rule deleted."))
            return redirect("agent:routing_rules")
        if form.is_valid():
            try:
                triage_services.routing_rule_save(actor=agent, rule=form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("agent:routing_rules")
    rules = RoutingRule.objects.select_related("platform", "problem_type", "team").order_by("position", "id")
    status = 400 if form.errors else 200
    return render(
        request, "agent/routing_rules.html", {"rules": rules, "form": form, "rule": rule}, status=status
    )
