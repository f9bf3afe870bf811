"""Forms of the customer's claim pages. They parse and validate; the services decide and write."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.phones import normalize_personal_phone
from tickets.claims import selectors
from tickets.models import ContactChannel, DesiredOutcome, PaymentChannel

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/]{2,63}$")
CURRENCIES = [("CNY", _("CNY (yuan)")), ("HKD", _("HKD")), ("USD", _("USD"))]
MAX_AMOUNT = Decimal("9999999999.99")

# Problem types whose claims need to know when the customer lost access to their account.
ACCESS_LOSS_TYPES = frozenset({"account-stolen", "account-frozen"})
# What a purchase claim needs and a lost account does not (no order, amount or payment time to give).
ORDER_FIELDS = ("order_number", "product", "amount", "payment_channel", "paid_at")
# The outcomes that only make sense for a lost account.
ACCOUNT_OUTCOMES = frozenset({DesiredOutcome.RECOVER_ACCOUNT})
# The form's steps (fieldsets), in order: (anchor, title, fields). The template shows them as a progress
# list and the error summary links each error to its field.
CLAIM_STEPS = (
    ("step-problem", _("Platform and problem"), ("platform", "problem_type")),
    ("step-order", _("The order"), (*ORDER_FIELDS, "currency", "transaction_id")),
    ("step-details", _("Details and what you want"), ("access_lost_at", "description", "desired_outcome")),
    ("step-evidence", _("Evidence"), ("evidence",)),
    ("step-contact", _("How to reach you"), ("contact_phone", "preferred_contact")),
)
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


class CachedChoiceField(forms.ModelChoiceField):
    """A choice sent by primary key and resolved through the per-process reference-data cache (no query
    per claim filed); the queryset still lists the options."""

    def __init__(self, *args: Any, lookup: Callable[[int], Model | None], **kwargs: Any) -> None:
        self.lookup = lookup
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            found = self.lookup(int(str(value)))
        except ValueError:
            found = None
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found


class ClaimForm(forms.Form):
    platform = CachedChoiceField(
        label=_("Platform"),
        queryset=selectors.filing_platforms().none(),
        empty_label=_("Choose the platform"),
        lookup=selectors.cached_platform_by_id,
    )
    problem_type = CachedChoiceField(
        label=_("What went wrong"),
        queryset=selectors.filing_problem_types().none(),
        empty_label=_("Choose a problem type"),
        widget=ProblemTypeSelect,
        lookup=selectors.cached_problem_type_by_id,
    )
    order_number = forms.CharField(
        label=_("Order number"),
        required=False,
        max_length=64,
        help_text=_("As shown on the platform's order page."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    product = forms.CharField(
        label=_("Product"), max_length=120, required=False, help_text=_("E.g. 100-yuan game card.")
    )
    amount = forms.DecimalField(
        label=_("Amount paid"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter the amount as a number, e.g. 100 or 99.50.")},
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="CNY")
    payment_channel = forms.ChoiceField(
        label=_("Paid with"), choices=[("", "---------"), *PaymentChannel.choices], required=False
    )
    paid_at = forms.DateTimeField(
        label=_("Payment time"),
        required=False,
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
        self.fields["platform"].queryset = selectors.filing_platforms().order_by("name")  # type: ignore[attr-defined]
        self.fields["problem_type"].queryset = selectors.filing_problem_types()  # type: ignore[attr-defined]

    def clean_order_number(self) -> str:
        return clean_identifier(self.cleaned_data.get("order_number", ""), required=False)

    def clean_transaction_id(self) -> str:
        return clean_identifier(self.cleaned_data.get("transaction_id", ""), required=False)

    def clean_paid_at(self) -> Any:
        paid_at = self.cleaned_data.get("paid_at")
        if paid_at is None:
            return None
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
        lost_account = problem_type is not None and problem_type.slug in ACCESS_LOSS_TYPES
        if lost_account and not data.get("access_lost_at") and "access_lost_at" not in self.errors:
            self.add_error("access_lost_at", _("Tell us when you lost access to the account."))
        if lost_account:
            # A lost account has no order to name: what is left empty gets a neutral value.
            data["order_number"] = data.get("order_number") or ""
            data["product"] = data.get("product") or ""
            data["amount"] = data.get("amount") or Decimal("0.00")
            data["payment_channel"] = data.get("payment_channel") or PaymentChannel.OTHER
            data["paid_at"] = data.get("paid_at") or data.get("access_lost_at") or timezone.now()
        else:
            for name in ORDER_FIELDS:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        outcome = data.get("desired_outcome")
        if outcome in ACCOUNT_OUTCOMES and not lost_account and "desired_outcome" not in self.errors:
            self.add_error(
                "desired_outcome", _("“Recover my account” is for a stolen or frozen account only.")
            )
        return data

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) for each error, in the order of the form's steps."""
        rows: list[tuple[str, str, str]] = [("", "", str(e)) for e in self.non_field_errors()]
        for _anchor, _title, names in CLAIM_STEPS:
            for name in names:
                if name in self.errors and name in self.fields:
                    anchor = self[name].id_for_label or self[name].auto_id or name
                    if name == "desired_outcome":
                        anchor = f"{self[name].auto_id}_0"
                    rows += [(str(anchor), str(self.fields[name].label), str(e)) for e in self.errors[name]]
        return rows

    def steps(self) -> list[dict[str, Any]]:
        return [
            {"anchor": anchor, "title": title, "number": i, "invalid": any(n in self.errors for n in names)}
            for i, (anchor, title, names) in enumerate(CLAIM_STEPS, 1)
        ]


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
