"""Platforms and their official domains. One directory admin may edit them; every change is audited.

Domains matter to the link checker, so they are canonical (IDNA/UTS-46) and unique across platforms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from contacts.canonical import brand_label, canonical_host, registrable_domain
from contacts.models import OfficialDomain, Platform, PlatformStatus, platform_search_text
from contacts.services._common import require_directory_admin
from helpdesk.audit import audit_record, snapshot
from helpdesk.models import User

_FIELDS = [
    "name",
    "slug",
    "aliases",
    "legal_name",
    "unified_social_credit_code",
    "icp_licence",
    "website",
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
    website: str = "",
    status: str = PlatformStatus.ACTIVE,
    platform: Platform | None = None,
) -> Platform:
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
    target.website = website.strip()
    target.status = status
    if not target.slug:
        raise ValidationError({"slug": [_("Enter a short Latin name for the address, e.g. xingyun.")]})
    target.full_clean(exclude=["logo"])
    target.search_text = platform_search_text(target.name, target.aliases, target.slug)
    target.save()
    after = snapshot(target, _FIELDS)
    if before != after:
        audit_record(
            actor=actor,
            action="platform.create" if before is None else "platform.update",
            obj=target,
            before=before,
            after=after,
        )
    return target


@transaction.atomic
def domain_add(
    *, actor: User, platform: Platform, domain: str, include_subdomains: bool = True
) -> OfficialDomain:
    require_directory_admin(actor)
    host = canonical_host(domain)
    existing = OfficialDomain.objects.filter(domain=host).select_related("platform").first()
    if existing is not None:
        if existing.platform_id != platform.pk:
            raise ValidationError({"domain": [_("This domain is already listed for another platform.")]})
        if existing.include_subdomains == include_subdomains:
            return existing
        existing.include_subdomains = include_subdomains
        existing.save(update_fields=["include_subdomains"])
        audit_record(actor=actor, action="platform.domain_update", obj=platform, after=_domain_json(existing))
        return existing
    created = OfficialDomain.objects.create(
        platform=platform,
        domain=host,
        registrable_domain=registrable_domain(host),
        brand=brand_label(registrable_domain(host)),
        include_subdomains=include_subdomains,
    )
    audit_record(actor=actor, action="platform.domain_add", obj=platform, after=_domain_json(created))
    return created


@transaction.atomic
def domain_remove(*, actor: User, domain: OfficialDomain) -> None:
    require_directory_admin(actor)
    before = _domain_json(domain)
    platform = domain.platform
    domain.delete()
    audit_record(actor=actor, action="platform.domain_remove", obj=platform, before=before)


def _domain_json(domain: OfficialDomain) -> dict[str, Any]:
    return {"domain": domain.domain, "include_subdomains": domain.include_subdomains}


@transaction.atomic
def platform_update_with_domains(*, actor: User, platform: Platform | None, data: dict[str, Any]) -> Platform:
    """The platform form: its fields plus the complete list of official domains."""
    saved = platform_save(
        actor=actor,
        platform=platform,
        name=data["name"],
        slug=data["slug"],
        aliases=data.get("aliases") or [],
        legal_name=data.get("legal_name", ""),
        unified_social_credit_code=data.get("unified_social_credit_code", ""),
        icp_licence=data.get("icp_licence", ""),
        website=data.get("website", ""),
        status=data["status"],
    )
    wanted = dict(data.get("domains") or [])
    for existing in list(saved.domains.all()):
        if existing.domain not in wanted:
            domain_remove(actor=actor, domain=existing)
    for host, include_subdomains in wanted.items():
        domain_add(actor=actor, platform=saved, domain=host, include_subdomains=include_subdomains)
    return saved
