"""Verdicts for what was found in a query, in a fixed number of queries however large the directory is.

1. one ``IN`` query on the indexed ``ContactChannel.canonical_value`` with every exact form, near-miss
   variant and number-behind-a-prefix of every phone item, and the exact forms of links, emails and ids;
2. one query on ``OfficialDomain`` by registrable domain or brand skeleton of every host;
3. one query on ``ReportedValue`` (plus one more only when a value was merged into another, and the
   2-3 of ``official_report_keys`` only when a result would mention reports).

Precedence: a published channel is ``official`` whatever reports say; then ``retired`` and ``suspended``;
then ``reported``; then ``lookalike``; else ``unknown``, which never says "safe". Reports can never brand
what the directory vouches for a fake (``official_report_keys``): not at submission (such reports are
``disputed``), not when read (a value published after it was reported is not ``reported``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.canonical import (
    MailAddress,
    WebAddress,
    brand_label,
    browser_url,
    canonical_qq,
    canonical_wechat,
    host_matches,
    mail_address,
    registrable_domain,
    url_host,
)
from contacts.checker import lookups
from contacts.checker.extract import Found, extract, normalise
from contacts.checker.numbers import PhoneCheck, check_phone
from contacts.confusables import has_confusable, skeleton
from contacts.models import (
    PUBLISHED_STATES,
    ChannelKind,
    ChannelState,
    PlatformStatus,
    ReportStatus,
    never_calls_you,
)

MAX_ITEMS = 30
OFFICIAL, RETIRED, SUSPENDED, LOOKALIKE, REPORTED, UNKNOWN = (
    "official",
    "retired",
    "suspended",
    "lookalike",
    "reported",
    "unknown",
)
_HOST_IN_TEXT = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,24}", re.IGNORECASE)


@dataclass(frozen=True)
class PlatformRef:
    slug: str
    name: str
    status: str

    @property
    def is_active(self) -> bool:
        return self.status == PlatformStatus.ACTIVE


@dataclass(frozen=True)
class ChannelRef:
    """The columns of a channel the checker needs: read with ``values_list``, no model instances."""

    pk: int
    kind: str
    value: str
    canonical_value: str
    state: str
    inbound_only: bool
    platform: PlatformRef
    replacement: ChannelRef | None = None

    def get_kind_display(self) -> str:
        return str(ChannelKind(self.kind).label) if self.kind in ChannelKind.values else self.kind

    @property
    def never_calls_you(self) -> bool:
        return never_calls_you(self.kind, self.inbound_only)


@dataclass(frozen=True)
class DomainRef:
    domain: str
    registrable_domain: str
    include_subdomains: bool
    brand: str
    platform: PlatformRef

    @property
    def display_domain(self) -> str:
        try:
            return str(idna.decode(self.domain))
        except idna.IDNAError:
            return self.domain


@dataclass(frozen=True)
class ReportRef:
    status: str
    platform: PlatformRef | None

    @property
    def is_confirmed(self) -> bool:
        return self.status == ReportStatus.CONFIRMED


@dataclass(frozen=True)
class ReportSummary:
    """How many different people reported a value and when: the first and the latest report."""

    count: int
    first_reported_at: datetime | None
    last_reported_at: datetime | None
    confirmed: bool


@dataclass
class Result:
    input: str
    kind: str
    canonical: str
    verdict: str = UNKNOWN
    platform: PlatformRef | None = None
    channel: ChannelRef | None = None
    replacement: ChannelRef | None = None
    similar_to: dict[str, Any] | None = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    extension: str = ""
    ivr: str = ""
    reports: ReportSummary | None = None


@dataclass
class _Host:
    host: str  # where the browser goes or mail is delivered: punycode, without the trailing dot
    registrable: str
    unicode: str
    userinfo: str = ""
    path_hosts: tuple[str, ...] = ()
    web: bool = True  # an http(s) link or a plain e-mail address: the only things that can be official
    scheme: str = "https"
    mail: MailAddress | None = None
    mentions: tuple[str, ...] = ()  # host names written anywhere in the token, for look-alike reasons
    # A scheme-less link with letters glued before it ("官网xingyunka.cn"): the host a phone's linkifier
    # opens when it takes them in (WHATWG); host "" when the browser would refuse that reading.
    glued: _Host | None = None

    @property
    def destination(self) -> str:
        """The destination as the reason names it: punycode, with the Unicode form when they differ."""
        if self.unicode and self.unicode != self.host:
            return f"{self.host} ({self.unicode})"
        return self.host


@dataclass
class _Item:
    found: Found
    canonical: str = ""
    report_key: str = ""
    exact: tuple[str, ...] = ()
    phone: PhoneCheck | None = None
    host: _Host | None = None
    invalid: bool = False


@dataclass(frozen=True)
class Outcome:
    query: str
    results: list[Result]
    # When the clock alone changes this answer: the first counted report leaves the window. None: never.
    valid_until: datetime | None = None


# --- Analysis (no database) ---------------------------------------------------------------------------
def report_key(found: Found) -> str:
    """What reports of this item are grouped by: the number, the host of a link, the address, the id."""
    return _analyse(found).report_key


def _host(address: WebAddress) -> _Host:
    host = address.site
    return _Host(
        host=host,
        registrable=host if address.is_ip else registrable_domain(host),
        unicode=address.unicode_host,
        userinfo=address.userinfo,
        scheme=address.scheme,
        web=address.is_web,
    )


def _named_host(name: str) -> _Host | None:
    """A report key's host (``kf.xingyunka.cn``) as the browser reads it; None when it is not one."""
    address = browser_url("https://" + name)
    return _host(address) if address is not None and address.is_web else None


