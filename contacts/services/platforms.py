"""Platforms, their official domains and website. Every change is audited.

One directory admin may edit a platform's details. Its official domains and website are what makes a
link "official" in the checker and on the platform page, so they follow the two-person rule like channels:
one admin proposes, a second approves exactly the proposed value (the database checks too, migration 0008).
Removing a domain or clearing the website only makes the directory safer, so one admin may do it at once.
Domains are canonical (IDNA/UTS-46), unique across platforms and must be ownable (``contacts.ownership``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from contacts import lookalike, ownership
from contacts.canonical import (
    brand_label,
    canonical_host,
    canonical_url,
    host_matches,
    registrable_domain,
    url_host,
)
from contacts.models import (
    DomainProposal,
    DomainProposalKind,
    OfficialDomain,
    Platform,
    PlatformStatus,
    ProposalStatus,
    platform_search_text,
)
from contacts.services._common import (
    directory_audit,
    rejection_reason,
    require_directory_admin,
    require_pending,
    require_proposer,
    require_reviewed,
    require_second_admin,
)
from helpdesk.audit import snapshot
from helpdesk.models import User

_FIELDS = [
    "name",
    "slug",
    "aliases",
    "legal_name",
    "unified_social_credit_code",
    "icp_licence",
    "status",
]


@transaction.atomic
def platform_save(
    *,
    actor: User,
    name: str,
    slug: str = "",
    aliases: Sequence[str] = (),
    legal_name: str = "",
    unified_social_credit_code: str = "",
    icp_licence: str = "",
    status: str = PlatformStatus.ACTIVE,
    platform: Platform | None = None,
) -> Platform:
    """Details only: the website and domains are proposals (``website_propose``, ``domain_propose``)."""
    require_directory_admin(actor)
    if platform is not None:
        platform = Platform.objects.select_for_update().get(pk=platform.pk)
    before = snapshot(platform, _FIELDS) if platform is not None else None
    target = platform or Platform()
    target.name = name.strip()
    target.slug = (slug or slugify(name)).strip().lower()
    target.aliases = [a.strip() for a in dict.fromkeys(aliases) if a.strip()]
    target.legal_name = legal_name.strip()
    target.unified_social_credit_code = unified_social_credit_code.strip().upper()
    target.icp_licence = icp_licence.strip()
    target.status = status
    if not target.slug:
        raise ValidationError({"slug": [_("Enter a short Latin name for the address, e.g. xingyun.")]})
    target.full_clean(exclude=["logo", "website", "website_proposal"])
    target.search_text = platform_search_text(target.name, target.aliases, target.slug)
    target.save()
    after = snapshot(target, _FIELDS)
    if before != after:
        renamed = before is None or any(before[f] != after[f] for f in ("name", "slug", "aliases"))
        warnings = [r.reason for r in lookalike.for_platform(target)] if renamed else []
        directory_audit(
            actor=actor,
            action="platform.create" if before is None else "platform.update",
            obj=target,
            before=before,
            after={**after, "lookalike_warnings": warnings} if warnings else after,
        )
    return target


def _proposal_json(proposal: DomainProposal) -> dict[str, Any]:
    return {
        "proposal": proposal.pk,
        "kind": proposal.kind,
        "value": proposal.value,
        "include_subdomains": proposal.include_subdomains,
        "status": proposal.status,
    }


def _create_proposal(
    *, actor: User, platform: Platform, kind: str, value: str, include_subdomains: bool, note: str
) -> DomainProposal:
    proposal = DomainProposal.objects.create(
        platform=platform,
        kind=kind,
        value=value,
        include_subdomains=include_subdomains,
        proposed_by=actor,
        note=note.strip(),
    )
    warnings = [
        r.reason
        for r in lookalike.for_platform(platform, hosts=[value if kind == "domain" else url_host(value)])
    ]
    directory_audit(
        actor=actor,
        action=f"platform.{kind}_propose",
        obj=platform,
        after={**_proposal_json(proposal), "lookalike_warnings": warnings},
        reason=proposal.note,
    )
    return proposal


@transaction.atomic
def domain_propose(
    *, actor: User, platform: Platform, domain: str, include_subdomains: bool = True, note: str = ""
) -> DomainProposal:
    """Propose an official domain (or a new subdomain rule for one); a second admin must approve it."""
    require_directory_admin(actor)
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    host = canonical_host(domain)
    ownership.require_ownable(host)
    official = OfficialDomain.objects.filter(domain=host).first()
    elsewhere = official is not None and official.platform_id != platform.pk
    if elsewhere or _registered_elsewhere(platform, host):
        raise ValidationError({"domain": [_("This domain is already listed for another platform.")]})
    if official is not None and official.include_subdomains == include_subdomains:
        raise ValidationError({"domain": [_("This domain is already an official domain of this platform.")]})
    pending = DomainProposal.objects.filter(
        kind=DomainProposalKind.DOMAIN, value=host, status=ProposalStatus.PENDING
    ).first()
    if pending is not None:
        if pending.platform_id != platform.pk:
            raise ValidationError({"domain": [_("This domain is already proposed for another platform.")]})
        raise ValidationError({"domain": [_("This domain already has a proposal waiting for approval.")]})
    return _create_proposal(
        actor=actor,
        platform=platform,
        kind=DomainProposalKind.DOMAIN,
        value=host,
        include_subdomains=include_subdomains,
        note=note,
    )


def _registered_elsewhere(platform: Platform, host: str) -> bool:
    """Another platform has this registrable domain (or a name under it) official or proposed: one
    registrant owns a registrable domain, so it cannot belong to two platforms."""
    registrable = registrable_domain(host)
    if OfficialDomain.objects.filter(registrable_domain=registrable).exclude(platform=platform).exists():
        return True
    return (
        DomainProposal.objects.filter(kind=DomainProposalKind.DOMAIN, status=ProposalStatus.PENDING)
        .filter(Q(value=registrable) | Q(value__endswith="." + registrable))
        .exclude(platform=platform)
        .exists()
    )


@transaction.atomic
def website_propose(*, actor: User, platform: Platform, website: str, note: str = "") -> DomainProposal:
    """Propose the platform's official website; a second admin approves it once its domain is official."""
    require_directory_admin(actor)
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    try:
        url = canonical_url(website)
    except ValidationError as exc:
        raise ValidationError({"website": exc.messages}) from None
    ownership.require_ownable(url_host(url), field="website")
    if url == platform.website:
        raise ValidationError({"website": [_("This is already the platform's official website.")]})
    if platform.domain_proposals.filter(
        kind=DomainProposalKind.WEBSITE, status=ProposalStatus.PENDING
    ).exists():
        raise ValidationError({"website": [_("A website change is already waiting for approval.")]})
    return _create_proposal(
        actor=actor,
        platform=platform,
        kind=DomainProposalKind.WEBSITE,
        value=url,
        include_subdomains=False,
        note=note,
    )


