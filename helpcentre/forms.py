from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform, PlatformStatus, ProblemType
from helpcentre.models import Article


def _platforms() -> Any:
    return Platform.objects.exclude(status=PlatformStatus.CLOSED).order_by("name")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Describe your problem"), max_length=200, required=False)
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All platforms"),
    )
    problem = forms.ModelChoiceField(
        label=_("Problem"),
        queryset=ProblemType.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All problems"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = _platforms()  # type: ignore[attr-defined]
        self.fields["problem"].queryset = ProblemType.objects.active()  # type: ignore[attr-defined]


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "slug",
            "platform",
            "problem_types",
            "title_zh",
            "body_zh",
            "title_en",
            "body_en",
            "sort_order",
        ]
        widgets = {
            "body_zh": forms.Textarea(attrs={"rows": 14}),
            "body_en": forms.Textarea(attrs={"rows": 14}),
            "problem_types": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "body_zh": _(
                "Markdown. Embed the platform's channels with [[channels]] or [[channel:claims_hotline]]; "
                "never type a number, link or e-mail that the directory does not list as official."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = _platforms()  # type: ignore[attr-defined]
        self.fields["problem_types"].queryset = ProblemType.objects.active()  # type: ignore[attr-defined]


class SuggestForm(forms.Form):
    """What the claim form has so far: enough to suggest articles."""

    platform = forms.ModelChoiceField(queryset=Platform.objects.all(), required=False)
    problem_type = forms.ModelChoiceField(queryset=ProblemType.objects.active(), required=False)
    description = forms.CharField(max_length=5000, required=False)


class AssistantForm(forms.Form):
    platform = forms.ModelChoiceField(
        label=_("Which platform is it about?"),
        queryset=Platform.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("Choose the platform"),
    )
    problem = forms.ModelChoiceField(
        label=_("What went wrong?"),
        queryset=ProblemType.objects.none(),
        required=False,
        to_field_name="slug",
        widget=forms.RadioSelect,
    )
    words = forms.CharField(label=_("Or say it in your own words"), max_length=300, required=False)
    order_number = forms.CharField(label=_("Order number"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = _platforms()  # type: ignore[attr-defined]
        self.fields["problem"].queryset = ProblemType.objects.active()  # type: ignore[attr-defined]