def _mentions(text: str) -> tuple[str, ...]:
    """Host names written anywhere in a token, percent-decoded and with ``。｡．`` as dots."""
    plain = re.sub("[\u3002\uff61\uff0e]", ".", unquote(text)).lower()
    return tuple(h.lower() for h in _HOST_IN_TEXT.findall(plain))


def _analyse(found: Found) -> _Item:
    item = _Item(found=found)
    text = found.text
    try:
        if found.kind == "phone":
            phone = check_phone(text)
            item.phone = phone
            item.canonical = phone.canonical or phone.compact
            item.report_key = item.canonical
            item.invalid = not phone.canonical
            exact = [phone.canonical] if phone.canonical else []
            if phone.canonical and found.extension:
                exact.append(f"{phone.canonical};ext={found.extension}")
            item.exact = tuple(exact)
        elif found.kind == "email":
            _analyse_email(item, text)
        elif found.kind == "url":
            _analyse_url(item, text)
        elif found.kind == "wechat":
            item.canonical = canonical_wechat(text)
            item.report_key = "wechat:" + item.canonical
            item.exact = (item.canonical,)
        elif found.kind == "qq":
            item.canonical = canonical_qq(text)
            item.report_key = "qq:" + item.canonical
            item.exact = (item.canonical,)
    except ValidationError:
        item.invalid = True
        item.canonical = item.canonical or text
        item.report_key = item.report_key or text.lower()
    return item


def _analyse_email(item: _Item, text: str) -> None:
    """Judged by the domain mail is delivered to; only a plain address can match a channel exactly."""
    mail = mail_address(text)
    item.canonical = f"{mail.local.lower()}@{mail.domain}" if mail.domain else text.lower()
    item.report_key = item.canonical
    item.exact = (item.canonical,) if mail.plain else ()
    if not mail.domain:
        item.invalid = True
        item.host = _Host(host="", registrable="", unicode="", web=False, mail=mail, mentions=_mentions(text))
        return
    address = browser_url("https://" + mail.domain)
    assert address is not None  # mail_address only returns a domain the WHATWG parser accepted
    host = _host(address)
    host.userinfo = mail.local if not mail.plain else ""
    host.web, host.mail, host.mentions = mail.plain, mail, _mentions(text)
    item.host = host


