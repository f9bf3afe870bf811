from __future__ import annotations

import base64
from io import BytesIO
from typing import cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk import account_mail, api_tokens, health, notifications, ratelimit, services
from helpdesk.auth import confirmed_totp_device, is_verified, needs_second_factor, verify_totp
from helpdesk.errors import error_response
from helpdesk.forms import (
    NotificationPreferenceForm,
    OTPTokenForm,
    PhoneCodeForm,
    PhoneForm,
    ProjectPasswordResetForm,
    RegistrationForm,
)
from helpdesk.identifiers import canonical_email
from helpdesk.middleware import client_ip
from helpdesk.models import NotificationPreference, User
from helpdesk.params import BadParameter


@csrf_exempt
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in person also their stored language (notifications).

    Anonymous switches need no CSRF token (a forged one changes only a language cookie), so public pages
    carry none and stay cacheable; a signed-in person's switch also writes their account: checked."""
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, _unexempt, (), {})
        if refused is not None:
            return refused
    response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(user=cast(User, request.user), language=request.POST.get("language", ""))
    return response


def _unexempt(request: HttpRequest) -> HttpResponse:  # the view CsrfViewMiddleware is asked about
    raise NotImplementedError


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    failures = health.failing_parts()
    body: dict[str, object] = {"status": "unavailable" if failures else "ok", "failing": failures}
    if not failures:
        body["heartbeats"] = {name: at.isoformat() for name, at in health.heartbeats().items()}
    return JsonResponse(body, status=503 if failures else 200)


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return register_customer(request, form, next_url=_safe_next(request) or "")
    return render(request, "registration/register.html", {"form": form})


def register_customer(
    request: HttpRequest,
    form: RegistrationForm,
    *,
    next_url: str,
    template_name: str = "registration/register.html",
    context: dict[str, object] | None = None,
) -> HttpResponse:
    """The throttle's refusal (the form again, as typed), or else "check your e-mail", the same page
    whether the address is new (a confirmation link, back to ``next_url``) or has an account (its owner
    a notice): all anyone learns about the address."""
    email = form.cleaned_data["email"]
    if too_many_account_requests(request, "register", email):
        form.add_error(None, _("Too many attempts. Please wait a while and try again."))
        return render(request, template_name, {**(context or {}), "form": form}, status=429)
    services.customer_register(
        email=email,
        password=form.cleaned_data["password1"],
        display_name=form.cleaned_data.get("display_name", ""),
        phone=form.cleaned_data.get("phone", ""),
        next_url=next_url,
    )
    return render(request, "registration/register_check_email.html", {"email": email})


