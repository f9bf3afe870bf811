from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from helpdesk.identifiers import canonical_email
from helpdesk.models import User
from helpdesk.phones import normalize_personal_phone


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
        labels = {"email": _("Email"), "display_name": _("Name (optional)"), "phone": _("Phone (optional)")}
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_email(self) -> str:
        email = canonical_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean_phone(self) -> str:
        return normalize_personal_phone(self.cleaned_data.get("phone", ""))


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