def _analyse_url(item: _Item, text: str) -> None:
    """Judged by the host the browser opens (WHATWG); a link that does not parse is never official."""
    address = browser_url(text)
    mentions = _mentions(text)
    if address is None or not address.host:
        item.invalid, item.canonical, item.report_key = True, text, text.lower()
        item.host = _Host(host="", registrable="", unicode="", web=False, mentions=mentions)
        if address is not None:
            item.host.scheme = address.scheme
        return
    host = _host(address)
    host.path_hosts = _mentions(address.path + address.query + address.fragment)
    host.mentions = mentions
    if item.found.glued:
        longer = browser_url(item.found.glued + text)
        host.glued = (
            _host(longer)
            if longer is not None and longer.host
            else _Host(host="", registrable="", unicode=item.found.glued + text, web=False)
        )
    item.host = host
    item.report_key = host.host
    netloc = f"{host.host}:{address.port}" if address.port else host.host
    path = address.path.rstrip("/") if address.path not in ("", "/") else ""
    item.canonical = f"{address.scheme}://{netloc}"
    if not address.userinfo and address.is_web:
        item.canonical += path + address.query
    item.exact = (item.canonical,) if address.is_web and not address.userinfo else ()


def _brand_keys(host: _Host) -> set[str]:
    """Brand skeletons this host could be imitating: its labels and their dash-separated parts, and the
    prefixes and suffixes of long labels ("xingyunkakefu" starts with "xingyunka")."""
    names = [host.unicode, host.userinfo, *host.path_hosts, *host.mentions]
    keys: set[str] = set()
    for name in names:
        for label in re.split(r"[.@:]", name.lower()):
            for token in [label, *label.split("-")]:
                token = skeleton(token)
                if len(token) < 4:
                    continue
                keys.add(token)
                if len(token) <= 40:
                    keys.update(token[:n] for n in range(4, len(token)))
                    keys.update(token[n:] for n in range(1, len(token) - 3))
    return keys


# --- The check --------------------------------------------------------------------------------------------
def check(raw: str, *, now: datetime | None = None) -> Outcome:
    """Check everything in ``raw``; raises ``InputProblem`` for empty, oversized or control-laden input."""
    text = normalise(raw)
    items = [_analyse(found) for found in extract(text)[:MAX_ITEMS]]
    channels = _channels(items)
    domains = _domains(items)
    reports = _reports(items, now=now or timezone.now())
    results = [_verdict(item, channels, domains, reports) for item in items]
    with_reports = [i for i, result in enumerate(results) if result.reports is not None]
    if with_reports:
        # Read-time guard: a value the directory vouches for now (an extension of a published number,
        # the host of a published link) never shows reports, whatever was reported before it was published.
        # (Exact channels and official domains already decided above: only the prefix lookup is left.)
        protected = _published_under([items[i] for i in with_reports])
        for i in with_reports:
            if items[i].report_key in protected:
                results[i] = _verdict(items[i], channels, domains, {})
    expiries = [s.recent_first + settings.SCAM_REPORT_WINDOW for s in reports.values() if s.recent_first]
    return Outcome(query=text, results=results, valid_until=min(expiries, default=None))


def official_report_keys(values: Iterable[tuple[str, str]]) -> set[str]:
    """The report keys (see ``report_key``) of ``(kind, key)`` pairs that the directory vouches for: a
    published channel's value (or its number with an extension, or the host of its link) or a host or
    email address on an official domain of an active platform. Reports can never brand these a fake.

    The same rules as a check's ``official`` verdict (``_decided_by_channel``, ``_official_host``); 2-3
    queries for any number of values."""
    items: list[_Item] = []
    for kind, key in values:
        item = _Item(found=Found(kind, key), report_key=key)
        if kind == "phone":
            item.exact = (key,)
        elif kind == "email":
            item.exact = (key,)
            item.host = _named_host(key.rpartition("@")[2])
        elif kind == "url":
            item.host = _named_host(key)
        elif kind in ("wechat", "qq"):
            item.exact = (key.partition(":")[2],)
        items.append(item)
    if not items:
        return set()
    channels = _channels(items)
    domains = _domains(items)
    protected = {item.report_key for item in items if _vouched(item, channels, domains)}
    return protected | _published_under([item for item in items if item.report_key not in protected])


def _published_under(items: list[_Item]) -> set[str]:
    """Report keys of phone numbers with a published extension and of hosts with a published link: one
    query, none when there is nothing to ask."""
    prefixes: set[str] = set()
    for item in items:
        if item.found.kind == "phone" and item.report_key:
            prefixes.add(f"{item.report_key};ext=")
        elif item.found.kind == "url" and item.host is not None:
            prefixes.update(f"{scheme}://{item.host.host}" for scheme in ("https", "http"))
    found: set[str] = set()
    for canonical in lookups.published_channels_starting(prefixes):
        found.add(canonical.partition(";ext=")[0] if ";ext=" in canonical else url_host(canonical))
    return found & {item.report_key for item in items}


