"""Writes on people and accounts. Every change is audited in the same transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk import account_mail, sms
from helpdesk.audit import audit_record, snapshot
from helpdesk.identifiers import canonical_email
from helpdesk.models import AuditEntry, Role, User
from helpdesk.signals import phone_verified

_USER_FIELDS = ["email", "display_name", "phone", "role", "staff_number", "is_active"]


def customer_register(
    *, email: str, password: str, display_name: str = "", phone: str = "", next_url: str = ""
) -> None:
    """Register an address: the caller answers "check your e-mail" whatever happens here.

    A new address gets an inactive account and a confirmation link (``account_activation_confirm``) back
    to ``next_url``; an address with an active account gets its owner a notice (with a sign-in link back to
    ``next_url``) instead. An address registered but never confirmed takes the new details and a new link
    (the old one stops working): nobody proved it yet. Both branches hash a password and write one outbox
    row, so neither the answer nor its time tells whether the address has an account. The phone number is
    stored unverified: it signs in and receives messages only after ``phone_code_confirm``.
    """
    email = canonical_email(email)
    hashed = make_password(password)  # the same work whichever branch follows
    try:
        with transaction.atomic():
            owner = User.objects.select_for_update().filter(email__iexact=email).first()
            if owner is None or _awaiting_confirmation(owner):
                user = owner or User(email=email, role=Role.CUSTOMER)
                before = None if owner is None else snapshot(owner, _USER_FIELDS)
                user.password, user.display_name, user.phone = hashed, display_name, phone
                user.is_active = False
                user.save()
                audit_record(
                    actor=None,
                    action="user.register" if owner is None else "user.register_again",
                    obj=user,
                    before=before,
                    after=snapshot(user, _USER_FIELDS),
                )
                account_mail.activation_queue(user=user, next_url=next_url)
                return
    except IntegrityError:  # registered by a concurrent request between the check and the insert
        owner = User.objects.filter(email__iexact=email).first()
    if owner is not None:
        with transaction.atomic():
            audit_record(actor=None, action="user.register_existing", obj=owner)
            account_mail.account_exists_queue(user=owner, next_url=next_url)


def _awaiting_confirmation(user: User) -> bool:
    """Registered, never confirmed (not an account someone switched off): its last word is a registration."""
    if user.is_active or user.last_login is not None:
        return False
    last = (
        AuditEntry.objects.filter(object_type=user._meta.label_lower, object_id=str(user.pk))
        .exclude(action="user.register_existing")
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return last in ("user.register", "user.register_again")


def account_activation_confirm(*, token: str) -> User | None:
    """Activate the account a confirmation link names; None when the link is forged, expired or used."""
    with transaction.atomic():
        user = account_mail.activation_user(token)
        if user is None:
            return None
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            return None
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(
            actor=user,
            action="user.activated",
            obj=user,
            before={"is_active": False},
            after={"is_active": True},
        )
    return user


@transaction.atomic
def user_upsert(
    *,
    email: str,
    password: str,
    role: Role,
    display_name: str = "",
    staff_number: str = "",
    phone: str = "",
    actor: User | None = None,
) -> tuple[User, bool]:
    """Create a user or bring an existing one to these values (used by seed_demo and admin tooling)."""
    email = canonical_email(email)
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    before = None if user is None else snapshot(user, _USER_FIELDS)
    if user is None:
        user = User(email=email)
    user.role = role
    user.display_name = display_name
    user.staff_number = staff_number
    if created or user.phone != phone:
        # Admin tooling and seed data are trusted to know the number; people prove theirs by SMS code.
        user.phone_verified_at = timezone.now() if phone else None
    user.phone = phone
    user.is_active = True
    if created or not user.check_password(password):
        user.set_password(password)
    user.save()
    after = snapshot(user, _USER_FIELDS)
    if before != after:
        audit_record(
            actor=actor,
            action="user.create" if created else "user.update",
            obj=user,
            before=before,
            after=after,
        )
    return user, created


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    audit_record(actor=user, action="user.2fa_enrolled", obj=user)


def audit_second_factor(*, user: User, action: str) -> None:
    audit_record(actor=user, action=action, obj=user)


# --- Phone numbers, verified by an SMS code ------------------------------------------------------------
class PhoneCodeError(Exception):
    """The code cannot verify the number; the message is for the person."""


def _phone_code_key(user: User) -> str:
    return f"phone-code:{user.pk}"


def _code_digest(user: User, phone: str, code: str) -> str:
    return hashlib.sha256(f"{user.pk}\0{phone}\0{code}".encode()).hexdigest()


def phone_code_send(*, user: User, phone: str) -> None:
    """Text a 6-digit code to ``phone`` (E.164); ``phone_code_confirm`` with it verifies the number.

    Only a digest of the code is kept (in the cache, for PHONE_CODE_TTL). Sent in the request, outside
    any transaction: the person is waiting for it, and a failure is theirs to retry.
    """
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires = timezone.now() + settings.PHONE_CODE_TTL
    state = {"phone": phone, "digest": _code_digest(user, phone, code), "tries": 0, "expires": expires}
    cache.set(_phone_code_key(user), state, timeout=int(settings.PHONE_CODE_TTL.total_seconds()))
    audit_record(actor=user, action="user.phone_code_sent", obj=user)
    minutes = int(settings.PHONE_CODE_TTL.total_seconds() // 60)
    supported = {code for code, _name in settings.LANGUAGES}
    with translation.override(user.language if user.language in supported else translation.get_language()):
        text = _(
            "[ClaimDesk] Your verification code is %(code)s, valid for %(minutes)d minutes. "
            "Never tell it to anyone, including support."
        ) % {"code": code, "minutes": minutes}
    sms.send_sms(phone, text)


def phone_code_pending(*, user: User) -> str:
    """The number a code was sent to and not yet confirmed, or ""."""
    state = cache.get(_phone_code_key(user))
    return str(state["phone"]) if state else ""


def phone_code_confirm(*, user: User, code: str) -> User:
    """Verify the pending number with ``code``; it becomes this account's verified phone.

    A number is verified on one account at most: whoever proves it now takes it over (numbers are
    recycled), and the previous account keeps its number unverified.
    """
    key = _phone_code_key(user)
    state = cache.get(key)
    now = timezone.now()
    expires: datetime | None = state.get("expires") if state else None
    if not state or expires is None or expires <= now:
        raise PhoneCodeError(_("The code has expired. Ask for a new one."))
    phone = str(state["phone"])
    if not secrets.compare_digest(state["digest"], _code_digest(user, phone, code.strip())):
        state["tries"] += 1
        if state["tries"] >= settings.PHONE_CODE_MAX_TRIES:
            cache.delete(key)
            raise PhoneCodeError(_("Too many wrong codes. Ask for a new one."))
        cache.set(key, state, timeout=max(1, int((expires - now).total_seconds())))
        raise PhoneCodeError(_("That code is not correct."))
    cache.delete(key)
    with transaction.atomic():
        for previous in (
            User.objects.select_for_update()
            .filter(phone=phone, phone_verified_at__isnull=False)
            .exclude(pk=user.pk)
        ):
            previous.phone_verified_at = None
            previous.save(update_fields=["phone_verified_at"])
            audit_record(
                actor=user, action="user.phone_unverified", obj=previous, reason="verified elsewhere"
            )
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(locked, [*_USER_FIELDS, "phone_verified_at"])
        locked.phone, locked.phone_verified_at = phone, now
        locked.save(update_fields=["phone", "phone_verified_at"])
        audit_record(
            actor=user,
            action="user.phone_verified",
            obj=locked,
            before=before,
            after=snapshot(locked, [*_USER_FIELDS, "phone_verified_at"]),
        )
        phone_verified.send(sender=User, user=locked)
    return locked


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language a person chose on the site, so their notifications (rendered later, by the
    outbox relay, in ``user.language``) speak it too. Returns whether it changed."""
    supported = {code for code, _name in settings.LANGUAGES}
    if language not in supported or user.language == language:
        return False
    with transaction.atomic():
        before = user.language
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        audit_record(
            actor=user,
            action="user.language_set",
            obj=user,
            before={"language": before},
            after={"language": language},
        )
    return True
