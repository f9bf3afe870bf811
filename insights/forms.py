from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.selectors import RANGES


class AnalyticsFilterForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days"))],
    )
    platform = forms.IntegerField(label=_("Platform"), required=False, min_value=1, max_value=2_147_483_647)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1, max_value=2_147_483_647)
    problem_type = forms.IntegerField(
        label=_("Problem type"), required=False, min_value=1, max_value=2_147_483_647
    )

    def values(self) -> dict[str, int | None]:
        data = self.cleaned_data if self.is_valid() else {}
        days = data.get("days") or 30
        return {
            "days": days if days in RANGES else 30,
            "platform": data.get("platform"),
            "team": data.get("team"),
            "problem_type": data.get("problem_type"),
        }


class RatingCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Add a comment to your rating"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ScorecardResponseForm(forms.Form):
    body = forms.CharField(
        label=_("The platform's response"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
