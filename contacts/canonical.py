"""Canonical forms of contact values, so that one number or address has exactly one spelling.

Pure functions, no database: the directory stores ``canonical_value`` next to the value as published, and
the number checker (next issue) canonicalises what a user pasted and looks it up. Mainland China rules:

- ordinary numbers (400/800, landlines, mobiles) → E.164 via ``phonenumbers``: ``+864006123456``;
  an extension (转, 分机, ext, x, #) is kept as ``;ext=123`` (RFC 3966 style);
- service short codes (95xxx, 96xxx, 1xxxx like 12315) → ``CN:95105888``: ``phonenumbers`` rejects many
  of them as invalid although they are real, and they are not dialable from abroad, so no ``+86`` form;
- SMS sender numbers (106…) → ``CN:106…``: they send, they cannot be called;
- web addresses → ``https://host/path`` with the host in IDNA/UTS-46 punycode; hosts → ``host``;
- email → ``local@punycode-host`` lower case; WeChat / QQ ids → their trimmed, compared form.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import idna
import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from publicsuffixlist import PublicSuffixList

PHONE_KINDS = frozenset(
    {
        "claims_hotline",
        "emergency_line",
        "customer_service_hotline",
        "member_service",
        "callback_line",
        "sms_sender",
    }
)
URL_KINDS = frozenset({"online_chat", "web_ticket_form", "official_app"})

_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|extension|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-–—.()（）/]+")
_SHORT_CODE = re.compile(r"^(?:95\d{3,6}|96\d{3,6}|1[0-2]\d{3})$")
_SMS_SENDER = re.compile(r"^106\d{5,17}$")
_WECHAT_ID = re.compile(r"^[a-zA-Z][-_a-zA-Z0-9]{5,19}$")
_QQ = re.compile(r"^[1-9]\d{4,11}$")


@dataclass(frozen=True)
class PhoneNumber:
    canonical: str  # "+864006123456", "+861012345678;ext=123", "CN:95105888", "CN:10690000123"
    category: str  # "number" | "short_code" | "sms_sender"
    extension: str = ""


def _fold(raw: str) -> str:
    """Full-width digits and letters (０-９, Ｘ) to ASCII, as users paste them from Chinese pages."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def canonical_phone(raw: str) -> PhoneNumber:
    text = _fold(raw)
    if not text:
        raise ValidationError(_("Enter a phone number."), code="empty")
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+86"):
        national = compact[3:]
    elif compact.startswith("0086"):
        national = compact[4:]
    else:
        national = compact
    if national.isdigit() and not extension:
        if _SHORT_CODE.match(national):
            return PhoneNumber(f"CN:{national}", "short_code")
        if _SMS_SENDER.match(national):
            return PhoneNumber(f"CN:{national}", "sms_sender")
    try:
        number = phonenumbers.parse(compact, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number. Examples: 400-612-3456, 95105-888, 010-12345678."),
            code="invalid_phone",
            params={"value": raw},
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Examples: 400-612-3456, 95105-888, 010-12345678."),
            code="invalid_phone",
            params={"value": raw},
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(f"{e164};ext={extension}" if extension else e164, "number", extension)


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # bundled list, no network


def canonical_host(raw: str) -> str:
    """Lower-case punycode host (IDNA 2008 with UTS-46 mapping), without a trailing dot."""
    text = _fold(raw).rstrip(".").lower()
    if not text or any(c in text for c in "/@:? "):
        raise ValidationError(_("Enter a domain name such as example.cn."), code="invalid_domain")
    try:
        host = idna.encode(text, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid_domain", params={"value": raw}
        ) from None
    if "." not in host:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid_domain", params={"value": raw}
        )
    return host


def registrable_domain(host: str) -> str:
    """``kf.xingyunka.cn`` → ``xingyunka.cn``; a bare public suffix has none (returns the host)."""
    return _psl().privatesuffix(host) or host


def host_matches(host: str, domain: str, *, include_subdomains: bool) -> bool:
    return host == domain or (include_subdomains and host.endswith("." + domain))


def canonical_url(raw: str) -> str:
    text = _fold(raw)
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            _("“%(value)s” is not a web address. Example: https://kf.example.cn/chat"),
            code="invalid_url",
            params={"value": raw},
        )
    if parts.username or parts.password:
        raise ValidationError(
            _("Web addresses with a user name or password are not accepted."), code="invalid_url"
        )
    host = canonical_host(parts.hostname)
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("The port in this web address is not valid."), code="invalid_url") from None
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def url_host(canonical: str) -> str:
    return urlsplit(canonical).hostname or ""


def canonical_email(raw: str) -> str:
    text = _fold(raw)
    local, sep, domain = text.rpartition("@")
    if not sep or not local or len(local) > 64 or any(c.isspace() for c in local):
        raise ValidationError(
            _("“%(value)s” is not an email address."), code="invalid_email", params={"value": raw}
        )
    return f"{local.lower()}@{canonical_host(domain)}"


def canonical_wechat(raw: str) -> str:
    text = _fold(raw)
    if not _WECHAT_ID.match(text):
        raise ValidationError(
            _("A WeChat id starts with a letter and has 6 to 20 letters, digits, - or _."),
            code="invalid_wechat",
        )
    return text.lower()


def canonical_qq(raw: str) -> str:
    text = _SEPARATORS.sub("", _fold(raw))
    if not _QQ.match(text):
        raise ValidationError(_("A QQ number has 5 to 12 digits."), code="invalid_qq")
    return text


def canonical_value(kind: str, raw: str) -> str:
    """The canonical form for a channel of this kind; ValidationError with a message for the user."""
    if kind in PHONE_KINDS:
        phone = canonical_phone(raw)
        if kind == "sms_sender" and phone.category == "short_code":
            return phone.canonical
        if kind != "sms_sender" and phone.category == "sms_sender":
            raise ValidationError(
                _("106… numbers only send text messages; enter them as an SMS sender."), code="sms_sender"
            )
        return phone.canonical
    if kind in URL_KINDS:
        return canonical_url(raw)
    if kind == "email":
        return canonical_email(raw)
    if kind == "wechat_official_account":
        return canonical_wechat(raw)
    if kind == "qq":
        return canonical_qq(raw)
    raise ValidationError(_("Unknown channel kind."), code="invalid_kind")


def brand_label(registrable: str) -> str:
    """``xingyunka.com.cn`` → ``xingyunka``: the one label a registrant chose, as a confusables skeleton
    (so the Cyrillic ``хingyunka`` has the same brand and the checker finds the pair by one index)."""
    from contacts.checker.confusables import skeleton

    label = registrable.split(".", 1)[0]
    with contextlib.suppress(idna.IDNAError):
        label = idna.decode(label) if label.startswith("xn--") else label
    return skeleton(label)[:63]
