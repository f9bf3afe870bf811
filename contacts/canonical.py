"""Canonical forms of contact values, so that one number or address has exactly one spelling.

Pure functions, no database: the directory stores ``canonical_value`` next to the value as published, and
the number checker (``contacts.checker``) canonicalises what a user pasted and looks it up. Mainland China
rules:

- ordinary numbers (400/800, landlines, mobiles) → E.164 via ``phonenumbers``: ``+864006123456``;
  an extension (转, 分机, ext, x, #) is kept as ``;ext=123`` (RFC 3966 style);
- service short codes (95xxx, 96xxx, 1xxxx like 12315) → ``CN:95105888``: ``phonenumbers`` rejects many
  of them as invalid although they are real, and they are not dialable from abroad, so no ``+86`` form;
- SMS sender numbers (106…) → ``CN:106…``: they send, they cannot be called;
- web addresses → ``https://host/path`` with the host in IDNA/UTS-46 punycode; hosts → ``host``;
- email → ``local@punycode-host`` lower case; WeChat / QQ ids → their trimmed, compared form.

Links are read as a browser reads them: ``browser_url`` runs the WHATWG URL Standard parser (ada, the
parser in Node.js), so a backslash is a slash, ``。`` is a dot, everything up to the LAST ``@`` of the
authority is user info, and ``0x7f.1`` is ``127.0.0.1``. ``mail_address`` says where mail would go.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import idna
import phonenumbers
from ada_url import idna_to_unicode, parse_url
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
    """Lower-case punycode host as a browser makes it (WHATWG host parser: UTS-46, ``。`` is a dot), without
    a trailing dot. IP addresses are not domain names."""
    text = _fold(raw).rstrip(".。｡．").lower()
    if not text or any(c in text for c in "/\\@:?# \t\n\r%[]"):
        raise ValidationError(_("Enter a domain name such as example.cn."), code="invalid_domain")
    address = browser_url("https://" + text)
    host = address.host if address is not None else ""
    if not host or "." not in host or address is None or address.is_ip or not _ASCII_HOST.match(host):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid_domain", params={"value": raw}
        )
    return host


_ASCII_HOST = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
WEB_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class WebAddress:
    """A URL as the WHATWG URL Standard reads it."""

    href: str
    scheme: str  # "https", "javascript", …
    host: str  # what the browser connects to: punycode, lower case, "[…]" for IPv6; "" when none
    port: str
    userinfo: str  # percent-decoded "user:password" the browser ignores for the destination
    path: str
    query: str
    fragment: str

    @property
    def site(self) -> str:
        """The host without its one trailing dot (``kf.example.cn.`` is the DNS name ``kf.example.cn``)."""
        return self.host[:-1] if self.host.endswith(".") and not self.host.endswith("..") else self.host

    @property
    def is_ip(self) -> bool:
        return self.host.startswith("[") or bool(_IPV4.match(self.host))

    @property
    def is_web(self) -> bool:
        return self.scheme in WEB_SCHEMES and bool(self.host)

    @property
    def unicode_host(self) -> str:
        if self.is_ip or "xn--" not in self.site:
            return self.site
        try:
            return str(idna_to_unicode(self.site))
        except (ValueError, UnicodeError):  # pragma: no cover - ada returns the input when it cannot
            return self.site


# Schemes a browser or phone acts on. Any other "word:" before the text is not a scheme to the address bar:
# "user:pass@host" and "kf.example.cn:8080" are read with https:// in front.
KNOWN_SCHEMES = frozenset(
    {"http", "https", "javascript", "vbscript", "data", "file", "ftp", "ws", "wss", "blob", "about", "mailto"}
    | {"intent", "view-source", "chrome", "jar", "tel", "sms"}
)


def with_scheme(text: str) -> str:
    """What the browser's address bar loads for ``text``: scheme-less text (``kf.example.cn/chat``,
    ``kf.example.cn:8080``) gets ``https://``; ``javascript:``, ``data:`` and the like keep their scheme."""
    stripped = re.sub(r"[\t\n\r]", "", text).lstrip()
    match = _URL_SCHEME.match(stripped)
    if match is None or match.group(0)[:-1].lower() not in KNOWN_SCHEMES:
        return "https://" + text
    return text


def browser_url(raw: str) -> WebAddress | None:
    """``raw`` as a browser parses it (WHATWG URL Standard, via ada); None when the browser would refuse
    it (an invalid host, port or percent-encoding)."""
    try:
        parts = parse_url(with_scheme(raw))
    except ValueError:
        return None
    username, password = unquote(parts["username"] or ""), unquote(parts["password"] or "")
    return WebAddress(
        href=parts["href"],
        scheme=parts["protocol"].rstrip(":").lower(),
        host=parts["hostname"] or "",
        port=parts["port"] or "",
        userinfo=f"{username}:{password}" if password else username,
        path=parts["pathname"] or "",
        query=parts["search"] or "",
        fragment=parts["hash"] or "",
    )