@never_cache
def account_activate(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail. GET only shows a button (mail scanners open links); the POST
    activates the account, signs the person in and takes them back to where they registered."""
    next_url = _safe_next(request) or ""
    if request.method == "POST":
        user = services.account_activation_confirm(token=token)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to ClaimDesk. Your account is ready."))
            if user.phone:
                messages.info(request, _("Verify your phone number to sign in with it and receive SMS."))
            return redirect(next_url or "landing")
        valid = False
    else:
        valid = account_mail.activation_user(token) is not None
    context = {"valid": valid, "next": next_url}
    return render(request, "registration/account_activate.html", context, status=200 if valid else 400)


def too_many_account_requests(request: HttpRequest, action: str, target: str) -> bool:
    """ACCOUNT_RATE_PER_ADDRESS per client address and ACCOUNT_RATE_PER_TARGET per e-mail or phone."""
    by_address = ratelimit.too_many(
        f"{action}:ip", client_ip(request) or "", settings.ACCOUNT_RATE_PER_ADDRESS
    )
    by_target = ratelimit.too_many(f"{action}:target", target, settings.ACCOUNT_RATE_PER_TARGET)
    return by_address or by_target


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


@login_required
@never_cache
def landing(request: HttpRequest) -> HttpResponse:
    """Where sign-in leads without a ``next``: staff to their work (agents and supervisors to the claim
    queue, directory admins to the directory), customers to their claims."""
    user = cast(User, request.user)
    if user.is_agent:
        return redirect("agent:queue")
    if user.is_directory_admin:
        return redirect("directory-home")
    return redirect("tickets:list")


@login_required
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not needs_second_factor(user) or is_verified(user):
        return redirect(_safe_next(request) or "landing")
    if confirmed_totp_device(user) is None:
        return redirect("otp_setup")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_totp(user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            services.audit_second_factor(user=user, action="user.2fa_verified")
            return redirect(_safe_next(request) or "landing")
        form.add_error("otp_token", _("That code is not valid. Check your device's clock and try again."))
    return render(request, "registration/otp_verify.html", {"form": form})


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_staff_role or confirmed_totp_device(user) is not None:
        return redirect("otp_verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            services.totp_device_confirm(user=user, device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_safe_next(request) or "landing")
        form.add_error("otp_token", _("That code is not valid. Check your device's clock and try again."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr_data_uri,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


# --- Passwords: the project's reset e-mail, throttled; a new password revokes every API token ---------
class PasswordResetView(auth_views.PasswordResetView):
    form_class = ProjectPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        by_address = ratelimit.too_many(
            "reset:ip", client_ip(self.request) or "", settings.ACCOUNT_RATE_PER_ADDRESS
        )
        if by_address:
            form.add_error(None, _("Too many attempts. Please wait a while and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Over the per-target budget nothing is sent, and the answer is the same as always.
        if not ratelimit.too_many("reset:target", canonical_email(email), settings.ACCOUNT_RATE_PER_TARGET):
            form.save(request=self.request, use_https=self.request.is_secure())
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        api_tokens.api_tokens_revoke_all(user=form.user, actor=form.user, reason="password reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        api_tokens.api_tokens_revoke_all(user=form.user, actor=form.user, reason="password changed")
        return response


# --- API tokens and phone number in account settings ----------------------------------------------
@login_required
@never_cache
def api_token_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if request.method == "POST":
        token_id = request.POST.get("token", "")
        if token_id.isdigit() and api_tokens.api_token_revoke(actor=user, token_id=int(token_id)):
            messages.success(request, _("The token is revoked."))
        return redirect("api_tokens")
    tokens = list(api_tokens.tokens_for(user=user))
    return render(request, "registration/api_tokens.html", {"tokens": tokens})


@login_required
@never_cache
def phone_verify(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    phone_form = PhoneForm(initial={"phone": user.phone})
    code_form = PhoneCodeForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            phone = phone_form.cleaned_data["phone"]
            if too_many_account_requests(request, "phone", phone) or ratelimit.too_many(
                "phone:user", str(user.pk), settings.ACCOUNT_RATE_PER_TARGET
            ):
                phone_form.add_error(None, _("Too many codes requested. Please wait a while and try again."))
                status = 429
            else:
                services.phone_code_send(user=user, phone=phone)
                messages.info(request, _("We sent a 6-digit code by SMS."))
                target = reverse("phone_verify")
                next_url = _safe_next(request)
                return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    elif request.method == "POST":
        code_form = PhoneCodeForm(request.POST)
        if code_form.is_valid():
            try:
                services.phone_code_confirm(user=user, code=code_form.cleaned_data["code"])
            except services.PhoneCodeError as exc:
                code_form.add_error("code", str(exc))
            else:
                messages.success(request, _("Your phone number is verified."))
                return redirect(_safe_next(request) or "phone_verify")
    context = {
        "phone_form": phone_form,
        "code_form": code_form,
        "pending": services.phone_code_pending(user=user),
        "next": _safe_next(request) or "",
    }
    return render(request, "registration/phone_verify.html", context, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/403_csrf.html", status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, BadParameter):  # e.g. ?edit=abc: say what was expected
        return error_response(
            request, 400, _("Bad request"), exception.message, fields={exception.name: [exception.message]}
        )
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Not allowed"), _("You do not have access to this page."))


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Page not found"), _("There is nothing here. Check the address."))


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Something went wrong"), _("We have been told. Please try again shortly."))


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return error_response(request, status, title, message)


# --- The bell ---------------------------------------------------------------------------------------
@login_required
@never_cache
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications.notifications_mark_read(user=cast(User, request.user))
        return redirect("notifications")
    items = list(notifications.notifications_for(user=cast(User, request.user)))
    return render(request, "notifications/list.html", {"items": items})


@never_cache
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell's count, polled by htmx; capped so the query stays cheap. Signed out (an expired
    session): an empty badge, not a redirect whose login page htmx would paste into the header."""
    user = request.user
    count = notifications.unread_count(user=cast(User, user)) if user.is_authenticated else 0
    return render(request, "notifications/_badge.html", {"unread": count})


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    preference = NotificationPreference.objects.filter(user=user).first()
    form = NotificationPreferenceForm(
        request.POST or None,
        initial={
            "email": preference.email if preference else True,
            "sms": preference.sms if preference else False,
        },
    )
    if request.method == "POST" and form.is_valid():
        notifications.notification_preference_set(
            user=user, email=form.cleaned_data["email"], sms_enabled=form.cleaned_data["sms"]
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "has_phone": user.has_verified_phone, "preference": preference},
    )
