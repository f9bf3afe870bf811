from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from helpdesk import account_mail
from helpdesk.identifiers import canonical_email
from helpdesk.models import User
from helpdesk.phones import normalize_personal_phone


class CanonicalEmailField(forms.EmailField):
    """An e-mail address folded to its canonical spelling (NFKC, case-folded) before it is validated."""

    def to_python(self, value: Any) -> str:
        return canonical_email(super().to_python(value) or "")


class EmailAuthenticationForm(AuthenticationForm):
    # Customers may also use their phone number (helpdesk.backends.EmailOrPhoneBackend).
    username = forms.CharField(
        label=_("Email or phone"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("The email address, phone number or password is not correct."),
        "inactive": _("This account is inactive."),
    }


class RegistrationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "phone")
        field_classes = {"email": CanonicalEmailField}
        labels = {"email": _("Email"), "display_name": _("Name (optional)"), "phone": _("Phone (optional)")}
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_email(self) -> str:
        # Whether the address is taken is never said here (helpdesk.services.customer_register).
        return canonical_email(self.cleaned_data["email"])

    def validate_unique(self) -> None:
        """No uniqueness errors: they would tell anyone which addresses have an account."""

    def _get_validation_exclusions(self) -> set[str]:
        # The model's constraints (case-insensitive unique e-mail) would say the same; the service decides.
        return {*super()._get_validation_exclusions(), "email"}  # type: ignore[misc]

    def clean_phone(self) -> str:
        return normalize_personal_phone(self.cleaned_data.get("phone", ""))


class ProjectPasswordResetForm(PasswordResetForm):
    """Django's reset with the project's lookup (every spelling of an address) and its own e-mail."""

    email = CanonicalEmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email: str) -> Iterator[Any]:
        for user in User.objects.filter(email__iexact=canonical_email(email), is_active=True):
            if user.has_usable_password():
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        account_mail.password_reset_queue(user=context["user"])


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        phone = normalize_personal_phone(self.cleaned_data["phone"])
        if not phone:
            raise forms.ValidationError(_("Enter a valid phone number, e.g. 138 0013 8000."))
        return phone


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from the SMS"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the 6 digits from the SMS."))
        return code


class OTPTokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the 6 digits shown in your authenticator app."))
        return token


class NotificationPreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Email me"), required=False)
    sms = forms.BooleanField(
        label=_("Text me (SMS)"),
        required=False,
        help_text=_("Only for urgent updates such as call-backs; uses the phone number on your account."),
    )
