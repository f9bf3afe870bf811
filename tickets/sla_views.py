"""Agents' SLA pages: the call-back list (soonest due first, recording each attempt) and the
supervisors' SLA report."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from helpdesk.models import User
from tickets.access import callback_for_agent, sees_every_team
from tickets.callbacks.selectors import callbacks_for_agent, with_caller_numbers
from tickets.callbacks.services import callback_record_attempt
from tickets.models import CallbackOutcome, CallbackStatus
from tickets.reports import sla_report


class AttemptForm(forms.Form):
    # No default: the agent must say what happened (a preselected "reached" closed call-backs by accident).
    outcome = forms.ChoiceField(
        label=gettext_lazy("What happened?"),
        choices=[("", gettext_lazy("Choose the outcome…")), *CallbackOutcome.choices],
        error_messages={"required": gettext_lazy("Choose what happened on the call.")},
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


def _agent(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_agent:
        raise Http404  # customers never learn that agent pages exist
    return user


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    rows = with_caller_numbers(callbacks_for_agent(agent=agent))
    return render(
        request,
        "agent/callbacks.html",
        {"callbacks": rows, "now": timezone.now(), "form": AttemptForm()},
    )


@login_required
@require_POST
def callback_attempt(request: HttpRequest, callback_id: int) -> HttpResponse:
    agent = _agent(request)
    callback = callback_for_agent(agent=agent, callback_id=callback_id)
    if callback.status != CallbackStatus.PENDING:
        raise Http404
    form = AttemptForm(request.POST)
    # From the workspace's call-back panel the agent goes back to the claim, else to the list.
    back = (
        redirect("agent:ticket", reference=callback.claim.reference)
        if request.POST.get("back") == "ticket"
        else redirect("callbacks")
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return back
    try:
        callback_record_attempt(
            callback=callback,
            agent=agent,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The call attempt is recorded."))
    return back


@login_required
def sla_report_view(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    if not sees_every_team(user):  # the report counts every team's claims
        raise Http404
    try:
        days = max(1, min(int(request.GET.get("days", "30")), 365))
    except ValueError:
        days = 30
    since = timezone.now() - timedelta(days=days)
    tables = [
        (_("By platform"), sla_report(dimension="platform", since=since)),
        (_("By team"), sla_report(dimension="team", since=since)),
        (_("By problem type"), sla_report(dimension="problem_type", since=since)),
    ]
    return render(request, "agent/sla_report.html", {"tables": tables, "days": days})
