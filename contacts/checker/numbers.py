"""Phone numbers as the checker sees them: the canonical form, and the variants near-miss detection looks up.

Looking up variants of the *input* (at most ~110 strings: every one-digit change and adjacent swap, plus
the number behind a foreign or doubled prefix) in the indexed ``canonical_value`` column finds a look-alike
in one query, however many channels the directory holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from contacts.canonical import canonical_phone

_SEPARATORS = re.compile(r"[\s\-–—.()]+")


@dataclass(frozen=True)
class PhoneCheck:
    compact: str  # digits, with a leading "+" when the number was written in international form
    canonical: str  # "" when the text is no valid number
    category: str  # "number" | "short_code" | "sms_sender" | "invalid"
    national: str  # the national significant digits the variants are made from
    # canonical value → what differs, for the variants worth looking up
    near: dict[str, str] = field(default_factory=dict)
    # canonical value → the prefix written before it, for numbers behind a foreign or doubled prefix
    behind_prefix: dict[str, str] = field(default_factory=dict)


def _compact(text: str) -> str:
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact


def phone_score(text: str) -> int:
    """Worth checking as a phone number? 2: a valid one (or one behind a doubled prefix); 1: an
    international-looking or near-valid one with a service prefix; 0: not a number (order numbers,
    dates, amounts and verification codes are not)."""
    compact = _compact(text)
    digits = compact.replace("+", "")
    if not digits.isdigit() or ("+" in compact[1:] and not compact.startswith("+")):
        return 0
    if "+" in compact[1:]:
        return 2 if len(digits) >= 9 else 0  # "+86 +86 400…": a doubled prefix
    if compact.startswith("+"):
        if not 7 <= len(digits) <= 17:
            return 0
        return 2 if _valid(compact) else 1
    if len(digits) < 5 or len(digits) > 20 or digits[0] not in "014689":
        return 0
    if len(digits) < 7 and not digits.startswith(("95", "96", "1")):
        return 0
    if _valid(compact):
        return 2
    return 1 if len(digits) >= 7 and digits.startswith(("400", "800", "95", "96", "106", "1", "0")) else 0


def _valid(compact: str) -> bool:
    try:
        canonical_phone(compact)
    except ValidationError:
        return False
    return True


def _variants(national: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, digit in enumerate(national):
        for other in "0123456789":
            if other != digit:
                out[national[:i] + other + national[i + 1 :]] = "digit"
        if i + 1 < len(national) and national[i + 1] != digit:
            out[national[:i] + national[i + 1] + digit + national[i + 2 :]] = "swap"
    return out


def check_phone(text: str) -> PhoneCheck:
    compact = _compact(text)
    digits = compact.replace("+", "")
    doubled = "+" in compact[1:] or (compact.startswith("+86") and re.match(r"^(?:86|0086|0)", digits[2:]))
    try:
        # phonenumbers reads "+86 0086 400…" as the plain number: a doubled prefix is never canonical.
        phone = canonical_phone(compact) if not doubled else None
    except ValidationError:
        phone = None
    canonical, category = (phone.canonical, phone.category) if phone else ("", "invalid")
    prefixes: tuple[str, ...]
    if canonical.startswith("+86"):
        national, prefixes = canonical[3:], ("+86",)
    elif canonical.startswith("CN:"):
        national, prefixes = canonical[3:], ("CN:",)
    else:
        national = compact.lstrip("+")
        if compact.startswith("+86"):
            national = national[2:]
        prefixes = ("+86", "CN:")
    near: dict[str, str] = {}
    if (not compact.startswith("+") or compact.startswith("+86")) and 5 <= len(national) <= 13:
        for variant, how in _variants(national).items():
            for prefix in prefixes:
                near[prefix + variant] = how
    behind: dict[str, str] = {}
    international = compact.startswith("+")
    if (international and not compact.startswith("+86")) or doubled:
        for cut in range(0 if not doubled else 1, min(9, len(digits) - 4)):
            suffix = digits[cut:]
            if suffix.startswith(("86", "0")) and doubled:
                continue
            prefix_text = ("00" if text.lstrip().startswith("00") else "+") + digits[:cut]
            behind["+86" + suffix] = prefix_text
            behind["CN:" + suffix] = prefix_text
    return PhoneCheck(compact, canonical, category, national, near, behind)
