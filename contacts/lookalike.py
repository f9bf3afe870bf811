"""Does a platform's name or a proposed domain look like another platform's? Warnings for the admins.

A scammer with (or tricking) directory access does not need to change 星云卡盟's entry: a new platform
"星雲卡盟" with the domain ``xingyunka-kefu.cn`` is enough. These warnings name the existing platform to the
proposer and, on the approval screen, to the reviewer. They warn, they do not refuse: real platforms do
share words (卡盟, ka).

Compared, after folding confusable letters (``contacts.confusables.skeleton``): the platform's name,
aliases, slug, the pinyin of the name and its initials (as stored in ``Platform.search_text``), and the brand
label of each domain (``contacts.canonical.brand_label``: ``xingyunka`` for ``kf.xingyunka.com.cn``), against
the same for every other platform and its official and pending domains. Close means equal, one containing
the other (for keys of 5 letters or more, or 4 Chinese characters), or an edit distance of 1 (keys of 5 to 7
letters) or 2 (8 or more).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from contacts.canonical import brand_label, registrable_domain
from contacts.confusables import skeleton
from contacts.models import (
    DomainProposal,
    DomainProposalKind,
    OfficialDomain,
    Platform,
    ProposalStatus,
    platform_search_text,
)

LIMIT = 10


@dataclass(frozen=True)
class Resemblance:
    platform_name: str
    platform_slug: str
    reason: str


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def name_keys(name: str, aliases: Sequence[str], slug: str) -> dict[str, str]:
    """Comparison key (skeleton) → the text as written, for a name, its aliases, slug and pinyin."""
    return _keys(platform_search_text(name, list(aliases), slug).split(" "))


def _keys(parts: Iterable[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for part in parts:
        key = skeleton(part)
        if len(key) >= 4 or (_has_cjk(key) and len(key) >= 2):
            keys.setdefault(key, part)
    return keys


def domain_brand(host: str) -> str:
    return skeleton(brand_label(registrable_domain(host)))


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b is at most ``limit`` (stops as soon as a row exceeds it)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def close(a: str, b: str) -> bool:
    """Equal, one containing the other, or a small edit distance (see the module's docstring)."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    cjk = _has_cjk(a) or _has_cjk(b)
    if (shorter >= 5 or (cjk and shorter >= 4)) and (a in b or b in a):
        return True
    if cjk or shorter < 5:
        return False
    limit = 1 if shorter < 8 else 2
    if abs(len(a) - len(b)) > limit:
        return False
    # Each edit touches at most two bigrams, so at most 2 * limit distinct bigrams of a are missing from
    # b: a cheap filter that spares the quadratic distance for almost every unrelated pair.
    if len(_bigrams(a) - _bigrams(b)) > 2 * limit:
        return False
    return _within(a, b, limit)


def resemblances(
    *,
    name: str,
    aliases: Sequence[str] = (),
    slug: str = "",
    hosts: Sequence[str] = (),
    exclude_platform_id: int | None = None,
) -> list[Resemblance]:
    """Other platforms that this name or these domains resemble, each with a reason (at most ``LIMIT``).

    Three queries: platforms, official domains, pending domain proposals.
    """
    exclude = exclude_platform_id or 0  # no platform has id 0
    ours_name = name_keys(name, aliases, slug) if name else {}
    ours_domains = {domain_brand(h): h for h in hosts if domain_brand(h)}
    if not ours_name and not ours_domains:
        return []
    platforms = Platform.objects.exclude(pk=exclude).values_list("id", "name", "slug", "search_text")
    brands: dict[int, dict[str, str]] = {}
    for platform_id, domain, brand in OfficialDomain.objects.exclude(platform_id=exclude).values_list(
        "platform_id", "domain", "brand"
    ):
        brands.setdefault(platform_id, {})[skeleton(brand)] = domain
    pending = DomainProposal.objects.filter(
        status=ProposalStatus.PENDING, kind=DomainProposalKind.DOMAIN
    ).exclude(platform_id=exclude)
    for platform_id, domain in pending.values_list("platform_id", "value"):
        brands.setdefault(platform_id, {}).setdefault(domain_brand(domain), domain)
    found: list[Resemblance] = []
    for platform_id, other_name, other_slug, search_text in platforms:
        theirs = _keys(search_text.split(" ")) if search_text else name_keys(other_name, [], other_slug)
        theirs.update(brands.get(platform_id, {}))
        reason = _reason(ours_name, theirs, other_name, _NAME) or _reason(
            ours_domains, theirs, other_name, _DOMAIN
        )
        if reason:
            found.append(Resemblance(other_name, other_slug, reason))
            if len(found) >= LIMIT:
                break
    return found


_NAME, _DOMAIN = "name", "domain"


def _reason(ours: dict[str, str], theirs: dict[str, str], other: str, what: str) -> str:
    for key, written in ours.items():
        match = next((t for t in theirs if close(key, t)), None)
        if match is None:
            continue
        params = {"platform": other, "ours": written, "theirs": theirs[match]}
        if what == _NAME and written == theirs[match]:
            return _("The name reads the same as the existing platform %(platform)s (“%(theirs)s”).") % params
        if what == _NAME:
            return (
                _("The name resembles the existing platform %(platform)s (“%(ours)s” and “%(theirs)s”).")
                % params
            )
        return _("The domain %(ours)s resembles the existing platform %(platform)s (%(theirs)s).") % params
    return ""


def for_platform(platform: Platform, *, hosts: Sequence[str] = ()) -> list[Resemblance]:
    return resemblances(
        name=platform.name,
        aliases=platform.aliases or [],
        slug=platform.slug,
        hosts=hosts,
        exclude_platform_id=platform.pk,
    )