def registrable_domain(host: str) -> str:
    """``kf.xingyunka.cn`` → ``xingyunka.cn``; a bare public suffix has none (returns the host)."""
    return _psl().privatesuffix(host) or host


def host_matches(host: str, domain: str, *, include_subdomains: bool) -> bool:
    return host == domain or (include_subdomains and host.endswith("." + domain))


def canonical_url(raw: str) -> str:
    """``https://host[:port]/path?query`` as the browser serialises it, without a trailing slash or a
    fragment. Only http(s) addresses without user info can be channels."""
    address = browser_url(_fold(raw))
    if address is None or not address.is_web or address.is_ip:
        raise ValidationError(
            _("“%(value)s” is not a web address. Example: https://kf.example.cn/chat"),
            code="invalid_url",
            params={"value": raw},
        )
    if address.userinfo:
        raise ValidationError(
            _("Web addresses with a user name or password are not accepted."), code="invalid_url"
        )
    host = canonical_host(address.site)
    netloc = f"{host}:{address.port}" if address.port else host
    path = address.path.rstrip("/") if address.path not in ("", "/") else ""
    return f"{address.scheme}://{netloc}{path}{address.query}"


def url_host(canonical: str) -> str:
    address = browser_url(canonical)
    return address.site if address is not None else ""


# RFC 5322 atext: a plain local part is dot-atoms of these, without "%" or "!" (old routing syntaxes that
# hand the mail on to another host).
_DOT_ATOM = re.compile(r"^[A-Za-z0-9#$&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9#$&'*+/=?^_`{|}~-]+)*$")


@dataclass(frozen=True)
class MailAddress:
    local: str
    domain: str  # where mail is delivered: the host after the LAST "@", punycode, no trailing dot; "" if none
    problem: str  # "" for a plain address; else quoted, route, percent, bang, at, comment, local, domain
    routed_to: str = ""  # for "%"/"!"/source routes: the host the address hands the mail on to

    @property
    def plain(self) -> bool:
        return not self.problem


def mail_address(raw: str) -> MailAddress:
    """Where mail to ``raw`` goes. Plain only for a dot-atom local part and a domain name: quoted local
    parts, ``%`` and ``!`` routing, source routes (``@relay:``), comments and extra ``@`` are not."""
    text = raw.strip()
    if text.lower().startswith("mailto:"):
        text = unquote(text[7:].split("?", 1)[0])
    local, _sep, domain_text = text.rpartition("@")
    domain = ""
    address = (
        browser_url("https://" + domain_text)
        if domain_text and not set(domain_text) & set('/\\?#@:%!"[] ')
        else None
    )
    if (
        address is not None
        and address.is_web
        and not address.is_ip
        and not address.port
        and not address.userinfo
        and address.path in ("", "/")
        and not address.query
        and not address.fragment
    ):
        domain = address.site
    routed = ""
    if local.startswith('"') or '"' in local:
        problem = "quoted"
    elif local.startswith("@") or ":" in local:
        problem, routed = "route", local.lstrip("@").split(":", 1)[0].split(",")[0]
    elif "(" in local or ")" in local:
        problem = "comment"
    elif "@" in local:
        problem = "at"
    elif "%" in local:
        problem, routed = "percent", local.rpartition("%")[2]
    elif "!" in local:
        problem, routed = "bang", local.partition("!")[0]
    elif not local or len(local) > 64 or not _DOT_ATOM.match(local):
        problem = "local"
    elif not domain:
        problem = "domain"
        for mark in "%!":
            if mark in domain_text:
                routed = domain_text.rpartition(mark)[2]
    else:
        problem = ""
    if routed:
        routed_address = browser_url("https://" + routed)
        routed = routed_address.site if routed_address is not None and routed_address.host else routed
    return MailAddress(local=local, domain=domain, problem=problem, routed_to=routed)


def canonical_email(raw: str) -> str:
    address = mail_address(_fold(raw))
    if not address.plain or not _ASCII_HOST.match(address.domain):
        raise ValidationError(
            _("“%(value)s” is not an email address."), code="invalid_email", params={"value": raw}
        )
    return f"{address.local.lower()}@{address.domain}"


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
    from contacts.confusables import skeleton

    label = registrable.split(".", 1)[0]
    with contextlib.suppress(idna.IDNAError):
        label = idna.decode(label) if label.startswith("xn--") else label
    return skeleton(label)[:63]
