"""Forms of the agent workspace: they parse; the agent services decide and write."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tickets.desk.labels import staff_status_choices
from tickets.desk.queue import QueueFilters
from tickets.desk.services import AGENT_STATUSES
from tickets.desk.workspace import VIEWS
from tickets.models import Priority, RoutingRule
from tickets.triage.services import RULE_FIELDS

SORT_CHOICES = [("priority", _("Priority")), ("due", _("Due")), ("age", _("Age"))]

SLA_CHOICES = [("", _("Any")), ("breached", _("Breached")), ("at_risk", _("At risk"))]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1)
    platform = forms.IntegerField(label=_("Platform"), required=False, min_value=1)
    problem_type = forms.IntegerField(label=_("Problem type"), required=False, min_value=1)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All open")), *staff_status_choices()]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("Any")), *Priority.choices],
        coerce=int,
        empty_value=None,
    )
    view = forms.ChoiceField(label=_("View"), required=False, choices=[("", ""), *VIEWS])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    mine = forms.BooleanField(label=_("Mine"), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_CHOICES)
    late = forms.BooleanField(label=_("Filed late"), required=False)
    cursor = forms.CharField(required=False, max_length=400)
    size = forms.IntegerField(required=False, min_value=1, max_value=200)

    def filters(self) -> QueueFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            team=data.get("team"),
            platform=data.get("platform"),
            problem_type=data.get("problem_type"),
            status=data.get("status") or "",
            mine=bool(data.get("mine")),
            unassigned=bool(data.get("unassigned")),
            sla=data.get("sla") or "",
            late=bool(data.get("late")),
            q=(data.get("q") or "").strip(),
            view="" if data.get("view") in ("", "all", None) else data["view"],
            sort=data.get("sort") or "priority",
            priority=data.get("priority"),
        )


class BodyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False
    )
    macro = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("macro"):
            raise forms.ValidationError(_("Write a message first."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=staff_status_choices(list(AGENT_STATUSES)))
    reason = forms.CharField(
        label=_("Reason (shown to the customer)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PriorityForm(ReasonForm):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class AssignForm(forms.Form):
    assignee = forms.CharField(
        label=_("Agent's staff number"), required=False, max_length=16, help_text=_("Empty: unassign.")
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=40)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into claim (reference)"), max_length=24)


BULK_ACTIONS = [
    ("assign_me", _("Assign to me")),
    ("unassign", _("Unassign")),
    ("assign", _("Assign to…")),
    ("status", _("Change status")),
    ("tag", _("Add tag")),
    ("merge", _("Merge into the first selected")),
]


class BulkForm(forms.Form):
    claims = forms.CharField(required=False)  # replaced by getlist in the view
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=staff_status_choices(list(AGENT_STATUSES))
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    assignee = forms.CharField(label=_("Agent's staff number"), required=False, max_length=16)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = RULE_FIELDS  # the fields the routing-rule service writes (one list)


FIELDS_TEMPLATE = "partials/form_fields.html"


def form_fields_html(
    form_class: type[forms.Form], *, auto_id: str, initial: dict[str, Any], bound: forms.Form | None = None
) -> SafeString:
    """An action form's fields as partials/form_fields.html writes them.

    The workspace shows nine action forms; rendering their widgets through Django's form renderer was a
    large part of the page's time. A blank form's HTML depends only on its class, element ids, initial
    values and the language, so it is rendered once per process for each of those; a form sent back with
    the agent's input and its errors (``bound``) is rendered as before.
    """
    if bound is not None:
        return SafeString(render_to_string(FIELDS_TEMPLATE, {"form": bound}))
    return _blank_form_fields(form_class, auto_id, tuple(sorted(initial.items())), get_language())


@lru_cache(maxsize=256)
def _blank_form_fields(
    form_class: type[forms.Form], auto_id: str, initial: tuple[tuple[str, Any], ...], language: str | None
) -> SafeString:
    form = form_class(initial=dict(initial), auto_id=auto_id)
    return SafeString(render_to_string(FIELDS_TEMPLATE, {"form": form}))
