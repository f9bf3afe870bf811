"""Supervisors' pages for desk data: canned replies and SLA policies (list + one form to add or change)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from helpdesk.models import User
from tickets.desk.supervisor_forms import MacroForm, SlaPolicyForm, format_duration
from tickets.desk.supervisor_services import macro_save, sla_policy_save
from tickets.desk.views import agent_required
from tickets.models import Macro, SlaPolicy


def _supervisor(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_supervisor:
        raise Http404
    return user


def _edit_id(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("edit") or 0))
    except ValueError:
        return 0


@agent_required
def macros(request: HttpRequest) -> HttpResponse:
    actor = _supervisor(request)
    macro = Macro.objects.filter(pk=_edit_id(request)).first() or Macro()
    form = MacroForm(request.POST or None, instance=macro)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                macro_save(actor=actor, macro=form.instance, tags=form.tags())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Canned reply saved."))
            return redirect("agent:macros")
    rows = Macro.objects.select_related("team").prefetch_related("tags").order_by("-is_active", "name", "id")
    return render(
        request,
        "agent/macros.html",
        {"macros": rows, "form": form, "macro": macro},
        status=400 if form.errors else 200,
    )


@agent_required
def sla_policies(request: HttpRequest) -> HttpResponse:
    actor = _supervisor(request)
    policy = SlaPolicy.objects.filter(pk=_edit_id(request)).first() or SlaPolicy()
    form = SlaPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            sla_policy_save(
                actor=actor,
                policy=form.instance,
                platforms=form.cleaned_data["platforms"],
                problem_types=form.cleaned_data["problem_types"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("agent:sla_policies")
    rows: list[Any] = list(
        SlaPolicy.objects.prefetch_related("platforms", "problem_types").order_by("position", "id")
    )
    for row in rows:
        row.targets = [
            (label, format_duration(getattr(row, name)))
            for name, label in (
                ("first_response", _("First response")),
                ("next_response", _("Next response")),
                ("resolution", _("Resolution")),
                ("callback", _("Call-back")),
            )
            if getattr(row, name)
        ]
    return render(
        request,
        "agent/sla_policies.html",
        {"policies": rows, "form": form, "policy": policy},
        status=400 if form.errors else 200,
    )