def _channels(items: list[_Item]) -> dict[str, list[ChannelRef]]:
    keys: set[str] = set()
    for item in items:
        keys.update(item.exact)
        if item.phone is not None:
            keys.update(item.phone.near)
            keys.update(item.phone.behind_prefix)
    if not keys:
        return {}
    found: dict[str, list[ChannelRef]] = {}
    for row in lookups.channel_rows(keys):
        platform = PlatformRef(row.platform_slug, row.platform_name, row.platform_status)
        replacement = None
        if row.replacement_id is not None:
            replacement = ChannelRef(
                row.replacement_id,
                str(row.replacement_kind),
                str(row.replacement_value),
                str(row.replacement_canonical_value),
                str(row.replacement_state),
                False,
                platform,
            )
        channel = ChannelRef(
            row.id,
            row.kind,
            row.value,
            row.canonical_value,
            row.state,
            bool(row.inbound_only),
            platform,
            replacement,
        )
        found.setdefault(row.canonical_value, []).append(channel)
    return found


def _domains(items: list[_Item]) -> list[DomainRef]:
    hosts = [item.host for item in items if item.host is not None]
    if not hosts:
        return []
    registrables: set[str] = set()
    brands: set[str] = set()
    for host in hosts:
        for name in (host.registrable, *(registrable_domain(m) for m in host.mentions)):
            if name:
                registrables.add(name)
                brands.add(brand_label(name))
        brands.update(_brand_keys(host))
    return [
        DomainRef(
            row.domain,
            row.registrable_domain,
            bool(row.include_subdomains),
            row.brand,
            PlatformRef(row.platform_slug, row.platform_name, row.platform_status),
        )
        for row in lookups.domain_rows(registrables, brands)
    ]


def _vouched(item: _Item, channels: dict[str, list[ChannelRef]], domains: list[DomainRef]) -> bool:
    """Would a check of exactly this value say ``official``?"""
    probe = Result(input=item.report_key, kind=item.found.kind, canonical=item.report_key)
    channel = _best(c for key in item.exact for c in channels.get(key, []))
    if channel is not None and _decided_by_channel(probe, channel):
        return probe.verdict == OFFICIAL
    return item.host is not None and _official_host(probe, item.host, domains)


@dataclass
class _ReportState:
    value: ReportRef
    reporters: int
    recent_first: datetime | None = None
    recent_last: datetime | None = None
    ever: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def counts(self) -> bool:
        return self.value.is_confirmed or self.reporters >= settings.SCAM_REPORT_THRESHOLD

    def summary(self) -> ReportSummary:
        """Confirmed: every report ever; otherwise the reports within the window that were counted."""
        if self.value.is_confirmed:
            return ReportSummary(max(self.ever, self.reporters), self.first, self.last, confirmed=True)
        return ReportSummary(self.reporters, self.recent_first, self.recent_last, confirmed=False)


def _moment(value: Any) -> datetime | None:
    """A date from a raw row: PostgreSQL gives aware datetimes, SQLite gives UTC text."""
    moment = value if value is None or isinstance(value, datetime) else parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _report_state(row: lookups.ReportRow, extra: int = 0) -> _ReportState:
    platform = None
    if row.platform_slug is not None:
        platform = PlatformRef(row.platform_slug, str(row.platform_name), str(row.platform_status))
    return _ReportState(
        ReportRef(row.status, platform),
        row.recent_reporters + extra,
        _moment(row.recent_first),
        _moment(row.recent_last),
        row.reporters_ever + extra,
        _moment(row.first_reported_at),
        _moment(row.last_reported_at),
    )


def _reports(items: list[_Item], *, now: datetime) -> dict[str, _ReportState]:
    keys = {item.report_key for item in items if item.report_key}
    if not keys:
        return {}
    since = now - settings.SCAM_REPORT_WINDOW
    rows = lookups.report_rows(keys=keys, since=since)
    targets = {row.merged_into_id for row in rows if row.merged_into_id}
    # A value merged into another reads the other's state: one more query, only then.
    merged_into = {row.id: row for row in lookups.report_rows(ids=targets, since=since)} if targets else {}
    out: dict[str, _ReportState] = {}
    for row in rows:
        if row.merged_into_id:
            target = merged_into.get(row.merged_into_id)
            if target is not None:
                out[row.canonical_value] = _report_state(target, row.recent_reporters)
            continue
        out[row.canonical_value] = _report_state(row)
    return out


