"""Mask sensitive data in what customers type, before it is stored.

Support never needs a bank card number, an ID number, a password or an SMS code, and a helpdesk database
full of them is a prize. We mask:

- bank card numbers: 13-19 digits passing the Luhn check, in any formatting (spaces, dashes, dots,
  full-width digits); the last four digits stay so an agent can still tell cards apart;
- mainland resident ID numbers (18 characters with a valid checksum and birth date);
- passwords and verification codes *in context*: a keyword (密码, 验证码, password, SMS code …) followed by
  a value.

Identifier fields (order number, transaction id) are not passed through here: order numbers are often
long digit strings and one in ten passes the Luhn check by chance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum.cn import ric

BANK_CARD = "bank_card"
ID_NUMBER = "id_number"
SECRET = "secret"

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_DIGIT = r"[0-9０-９]"
_SEP = r"[ \t\-‐－—.·\u3000]"
# A run of digits with single separators between them, not touching other digits or letters.
_DIGIT_RUN = re.compile(rf"(?<![0-9０-９]){_DIGIT}(?:{_SEP}?{_DIGIT})+(?:[XxＸｘ])?")
_GROUP_SPLIT = re.compile(_SEP)

_SECRET_KEYWORDS = (
    r"密码|口令|验证码|校验码|动态码|短信码|交易码|支付码|"
    r"password|passcode|passwd|pwd|pin|otp|verification\s+code|sms\s+code|security\s+code|cvv"
)
_SECRET = re.compile(
    rf"(?i)(?P<key>{_SECRET_KEYWORDS})(?P<sep>\s*(?:是|为|:|：|=|is|was|＝)\s*|\s+)?"
    r"(?P<value>[!-~]{3,64})"
)


@dataclass
class Redacted:
    text: str
    kinds: set[str] = field(default_factory=set)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _is_id_number(chars: str) -> bool:
    """18 characters, a real birth date and a valid check digit. The birth-place code is not checked:
    codes change over time (and python-stdnum's place lookup raises KeyError for some of them)."""
    number = chars.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        ric.get_birth_date(number)
        return bool(ric.calc_check_digit(number) == number[-1])  # it reads number[:-1] itself
    except Exception:  # any malformed value is simply "not an ID number"
        return False


def _mask_card(digits: str) -> str:
    return "****" + digits[-4:]


def _mask_run(run: str, kinds: set[str]) -> str:
    normal = run.translate(_FULLWIDTH)
    compact = "".join(ch for ch in normal if ch.isalnum())
    if compact[-1:] in "Xx" and _is_id_number(compact):
        kinds.add(ID_NUMBER)
        return "******" + "*" * 8 + compact[-4:]
    if not compact.isdigit():
        # A trailing X that is not part of an ID: treat the digits alone.
        return _mask_run(run[:-1], kinds) + run[-1]
    if _is_id_number(compact):
        kinds.add(ID_NUMBER)
        return "*" * 14 + compact[-4:]
    if _is_card(compact):
        kinds.add(BANK_CARD)
        return _mask_card(compact)
    # A longer run with separators may hold a card next to other numbers ("100 6222 0212 …"):
    # try every stretch of whole groups.
    groups = [g for g in _GROUP_SPLIT.split(normal) if g]
    if len(groups) < 2:
        return run
    # Windows hold at most 19 digits, so this stays linear in the length of the run.
    for start in range(len(groups)):
        digits = ""
        for end in range(start + 1, len(groups) + 1):
            digits += groups[end - 1]
            if len(digits) > 19:
                break
            if (end - start) < len(groups) and _is_card(digits):
                kinds.add(BANK_CARD)
                before = " ".join(groups[:start])
                after = _mask_run(" ".join(groups[end:]), kinds) if end < len(groups) else ""
                return " ".join(part for part in (before, _mask_card(digits), after) if part)
    return run


def redact(text: str) -> Redacted:
    """``text`` with sensitive values masked, and which kinds were found."""
    kinds: set[str] = set()
    if not text:
        return Redacted(text or "", kinds)

    def secret(match: re.Match[str]) -> str:
        value, sep = match.group("value"), match.group("sep") or ""
        explicit = sep.strip() != ""
        if not explicit and not any(ch.isdigit() for ch in value):
            return match.group(0)  # "password reset", "PIN code": a word, not a value
        digits = "".join(ch for ch in value if ch.isdigit())
        # A card number right after "password" is still a card number: say so to the customer.
        kinds.add(BANK_CARD if len(digits) == len(value) and _is_card(digits) else SECRET)
        return f"{match.group('key')}{sep}******"

    masked = _SECRET.sub(secret, text)
    masked = _DIGIT_RUN.sub(lambda m: _mask_run(m.group(0), kinds), masked)
    return Redacted(masked, kinds)


def redact_fields(values: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    kinds: set[str] = set()
    out: dict[str, str] = {}
    for name, value in values.items():
        result = redact(value)
        out[name] = result.text
        kinds |= result.kinds
    return out, kinds
