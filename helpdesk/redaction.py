"""Mask sensitive data in what customers type, before it is stored.

Support never needs a bank card number, an ID number, a password or an SMS code, and a helpdesk database
full of them is a prize. We mask:

- bank card numbers: 13-19 digits passing the Luhn check (python-stdnum), in any formatting (spaces,
  dashes, dots, full-width digits); the last four digits stay so an agent can still tell cards apart;
- mainland resident ID numbers (18 characters with a valid checksum and birth date);
- passwords, verification codes and card security codes *in context*: a keyword (密码, 验证码, 安全码,
  CVV/CVC/CVN, "卡背后三位", password, SMS code …) followed by a value.

Invisible characters (zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks, variation
selectors, Hangul fillers) inside a number are ignored when detecting it, and the whole run is masked:
"4111\u200b1111…" is a card number to a person reading it, so it is one to us.

A number labelled as a transaction or order number (交易号, 流水号, 订单号, 单号, 商户单号, transaction id,
order no …) is evidence the platform needs to find the payment, so it is kept even when it happens to pass
the Luhn check (one order number in ten does). Identifier fields (order number, transaction id) are not
passed through here at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum import luhn
from stdnum.cn import ric

BANK_CARD = "bank_card"
ID_NUMBER = "id_number"
SECRET = "secret"

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_DIGIT = r"[0-9０-９]"
_SEP = r"[ \t\-‐－—.·\u3000]"
# Characters that render as nothing: format characters (ZWSP, ZWNJ, ZWJ, LRM/RLM, bidi embeddings and
# isolates, word joiner, invisible operators, BOM, soft hyphen, Mongolian vowel separator), the combining
# grapheme joiner, variation selectors and the Hangul fillers.
_INVISIBLE_CHARS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
)
_INV = rf"[{_INVISIBLE_CHARS}]"
_INVISIBLE = re.compile(rf"{_INV}+")
# A run of digits with single separators (and any invisible characters) between them, not touching other
# digits.
_DIGIT_RUN = re.compile(rf"(?<![0-9０-９]){_DIGIT}(?:{_INV}*{_SEP}?{_INV}*{_DIGIT})+(?:{_INV}*[XxＸｘ])?")
_GROUP_SPLIT = re.compile(_SEP)

_SECRET_KEYWORDS = (
    r"密码|口令|验证码|校验码|动态码|短信码|交易码|支付码|安全码|"
    # "卡背后三位是789", "卡片背面的三位数字：789": the card security code, described.
    r"(?:卡片?)?背(?:面|后)的?(?:后|末)?(?:三|3|３|四|4|４)位(?:数字|数|码)?|"
    r"password|passcode|passwd|verification\s+code|sms\s+code|security\s+code|"
    # Short ones only as words of their own ("spin 100 times" is no PIN, "acid" no CID).
    r"(?<![a-z])(?:pwd|pin|otp|cvv2|cvc2|cvn2|cvv|cvc|cvn|cid)"
)
SECRET_KEYWORDS = _SECRET_KEYWORDS  # the checker's overall verdict spots messages that ask for these
_SECRET = re.compile(
    rf"(?i)(?P<key>{_SECRET_KEYWORDS})(?P<sep>\s*(?:是|为|:|：|=|is|was|＝)\s*|\s+)?"
    rf"(?P<value>(?:[!-~０-９]|{_INV}){{3,64}})"
)
# A label right before a number that makes it a transaction or order number (evidence, never masked).
_ORDER_LABEL = re.compile(
    r"(?i)(?:(?:交易|流水|订单|凭证|业务)(?:编)?号|单号|"
    r"(?<![a-z])(?:transaction|txn|trade|order|serial|reference|ref)[\s.]*(?:id|no|number|num|#|＃)\.?)"
    r"\s*(?:[:：#＃=＝]|是|为|is)?\s*$"
)
_LABEL_LOOKBEHIND = 40  # characters before a number searched for its label


@dataclass
class Redacted:
    text: str
    kinds: set[str] = field(default_factory=set)


def luhn_valid(digits: str) -> bool:
    return bool(luhn.is_valid(digits))


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
    visible = _INVISIBLE.sub("", run)
    masked = _mask_visible(visible, kinds)
    # Nothing sensitive: the text stays exactly as typed (invisible characters included).
    return run if masked == visible else masked


def _mask_visible(run: str, kinds: set[str]) -> str:
    normal = run.translate(_FULLWIDTH)
    compact = "".join(ch for ch in normal if ch.isalnum())
    if compact[-1:] in "Xx" and _is_id_number(compact):
        kinds.add(ID_NUMBER)
        return "******" + "*" * 8 + compact[-4:]
    if not compact.isdigit():
        # A trailing X that is not part of an ID: treat the digits alone.
        return _mask_visible(run[:-1], kinds) + run[-1]
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
                after = _mask_visible(" ".join(groups[end:]), kinds) if end < len(groups) else ""
                return " ".join(part for part in (before, _mask_card(digits), after) if part)
    return run


def labels_an_order_number(text_before: str) -> bool:
    """Whether the text right before a number labels it a transaction or order number ("订单号：")."""
    return bool(_ORDER_LABEL.search(_INVISIBLE.sub("", text_before[-_LABEL_LOOKBEHIND:])))


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
        value = _INVISIBLE.sub("", value).translate(_FULLWIDTH)
        digits = "".join(ch for ch in value if ch.isdigit())
        # A card number right after "password" is still a card number: say so to the customer.
        kinds.add(BANK_CARD if len(digits) == len(value) and _is_card(digits) else SECRET)
        return f"{match.group('key')}{sep}******"

    def number(match: re.Match[str]) -> str:
        start = match.start()
        if labels_an_order_number(match.string[max(0, start - _LABEL_LOOKBEHIND) : start]):
            return match.group(0)  # a transaction or order number: evidence, kept as typed
        return _mask_run(match.group(0), kinds)

    masked = _SECRET.sub(secret, text)
    masked = _DIGIT_RUN.sub(number, masked)
    return Redacted(masked, kinds)


def redact_fields(values: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    kinds: set[str] = set()
    out: dict[str, str] = {}
    for name, value in values.items():
        result = redact(value)
        out[name] = result.text
        kinds |= result.kinds
    return out, kinds
