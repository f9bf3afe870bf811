"""Forms parse and validate input; services decide. No form saves anything itself."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts import hours, services
from contacts.models import (
    AppellantRole,
    AskedFor,
    ChannelKind,
    ContactChannel,
    EvidenceMethod,
    FoundWhere,
    HolidayRule,
    HoursMode,
    Platform,
    PlatformStatus,
    ProblemType,
)
from contacts.recommend import ROUTINE, URGENT
from contacts.values import LANGUAGES, ChannelDraft
from helpdesk import uploads


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Platform name or alias"), max_length=60, required=False)


class ProblemFlowForm(forms.Form):
    platform = forms.SlugField(label=_("Platform"), max_length=60)
    problem = forms.ModelChoiceField(
        label=_("Problem"),
        queryset=ProblemType.objects.active(),
        to_field_name="slug",
        empty_label=_("Choose a problem"),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=[
            (URGENT, _("Urgent: money or account at risk now")),
            (ROUTINE, _("Not urgent: a question or a small problem")),
        ],
        initial=ROUTINE,
        widget=forms.RadioSelect,
    )


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    value = forms.CharField(
        label=_("Number or address"),
        max_length=300,
        help_text=_("Exactly as the platform publishes it, e.g. 400-612-3456 or https://kf.example.cn/chat."),
    )
    label = forms.CharField(label=_("Label"), max_length=80, required=False)
    problem_types = forms.ModelMultipleChoiceField(
        label=_("Problems it handles"),
        queryset=ProblemType.objects.active(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # A new channel starts from sensible service hours (every day 09:00-21:00), not "no hours": most are
    # hotlines; a written channel (e-mail, ticket form) is switched to "no hours" by the admin.
    hours_mode = forms.ChoiceField(label=_("Hours"), choices=HoursMode.choices, initial=HoursMode.WEEKLY)
    windows = forms.CharField(
        label=_("Weekly hours"),
        required=False,
        initial="Mon-Sun 09:00-21:00",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=hours.HOURS_HELP,
    )
    holiday_rule = forms.ChoiceField(
        label=_("Public holidays"), choices=HolidayRule.choices, initial=HolidayRule.FOLLOW_CALENDAR
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=list(LANGUAGES.items()),
        initial=["zh"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_response_minutes = forms.IntegerField(
        label=_("Expected response time (minutes)"), min_value=1, max_value=60 * 24 * 30, required=False
    )
    inbound_only = forms.BooleanField(label=_("Inbound only: this number never calls you"), required=False)
    offers_callback = forms.BooleanField(label=_("Offers a call-back when busy or closed"), required=False)
    notes = forms.CharField(
        label=_("Notes for users"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note for the approving admin"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_windows(self) -> list[hours.Window]:
        return hours.parse_windows(self.cleaned_data.get("windows", ""))

    def draft(self) -> ChannelDraft:
        data = self.cleaned_data
        return ChannelDraft(
            kind=data["kind"],
            value=data["value"],
            label=data.get("label", ""),
            languages=data.get("languages") or [],
            expected_response_minutes=data.get("expected_response_minutes"),
            problem_types=[pt.slug for pt in data.get("problem_types") or []],
            inbound_only=data.get("inbound_only", False),
            offers_callback=data.get("offers_callback", False),
            notes=data.get("notes", ""),
            hours_mode=data["hours_mode"],
            # The default weekly hours stay in the box when another mode is chosen: only "weekly" uses them.
            windows=(data.get("windows") or []) if data["hours_mode"] == HoursMode.WEEKLY else [],
            holiday_rule=data["holiday_rule"],
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )

    @classmethod
    def initial_for(cls, channel: ContactChannel) -> dict[str, Any]:
        minutes = (
            int(channel.expected_response_time.total_seconds() // 60)
            if channel.expected_response_time
            else None
        )
        return {
            "kind": channel.kind,
            "value": channel.value,
            "label": channel.label,
            "problem_types": [pt.slug for pt in channel.problem_types.all()],
            "hours_mode": channel.hours_mode,
            "windows": hours.windows_text(channel.schedule.windows),
            "holiday_rule": channel.holiday_rule,
            "languages": channel.languages,
            "expected_response_minutes": minutes,
            "inbound_only": channel.inbound_only,
            "offers_callback": channel.offers_callback,
            "notes": channel.notes,
            "valid_from": channel.valid_from,
            "valid_until": channel.valid_until,
        }


class EvidenceForm(forms.Form):
    method = forms.ChoiceField(label=_("How was it verified?"), choices=EvidenceMethod.choices)
    evidence_note = forms.CharField(
        label=_("What does the evidence show?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    url = forms.URLField(label=_("Source URL"), required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        label=_("File (screenshot, letter, PDF)"),
        required=False,
        help_text=_("PNG, JPEG, WebP, HEIC, PDF or text."),
    )


class ProposeForm(ChannelForm, EvidenceForm):
    """A new channel or a change, with the evidence that backs it."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=True
    )


class ApproveForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RetireForm(forms.Form):
    replacement = forms.ModelChoiceField(
        label=_("Replaced by"),
        queryset=ContactChannel.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def __init__(self, *args: Any, replacements: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if replacements is not None:
            field = self.fields["replacement"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = replacements


class PlatformForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    slug = forms.SlugField(
        label=_("Address name"),
        max_length=60,
        help_text=_("Latin letters for the page address, e.g. xingyun."),
    )
    aliases = forms.CharField(
        label=_("Aliases"), required=False, max_length=500, help_text=_("Separated by commas.")
    )
    legal_name = forms.CharField(label=_("Legal entity name"), max_length=120, required=False)
    unified_social_credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    icp_licence = forms.CharField(label=_("ICP licence number"), max_length=60, required=False)
    website = forms.URLField(label=_("Official website"), required=False, assume_scheme="https")
    status = forms.ChoiceField(label=_("Status"), choices=PlatformStatus.choices)
    domains = forms.CharField(
        label=_("Official domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line; subdomains count. Start a line with = to count only that exact host. A new domain "
            "counts once a second directory admin approves it; removing one counts at once."
        ),
    )
    domain_note = forms.CharField(
        label=_("How do you know the domains and website are the platform's?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the approving admin, e.g. the ICP record or the platform's letter."),
    )

    def clean_aliases(self) -> list[str]:
        raw = self.cleaned_data.get("aliases", "")
        return [a.strip() for a in raw.replace("，", ",").split(",") if a.strip()]

    def clean_website(self) -> str:
        from contacts.canonical import canonical_url, url_host
        from contacts.ownership import refusal

        website = self.cleaned_data.get("website") or ""
        if website:
            try:
                reason = refusal(url_host(canonical_url(website)))
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
            if reason:
                raise ValidationError(reason, code="not_ownable")
        return website

    def clean_domains(self) -> list[tuple[str, bool]]:
        from contacts.canonical import canonical_host
        from contacts.ownership import refusal

        result = []
        errors: list[str] = []
        for line in (self.cleaned_data.get("domains") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            exact = line.startswith("=")
            try:
                host = canonical_host(line.lstrip("=").strip())
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            reason = refusal(host)
            if reason:
                errors.append(reason)
            result.append((host, not exact))
        if errors:
            raise ValidationError(errors, code="invalid_domain")
        return result


# --- Checker and scam reports -------------------------------------------------------------------------
class CheckForm(forms.Form):
    q = forms.CharField(
        label=_("Number, link or the whole message"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": _("e.g. 400-612-3456, a link, or paste the whole SMS"),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )


_FORM_TOKEN_SALT = "contacts.scam-report-form"


def report_form_token(purpose: str = "report") -> str:
    """A signed time stamp and a random nonce: the form must come from us, be open long enough for a
    person to fill it, and be sent once (the service records the nonce: ``services.form_nonce_use``)."""
    return signing.TimestampSigner(salt=_FORM_TOKEN_SALT).sign(f"{purpose}.{secrets.token_urlsafe(18)}")


class BotCheckedForm(forms.Form):
    """A public form without an account: a honeypot field, a signed token with a minimum fill time, and a
    nonce (``cleaned_data["nonce"]``) that the service records so the same token cannot be sent twice."""

    token_purpose = "report"
    # A field people never see (hidden by the stylesheet) but form-filling bots do.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        token = data.get("started", "")
        try:
            signed = signing.TimestampSigner(salt=_FORM_TOKEN_SALT).unsign(
                token, max_age=services.FORM_TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            raise ValidationError(
                _("The form has expired. Please fill it in again."), code="expired"
            ) from None
        filled_in = time.time() - signing.b62_decode(token.rsplit(":", 2)[1])
        too_fast = filled_in < settings.SCAM_REPORT_MIN_FILL_SECONDS
        purpose, _dot, nonce = signed.partition(".")
        if data.get("website") or purpose != self.token_purpose or not nonce or too_fast:
            raise ValidationError(
                _("Please take a moment to check the form, then send it again."), code="bot"
            )
        data["nonce"] = nonce
        return data


class ScamReportForm(BotCheckedForm):
    value = forms.CharField(
        label=_("The number, link or account you found"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    found_where = forms.ChoiceField(label=_("Where did you find it?"), choices=FoundWhere.choices)
    asked_for = forms.MultipleChoiceField(
        label=_("What did it ask for?"),
        choices=AskedFor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    platform = forms.ModelChoiceField(
        label=_("Which platform did it pretend to be?"),
        queryset=Platform.objects.filter(status=PlatformStatus.ACTIVE).order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("I don't know"),
    )
    details = forms.CharField(
        label=_("What happened (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Do not write passwords, codes or card numbers here."),
    )
    screenshot = forms.FileField(label=_("Screenshot (optional)"), required=False)

    def clean_screenshot(self) -> uploads.CleanUpload | None:
        file = self.cleaned_data.get("screenshot")
        if not file:
            return None
        try:
            return uploads.clean_upload(file, allowed=uploads.IMAGE_TYPES)
        except uploads.UploadRejected as exc:
            raise ValidationError(exc.messages) from None


class AppealForm(BotCheckedForm):
    token_purpose = "appeal"
    value = forms.CharField(
        label=_("The reported number, link or account"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    appellant_role = forms.ChoiceField(label=_("Who are you?"), choices=AppellantRole.choices)
    appellant_name = forms.CharField(label=_("Your name or organisation"), max_length=120)
    contact = forms.CharField(
        label=_("How can we reach you?"),
        max_length=200,
        help_text=_("A phone number or email address. Only directory admins see it."),
    )
    explanation = forms.CharField(
        label=_("Why are the reports wrong?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: the number is your company's, since when, and how we can verify it. "
            "Do not write passwords, codes or card numbers here."
        ),
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold the reports")),
            ("lift", _("Lift the reports (dismiss them: the checker stops saying “reported”)")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("confirm", _("Confirm: it is a fake")),
            ("dismiss", _("Dismiss the reports")),
            ("merge", _("Merge into another reported value")),
        ],
        widget=forms.RadioSelect,
    )
    platform = forms.ModelChoiceField(
        label=_("Platform it impersonates"),
        queryset=Platform.objects.order_by("name"),
        required=False,
    )
    merge_into = forms.CharField(
        label=_("Merge into (number, link or account already reported)"), max_length=300, required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