def _lock_pending(proposal: DomainProposal) -> DomainProposal:
    locked = DomainProposal.objects.select_for_update().select_related("platform").get(pk=proposal.pk)
    require_pending(locked)
    return locked


@transaction.atomic
def domain_proposal_approve(*, actor: User, proposal: DomainProposal, fingerprint: str) -> DomainProposal:
    """A second directory admin approves exactly the domain or website they reviewed (``fingerprint``)."""
    require_directory_admin(actor)
    proposal = _lock_pending(proposal)
    platform = Platform.objects.select_for_update().get(pk=proposal.platform_id)
    if proposal.proposed_by_id is None:
        raise ValidationError(
            _("Nobody is named as the proposer of this entry; reject it and propose it again.")
        )
    require_second_admin(proposal, actor)
    require_reviewed(proposal, fingerprint)
    host = proposal.value if proposal.kind == DomainProposalKind.DOMAIN else url_host(proposal.value)
    ownership.require_ownable(host)  # the lists may have grown since it was proposed
    now = timezone.now()
    if proposal.kind == DomainProposalKind.DOMAIN:
        official = OfficialDomain.objects.select_for_update().filter(domain=host).first()
        taken = OfficialDomain.objects.filter(registrable_domain=registrable_domain(host)).exclude(
            platform=platform
        )
        if (official is not None and official.platform_id != platform.pk) or taken.exists():
            raise ValidationError(_("This domain is already listed for another platform."))
        before = _domain_json(official) if official is not None else None
    else:
        if not _covered(platform, host):
            raise ValidationError(
                _("Approve the website's domain first: %(host)s is not an official domain of %(platform)s.")
                % {"host": host, "platform": platform.name}
            )
        before = {"website": platform.website}
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    if proposal.kind == DomainProposalKind.DOMAIN:
        official = official or OfficialDomain(platform=platform, domain=host)
        official.registrable_domain = registrable_domain(host)
        official.brand = brand_label(official.registrable_domain)
        official.include_subdomains = proposal.include_subdomains
        official.approved_proposal = proposal
        official.proposed_by_id = proposal.proposed_by_id
        official.approved_by = actor
        official.approved_at = now
        official.save()
        after: dict[str, Any] = _domain_json(official)
    else:
        platform.website = proposal.value
        platform.website_proposal = proposal
        platform.save(update_fields=["website", "website_proposal", "updated_at"])
        after = {"website": platform.website}
    directory_audit(
        actor=actor,
        action=f"platform.{proposal.kind}_approve",
        obj=platform,
        before=before,
        after={**after, "proposal": proposal.pk, "proposed_by": proposal.proposed_by_id},
    )
    return proposal