# --- Verdicts ---------------------------------------------------------------------------------------------
def _best(channels: Iterable[ChannelRef]) -> ChannelRef | None:
    ordered = sorted(channels, key=lambda c: (c.state not in PUBLISHED_STATES, c.state != "retired", c.pk))
    return ordered[0] if ordered else None


def _published(channels: Iterable[ChannelRef]) -> ChannelRef | None:
    return next((c for c in channels if c.state in PUBLISHED_STATES and c.platform.is_active), None)


def _similar(channel: ChannelRef) -> dict[str, Any]:
    return {
        "value": channel.value,
        "canonical": channel.canonical_value,
        "platform": {"slug": channel.platform.slug, "name": channel.platform.name},
        "channel": {"id": channel.pk, "kind": channel.kind},
    }


def _similar_domain(domain: DomainRef) -> dict[str, Any]:
    return {
        "value": domain.display_domain,
        "canonical": domain.domain,
        "platform": {"slug": domain.platform.slug, "name": domain.platform.name},
        "channel": None,
    }


def _verdict(
    item: _Item,
    channels: dict[str, list[ChannelRef]],
    domains: list[DomainRef],
    reports: dict[str, _ReportState],
) -> Result:
    found = item.found
    result = Result(
        input=found.text, kind=found.kind, canonical=item.canonical, extension=found.extension, ivr=found.ivr
    )
    if found.extension:
        result.warnings.append(
            _("Extension %(ext)s is dialled after the number; the number itself decides the verdict.")
            % {"ext": found.extension}
        )
    if found.ivr:
        result.warnings.append(
            _("The text tells you to press %(key)s after dialling; the number itself decides the verdict.")
            % {"key": found.ivr}
        )
    report = reports.get(item.report_key)
    exact = [c for key in item.exact for c in channels.get(key, [])]
    channel = _best(exact)
    # What the directory vouches for never carries report warnings: reports cannot brand it a fake.
    elsewhere = item.host is not None and _glued_elsewhere(item.host, domains)
    if channel is not None and not elsewhere and _decided_by_channel(result, channel):
        return result
    if item.host is not None and _official_host(result, item.host, domains):
        return result
    lookalike = _lookalike(item, channels, domains)
    published = _published(exact)
    if elsewhere and published is not None and item.host is not None and lookalike is None:
        lookalike = _similar(published), _glued_reason(item.host, published.platform.name)
    if lookalike is not None:
        result.similar_to, reason = lookalike
        result.verdict, result.reason = LOOKALIKE, reason
    if report is not None and report.counts():
        result.verdict = REPORTED
        result.platform = report.value.platform
        summary = result.reports = report.summary()
        when = {"first": _day(summary.first_reported_at), "last": _day(summary.last_reported_at)}
        if report.value.is_confirmed:
            text = _("Directory admins confirmed reports that this is a fake.")
            text += " " + ngettext(
                "%(count)s person reported it (first report %(first)s, latest %(last)s).",
                "%(count)s different people reported it (first report %(first)s, latest %(last)s).",
                summary.count,
            ) % {"count": summary.count, **when}
        else:
            text = ngettext(
                "%(count)s person reported this as a fake in the last %(days)s days "
                "(first report %(first)s, latest %(last)s).",
                "%(count)s different people reported this as a fake in the last %(days)s days "
                "(first report %(first)s, latest %(last)s).",
                summary.count,
            ) % {"count": summary.count, "days": settings.SCAM_REPORT_WINDOW.days, **when}
        if report.value.platform is not None:
            text += " " + _("It pretends to be %(platform)s.") % {"platform": report.value.platform.name}
        result.reason = " ".join(filter(None, [text, result.reason, _DONT_CALL()]))
        return result
    if report is not None and report.reporters:
        result.reports = report.summary()
        result.warnings.append(
            ngettext(
                "%(count)s person reported this as a fake; not yet confirmed.",
                "%(count)s people reported this as a fake; not yet confirmed.",
                report.reporters,
            )
            % {"count": report.reporters}
        )
    if result.verdict == LOOKALIKE:
        result.reason += " " + _DONT_CALL()
        return result
    result.verdict = UNKNOWN
    result.reason = _unknown_reason(item)
    return result


