"""Forms for the supervisors' desk data (canned replies, SLA policies): they parse; tickets.desk_services
decides and writes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform, ProblemType
from tickets.desk.labels import staff_status_choices
from tickets.models import Macro, Priority, SlaPolicy, Tag

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])", re.IGNORECASE)


def format_duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0m"


class DurationText(forms.CharField):
    """A duration typed as people say it: "10m", "4h", "2d", "1h30m" (a bare number is minutes)."""

    default_error_messages = {"invalid": _("Write a duration like 10m, 4h, 2d or 1h30m.")}

    def prepare_value(self, value: Any) -> Any:
        return format_duration(value) if isinstance(value, timedelta) else value

    def to_python(self, value: Any) -> timedelta | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().replace(" ", "")
        if not text:
            return None
        if text.isdigit():
            return timedelta(minutes=int(text))
        if not re.fullmatch(r"(?:\d+(?:\.\d+)?[dhm])+", text, re.IGNORECASE):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        unit = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
        total = sum((float(n) * unit[u.lower()] for n, u in _PART.findall(text)), timedelta())
        if total <= timedelta(0) or total > timedelta(days=365):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return total


class MacroForm(forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Add tags"), required=False, max_length=200, help_text=_("Separate tags with commas.")
    )

    class Meta:
        model = Macro
        fields = ["name", "body", "set_status", "team", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["set_status"]).choices = [("", "—"), *staff_status_choices()]
        if self.instance.pk:
            self.initial["tag_names"] = ", ".join(t.name for t in self.instance.tags.all())

    def tags(self) -> list[Tag]:
        names = [n.strip()[:40] for n in re.split(r"[,，]", self.cleaned_data.get("tag_names") or "")]
        return [Tag.objects.get_or_create(name=n)[0] for n in dict.fromkeys(n for n in names if n)]


class SlaPolicyForm(forms.ModelForm):
    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities"),
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any priority."),
    )
    platforms = forms.ModelMultipleChoiceField(
        label=_("Platforms"), queryset=Platform.objects.order_by("name"), required=False
    )
    problem_types = forms.ModelMultipleChoiceField(
        label=_("Problem types"), queryset=ProblemType.objects.filter(is_active=True), required=False
    )
    first_response = DurationText(label=_("First response within"), required=False)
    next_response = DurationText(label=_("Next response within"), required=False)
    resolution = DurationText(label=_("Resolution within"), required=False)
    callback = DurationText(label=_("Call-back within"), required=False)

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "active",
            "priorities",
            "platforms",
            "problem_types",
            "min_amount",
            "max_amount",
            "high_value",
            "first_response",
            "next_response",
            "resolution",
            "callback",
            "calendar",
            "day_start",
            "day_end",
        ]
        widgets = {
            "day_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