def _covered(platform: Platform, host: str) -> bool:
    return any(
        host_matches(host, d.domain, include_subdomains=d.include_subdomains)
        for d in OfficialDomain.objects.filter(platform=platform)
    )


@transaction.atomic
def domain_proposal_reject(*, actor: User, proposal: DomainProposal, reason: str) -> DomainProposal:
    require_directory_admin(actor)
    reason = rejection_reason(reason)
    proposal = _lock_pending(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    directory_audit(
        actor=actor,
        action=f"platform.{proposal.kind}_reject",
        obj=proposal.platform,
        after=_proposal_json(proposal),
        reason=proposal.reason,
    )
    return proposal


@transaction.atomic
def domain_proposal_withdraw(*, actor: User, proposal: DomainProposal) -> DomainProposal:
    require_directory_admin(actor)
    proposal = _lock_pending(proposal)
    require_proposer(proposal, actor)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    directory_audit(
        actor=actor,
        action=f"platform.{proposal.kind}_withdraw",
        obj=proposal.platform,
        after=_proposal_json(proposal),
    )
    return proposal


@transaction.atomic
def domain_remove(*, actor: User, domain: OfficialDomain, reason: str = "") -> None:
    """Immediate (one admin may stop a domain counting); a website it no longer covers is cleared too."""
    require_directory_admin(actor)
    domain = OfficialDomain.objects.select_for_update().select_related("platform").get(pk=domain.pk)
    platform = Platform.objects.select_for_update().get(pk=domain.platform_id)
    before = _domain_json(domain)
    domain.delete()
    directory_audit(actor=actor, action="platform.domain_remove", obj=platform, before=before, reason=reason)
    if platform.website and not _covered(platform, url_host(platform.website)):
        website_clear(actor=actor, platform=platform, reason=_("Its domain is no longer official."))


@transaction.atomic
def website_clear(*, actor: User, platform: Platform, reason: str = "") -> Platform:
    require_directory_admin(actor)
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    if not platform.website:
        return platform
    before = {"website": platform.website}
    platform.website = ""
    platform.website_proposal = None
    platform.save(update_fields=["website", "website_proposal", "updated_at"])
    directory_audit(
        actor=actor,
        action="platform.website_clear",
        obj=platform,
        before=before,
        after={"website": ""},
        reason=reason,
    )
    return platform


def _domain_json(domain: OfficialDomain) -> dict[str, Any]:
    return {"domain": domain.domain, "include_subdomains": domain.include_subdomains}


@transaction.atomic
def platform_update_with_domains(
    *, actor: User, platform: Platform | None, data: dict[str, Any]
) -> tuple[Platform, list[DomainProposal]]:
    """The platform form: its details at once; removed domains and a cleared website at once; new or
    changed domains and a new website as proposals for a second admin. Returns the new proposals."""
    saved = platform_save(
        actor=actor,
        platform=platform,
        name=data["name"],
        slug=data["slug"],
        aliases=data.get("aliases") or [],
        legal_name=data.get("legal_name", ""),
        unified_social_credit_code=data.get("unified_social_credit_code", ""),
        icp_licence=data.get("icp_licence", ""),
        status=data["status"],
    )
    note = data.get("domain_note", "")
    wanted = dict(data.get("domains") or [])
    official = {d.domain: d for d in saved.domains.all()}
    pending = {
        p.value: p
        for p in saved.domain_proposals.filter(kind=DomainProposalKind.DOMAIN, status=ProposalStatus.PENDING)
    }
    for host, existing in official.items():
        if host not in wanted:
            domain_remove(actor=actor, domain=existing)
    proposals = []
    for host, include_subdomains in wanted.items():
        same = official.get(host)
        if same is not None and same.include_subdomains == include_subdomains:
            continue
        if host in pending and pending[host].include_subdomains == include_subdomains:
            continue  # already proposed exactly so: saving the form again changes nothing
        proposals.append(
            domain_propose(
                actor=actor, platform=saved, domain=host, include_subdomains=include_subdomains, note=note
            )
        )
    website = (data.get("website") or "").strip()
    saved.refresh_from_db(fields=["website", "website_proposal"])
    if not website:
        website_clear(actor=actor, platform=saved)
        return saved, proposals
    try:
        url = canonical_url(website)
    except ValidationError as exc:
        raise ValidationError({"website": exc.messages}) from None
    waiting = saved.domain_proposals.filter(
        kind=DomainProposalKind.WEBSITE, status=ProposalStatus.PENDING
    ).first()
    if url != saved.website and (waiting is None or waiting.value != url):
        proposals.append(website_propose(actor=actor, platform=saved, website=url, note=note))
    return saved, proposals
