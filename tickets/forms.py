"""Forms of the customer's claim pages. They parse and validate; the services decide and write."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Platform, PlatformStatus, ProblemType
from helpdesk.phones import normalize_personal_phone
from tickets.models import ContactChannel, DesiredOutcome, PaymentChannel

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/]{2,63}$")
CURRENCIES = [("CNY", _("CNY (yuan)")), ("HKD", _("HKD")), ("USD", _("USD"))]
MAX_AMOUNT = Decimal("9999999999.99")

# Problem types whose claims need to know when the customer lost access to their account.
ACCESS_LOSS_TYPES = frozenset({"account-stolen", "account-frozen"})
# What evidence helps most, per problem type (shown on the form when that type is chosen).
EVIDENCE_HINTS: dict[str, Any] = {
    "topup-not-credited": _(
        "Attach the payment record (transfer receipt) and a screenshot of the order page."
    ),
    "card-code-invalid": _("Attach a screenshot of the card code and of the error shown when you used it."),
    "account-stolen": _("Attach screenshots of the login alerts or changed settings you noticed."),
    "account-frozen": _("Attach a screenshot of the freeze notice."),
    "fraud": _("Attach the payment records of the charges you did not make."),
    "merchant-vanished": _("Attach the chat log with the merchant and the payment record."),
    "duplicate-charge": _("Attach both payment records."),
}
DEFAULT_EVIDENCE_HINT = _("Screenshots of the order, the payment and the error help support act faster.")
DESCRIPTION_GUIDE = _(
    "When did it happen, what did you buy, what did you see, what have you already tried? "
    "E.g. “20 May 14:30, bought a 100-yuan game card, paid, not delivered after 30 minutes, "
    "order shows ‘processing’, refreshed 3 times.”"
)


def clean_identifier(value: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(_("This field is required."), code="required")
        return ""
    if not IDENTIFIER.match(value):
        raise ValidationError(
            _("Use only letters, digits, “-”, “_” and “/”, 3 to 64 characters, as shown on the order page."),
            code="invalid_identifier",
        )
    return value


class ProblemTypeSelect(forms.Select):
    """Options carry the problem type's slug so the form script can adapt without a round trip."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None:
            option["attrs"]["data-slug"] = instance.slug
        return option


class ClaimForm(forms.Form):
    platform = forms.ModelChoiceField(
        label=_("Platform"), queryset=Platform.objects.none(), empty_label=_("Choose the platform")
    )
    problem_type = forms.ModelChoiceField(
        label=_("What went wrong"),
        queryset=ProblemType.objects.none(),
        empty_label=_("Choose a problem type"),
        widget=ProblemTypeSelect,
    )
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=64,
        help_text=_("As shown on the platform's order page."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    product = forms.CharField(label=_("Product"), max_length=120, help_text=_("E.g. 100-yuan game card."))
    amount = forms.DecimalField(
        label=_("Amount paid"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter the amount as a number, e.g. 100 or 99.50.")},
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="CNY")
    payment_channel = forms.ChoiceField(label=_("Paid with"), choices=PaymentChannel.choices)
    paid_at = forms.DateTimeField(
        label=_("Payment time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter the payment time, e.g. 2026-05-20 14:30.")},
    )
    transaction_id = forms.CharField(
        label=_("Transaction id (optional)"),
        max_length=64,
        required=False,
        help_text=_("From your Alipay, WeChat Pay or bank record."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    access_lost_at = forms.DateTimeField(
        label=_("When did you lose access to the account?"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a time, e.g. 2026-05-20 14:30.")},
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        min_length=20,
        help_text=DESCRIPTION_GUIDE,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "min_length": _("Tell us a little more (at least 20 characters): when, what, what you saw.")
        },
    )
    desired_outcome = forms.ChoiceField(
        label=_("What do you want"), choices=DesiredOutcome.choices, widget=forms.RadioSelect
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we contact you"), choices=ContactChannel.choices, initial=ContactChannel.IN_APP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        platforms = Platform.objects.exclude(status=PlatformStatus.CLOSED).order_by("name")
        self.fields["platform"].queryset = platforms  # type: ignore[attr-defined]
        self.fields["problem_type"].queryset = ProblemType.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def clean_order_number(self) -> str:
        return clean_identifier(self.cleaned_data.get("order_number", ""), required=True)

    def clean_transaction_id(self) -> str:
        return clean_identifier(self.cleaned_data.get("transaction_id", ""), required=False)

    def clean_paid_at(self) -> Any:
        paid_at = self.cleaned_data["paid_at"]
        if paid_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError(_("The payment time cannot be in the future."), code="future")
        if paid_at < timezone.now() - timedelta(days=3650):
            raise ValidationError(_("Enter the payment time, e.g. 2026-05-20 14:30."), code="too_old")
        return paid_at

    def clean_access_lost_at(self) -> Any:
        value = self.cleaned_data.get("access_lost_at")
        if value and value > timezone.now() + timedelta(minutes=5):
            raise ValidationError(_("This time cannot be in the future."), code="future")
        return value

    def clean_contact_phone(self) -> str:
        return normalize_personal_phone(self.cleaned_data.get("contact_phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("preferred_contact")
        needs_phone = channel in (ContactChannel.PHONE, ContactChannel.SMS)
        if needs_phone and not data.get("contact_phone") and "contact_phone" not in self.errors:
            self.add_error("contact_phone", _("Enter a phone number so we can call or text you."))
        problem_type = data.get("problem_type")
        if (
            problem_type is not None
            and problem_type.slug in ACCESS_LOSS_TYPES
            and not data.get("access_lost_at")
        ) and "access_lost_at" not in self.errors:
            self.add_error("access_lost_at", _("Tell us when you lost access to the account."))
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the problem not solved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did we do?"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CallbackRequestForm(forms.Form):
    phone = forms.CharField(label=_("Phone number to call"), max_length=32)
    window_start = forms.DateTimeField(
        label=_("Preferred from (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    window_end = forms.DateTimeField(
        label=_("Preferred until (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_phone(self) -> str:
        return normalize_personal_phone(self.cleaned_data["phone"])