def _day(moment: datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment is not None else "-"


def _DONT_CALL() -> str:
    return _("Do not call, click or reply; use the platform's official channels listed in the directory.")


def _decided_by_channel(result: Result, channel: ChannelRef) -> bool:
    platform = channel.platform
    result.channel, result.platform = channel, platform
    kind = channel.get_kind_display()
    if channel.state in PUBLISHED_STATES and platform.is_active:
        result.verdict = OFFICIAL
        result.reason = _("An official %(kind)s of %(platform)s, verified by the directory.") % {
            "kind": kind,
            "platform": platform.name,
        }
        if channel.kind == ChannelKind.CALLBACK_LINE:
            result.reason = _(
                "An official call-back line of %(platform)s, verified by the directory: it calls customers "
                "who asked for a call-back, and the agent will tell you your code. "
                "If the caller cannot tell you your code, hang up."
            ) % {"platform": platform.name}
        if channel.kind == "sms_sender":
            result.reason += " " + _("This number only sends text messages; it cannot be called.")
        if channel.never_calls_you:
            result.warnings.append(_("This number never calls you: a call from it is spoofed."))
        return True
    if channel.state == ChannelState.RETIRED:
        result.verdict = RETIRED
        replacement = channel.replacement
        if replacement is not None and replacement.state in PUBLISHED_STATES:
            result.replacement = replacement
            result.reason = _(
                "This %(kind)s of %(platform)s was retired; use %(replacement)s instead. "
                "Anyone answering the old one is not the platform."
            ) % {"kind": kind, "platform": platform.name, "replacement": replacement.value}
        else:
            result.reason = _("This %(kind)s of %(platform)s was retired and is no longer in use.") % {
                "kind": kind,
                "platform": platform.name,
            }
        return True
    if channel.state == ChannelState.SUSPENDED or not platform.is_active:
        result.verdict = SUSPENDED
        result.reason = _(
            "This %(kind)s of %(platform)s is suspended: the directory does not currently vouch for it."
        ) % {"kind": kind, "platform": platform.name}
        return True
    result.channel = result.platform = None
    return False


def _official_domain(host: _Host, domains: list[DomainRef]) -> DomainRef | None:
    """The official domain ``host`` is (or is under, when it includes its subdomains)."""
    if not host.web or not host.host or host.host.startswith("["):
        return None
    return next(
        (d for d in domains if host_matches(host.host, d.domain, include_subdomains=d.include_subdomains)),
        None,
    )


def _official_host(result: Result, host: _Host, domains: list[DomainRef]) -> bool:
    """THE RULE: official only when the host a browser opens (WHATWG), or the domain a plain e-mail address
    is delivered to, is an official domain (or under one that includes its subdomains). A scheme-less link
    with letters glued before it must be official in both readings: the phone may open the longer one."""
    domain = _official_domain(host, domains)
    if domain is None or not domain.platform.is_active:
        return False
    if _glued_elsewhere(host, domains):
        return False  # a look-alike: _glued_lookalike says where the phone goes
    result.verdict, result.platform = OFFICIAL, domain.platform
    what = _("This email address") if result.kind == "email" else _("This address")
    result.reason = _("%(what)s is on %(domain)s, an official domain of %(platform)s.") % {
        "what": what,
        "domain": domain.display_domain,
        "platform": domain.platform.name,
    }
    if host.userinfo:
        result.warnings.append(
            _("The part before “@” (%(userinfo)s) means nothing to the browser; only the site counts.")
            % {"userinfo": host.userinfo}
        )
    return True


def _glued_elsewhere(host: _Host, domains: list[DomainRef]) -> bool:
    """Letters glued before a scheme-less link make a phone open another host, and it is not official."""
    glued = host.glued
    return glued is not None and glued.host != host.host and _official_domain(glued, domains) is None


def _glued_reason(host: _Host, platform: str) -> str:
    assert host.glued is not None
    glued = host.glued
    return _(
        "A phone or browser may read this link together with the text written right before it and open "
        "%(destination)s, "
        "which is not %(platform)s's site. Type %(official)s yourself."
    ) % {
        "destination": glued.destination if glued.host else glued.unicode,
        "platform": platform,
        "official": host.unicode,
    }


def _glued_lookalike(host: _Host, domains: list[DomainRef]) -> tuple[dict[str, Any], str] | None:
    """An official link with text glued before it that a phone reads as another, unofficial site."""
    domain = _official_domain(host, domains)
    if domain is None or not _glued_elsewhere(host, domains):
        return None
    return _similar_domain(domain), _glued_reason(host, domain.platform.name)


def _lookalike(
    item: _Item, channels: dict[str, list[ChannelRef]], domains: list[DomainRef]
) -> tuple[dict[str, Any], str] | None:
    if item.phone is not None:
        return _phone_lookalike(item.phone, channels)
    if item.host is not None:
        return _host_lookalike(item.host, domains)
    return None


def _phone_lookalike(
    phone: PhoneCheck, channels: dict[str, list[ChannelRef]]
) -> tuple[dict[str, Any], str] | None:
    for key, prefix in phone.behind_prefix.items():
        channel = _published(channels.get(key, []))
        if channel is not None:
            return _similar(channel), _(
                "This is %(platform)s's official number %(value)s behind the foreign or extra prefix "
                "“%(prefix)s”. Calls and texts from such numbers come from abroad or are spoofed, "
                "not from the platform."
            ) % {"platform": channel.platform.name, "value": channel.value, "prefix": prefix}
    for key, how in phone.near.items():
        channel = _published(channels.get(key, []))
        if channel is not None:
            message = (
                _("One digit differs from %(platform)s's official number %(value)s.")
                if how == "digit"
                else _(
                    "Two neighbouring digits are swapped compared with %(platform)s's official number "
                    "%(value)s."
                )
            )
            return _similar(channel), message % {"platform": channel.platform.name, "value": channel.value}
    return None


def _destination(host: _Host) -> str:
    if host.mail is not None and host.host:
        return _("Mail to this address is delivered to %(destination)s.") % {"destination": host.destination}
    if host.host:
        return _("This link opens %(destination)s.") % {"destination": host.destination}
    return ""


def _mentioned(host: _Host, domain: DomainRef) -> bool:
    official = domain.registrable_domain
    names = [host.host, *host.mentions, host.userinfo.lower()]
    return any(n == official or n.endswith("." + official) or ("." + official + ".") in n for n in names) or (
        bool(domain.brand) and any(domain.brand in skeleton(n) for n in names if n)
    )


def _host_lookalike(host: _Host, domains: list[DomainRef]) -> tuple[dict[str, Any], str] | None:
    if not domains:
        return None
    active = [d for d in domains if d.platform.is_active] or domains
    glued = _glued_lookalike(host, active)
    if glued is not None:
        return glued
    special = _not_a_plain_destination(host, active)
    if special is not None:
        return special
    found = _lookalike_rule(host, active)
    if found is None:
        return None
    similar, reason = found
    return similar, " ".join(filter(None, [_destination(host), reason]))


def _not_a_plain_destination(host: _Host, active: list[DomainRef]) -> tuple[dict[str, Any], str] | None:
    """Links that a browser refuses or that run code, and e-mail addresses that are not plain: never official;
    a look-alike when they name an official domain."""
    domain = next((d for d in active if _mentioned(host, d)), None)
    if domain is None or (host.web and host.host):
        return None
    params = {"official": domain.display_domain, "platform": domain.platform.name}
    mail = host.mail
    if mail is not None:
        reasons = {
            "quoted": _("The part before “@” is quoted, so it is only a mailbox name."),
            "route": _("It contains a source route, which hands the mail on to another server."),
            "percent": _("The “%” in it can hand the mail on to another server."),
            "bang": _("The “!” in it can hand the mail on to another server."),
            "at": _("It contains more than one “@”; only the last one counts."),
            "comment": _("It contains a comment in brackets."),
            "local": _("The part before “@” is not a plain mailbox name."),
            "domain": _("The part after “@” is not a domain name, so mail cannot be delivered as written."),
        }
        parts = [_destination(host), reasons.get(mail.problem, "")]
        if mail.routed_to:
            parts.append(_("It may end up at %(routed)s.") % {"routed": mail.routed_to})
        parts.append(
            _("Only a plain address on %(official)s is an official address of %(platform)s.") % params
        )
        return _similar_domain(domain), " ".join(filter(None, parts))
    if host.scheme not in ("http", "https", ""):
        return _similar_domain(domain), _(
            "This is a “%(scheme)s:” link, not a web page: it does not open %(official)s, "
            "%(platform)s's site."
        ) % {**params, "scheme": host.scheme}
    return _similar_domain(domain), _(
        "A browser cannot open this address as written, so it does not lead to %(official)s, "
        "%(platform)s's site."
    ) % params


def _lookalike_rule(host: _Host, active: list[DomainRef]) -> tuple[dict[str, Any], str] | None:
    params = {"host": host.unicode}
    for domain in active:
        official = domain.registrable_domain
        if host.userinfo and (official in host.userinfo.lower() or domain.brand in skeleton(host.userinfo)):
            if host.mail is not None:
                return _similar_domain(domain), _(
                    "The part before the last “@” (%(userinfo)s) is only a mailbox name; the mail goes to "
                    "%(host)s, which is not %(platform)s's."
                ) % {**params, "userinfo": host.userinfo, "platform": domain.platform.name}
            return _similar_domain(domain), _(
                "The address starts with “%(userinfo)s@”, but browsers ignore everything before “@”: "
                "the site is really %(host)s, which is not %(platform)s's."
            ) % {**params, "userinfo": host.userinfo, "platform": domain.platform.name}
        if ("." + official + ".") in ("." + host.host + "."):
            return _similar_domain(domain), _(
                "%(official)s appears only as the beginning of this address; the site is really "
                "%(registrable)s, which is not %(platform)s's."
            ) % {"official": official, "registrable": host.registrable, "platform": domain.platform.name}
        if any(h == official or h.endswith("." + official) for h in host.path_hosts):
            return _similar_domain(domain), _(
                "%(official)s appears only in the path of this address; the site is really %(host)s, "
                "which is not %(platform)s's."
            ) % {**params, "official": official, "platform": domain.platform.name}
    for domain in active:
        ours = brand_label(host.registrable) if host.registrable else ""
        if ours and ours == domain.brand:
            if has_confusable(host.unicode) or host.registrable.split(".")[0] != official_label(domain):
                return _similar_domain(domain), _(
                    "%(host)s imitates %(official)s with look-alike letters; it is a different site."
                ) % {**params, "official": domain.display_domain}
            return _similar_domain(domain), _(
                "%(host)s has the same name as %(official)s under a different ending; it is not "
                "%(platform)s's site."
            ) % {**params, "official": domain.display_domain, "platform": domain.platform.name}
        if domain.brand and domain.brand in skeleton(host.unicode):
            return _similar_domain(domain), _(
                "%(host)s combines the name of %(platform)s with other words; it is not one of "
                "%(platform)s's domains (%(official)s)."
            ) % {**params, "platform": domain.platform.name, "official": domain.display_domain}
    for domain in active:
        if _mentioned(host, domain):
            if host.mail is not None and host.mail.problem:
                return _similar_domain(domain), _(
                    "It is not a plain e-mail address; only a plain address on %(official)s is an official "
                    "address of %(platform)s."
                ) % {"official": domain.display_domain, "platform": domain.platform.name}
            return _similar_domain(domain), _(
                "It mentions %(official)s, but that is not where it goes: it is not %(platform)s's."
            ) % {"official": domain.display_domain, "platform": domain.platform.name}
    return None


def official_label(domain: DomainRef) -> str:
    return domain.registrable_domain.split(".")[0]


def _unknown_reason(item: _Item) -> str:
    if item.invalid:
        if item.found.kind == "phone":
            return _(
                "This is not a valid phone number and it is not in the directory. Not listed does not mean "
                "safe."
            )
        return _("This could not be read as an address and it is not in the directory.")
    if item.phone is not None and item.phone.category == "sms_sender":
        return _(
            "An SMS sender number that is not in the directory. Not listed does not mean safe: never follow "
            "links or give codes from messages you did not expect."
        )
    return _(
        "Not listed in the directory. This does not mean it is safe: compare with the official channels on "
        "the platform's page before you call, click or pay."
    )
