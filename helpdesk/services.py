"""Writes on people and accounts. Every change is audited in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk.audit import audit_record, snapshot
from helpdesk.identifiers import canonical_email
from helpdesk.models import Role, User

_USER_FIELDS = ["email", "display_name", "phone", "role", "staff_number", "is_active"]


@transaction.atomic
def customer_register(*, email: str, password: str, display_name: str = "", phone: str = "") -> User:
    user = User.objects.create_user(
        email=email, password=password, display_name=display_name, phone=phone, role=Role.CUSTOMER
    )
    audit_record(actor=user, action="user.register", obj=user, after=snapshot(user, _USER_FIELDS))
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
