"""A claim's reference and subject line: ``XY-20261122-7K3Q9M`` and ``order no.-problem type-urgency``."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from contacts.models import Platform, ProblemType, Severity
from tickets import reference_data

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _prefix_of(platform: Platform) -> str:
    initials = "".join(lazy_pinyin(platform.name, style=Style.FIRST_LETTER, errors="ignore"))
    letters = re.sub(r"[^A-Za-z]", "", initials) or re.sub(r"[^A-Za-z]", "", platform.slug) or "CD"
    return (letters[:2] if len(letters) >= 2 else (letters + "X")[:2]).upper()


def platform_prefix(platform: Platform) -> str:
    """Two letters for the platform: pinyin initials of its Chinese name (星云卡盟 → XY), else its slug."""
    return reference_data.cached(f"prefix:{platform.pk}:{platform.name}", lambda: _prefix_of(platform))


def new_reference(platform: Platform, *, now: datetime | None = None) -> str:
    """``XY-20261122-7K3Q9M``: 30 random bits per day and platform, so references cannot be enumerated."""
    day = timezone.localtime(now or timezone.now()).strftime("%Y%m%d")
    tail = "".join(secrets.choice(_CROCKFORD) for _ in range(6))
    return f"{platform_prefix(platform)}-{day}-{tail}"


def is_urgent(problem_type: ProblemType, amount: Decimal) -> bool:
    return problem_type.severity >= Severity.HIGH or amount >= settings.CLAIM_HIGH_VALUE_AMOUNT


def claim_subject(order_number: str, problem_type: ProblemType, amount: Decimal) -> str:
    """The domain's subject format ``order no.-problem type-urgency``, in Chinese like the agents' tools."""
    urgency = "紧急" if is_urgent(problem_type, amount) else "一般"
    return f"{order_number}-{problem_type.name_zh}-{urgency}"[:200]
