"""Official domains and websites under the two-person rule (issue 11, item 3).

The database half runs on whichever database the suite uses: run the file with and without DATABASE_URL
to cover the PostgreSQL and the SQLite triggers.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from contacts import lookalike, services
from contacts.checker import check
from contacts.models import DomainProposal, OfficialDomain, Platform, ProposalStatus
from contacts.ownership import SHARED_HOSTS, refusal
from helpdesk.models import AuditEntry
from tests.factories import PlatformFactory
from tests.support.contacts import staff_client


@pytest.fixture(autouse=True)
def english():
    """Service messages are matched in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def jinlong(db) -> Platform:
    return PlatformFactory(name="金龙卡盟", slug="jinlong", aliases=["Jinlong"])


def propose(actor, platform, domain="jinlongka.cn", **kwargs) -> DomainProposal:
    return services.domain_propose(actor=actor, platform=platform, domain=domain, **kwargs)


def approve(actor, proposal) -> DomainProposal:
    return services.domain_proposal_approve(actor=actor, proposal=proposal, fingerprint=proposal.fingerprint)


def verdict(text: str) -> str:
    return check(text).results[0].verdict


# --- The service: propose, approve by a second admin, reject, withdraw, remove ----------------------------
def test_a_proposed_domain_counts_only_after_a_second_admin_approves(jinlong, admin_a, admin_b):
    proposal = propose(admin_a, jinlong, note="ICP 备案一致")
    assert not OfficialDomain.objects.exists()
    assert verdict("https://kf.jinlongka.cn/chat") != "official"
    with pytest.raises(PermissionDenied):
        approve(admin_a, proposal)
    approve(admin_b, proposal)
    domain = OfficialDomain.objects.get()
    assert (domain.domain, domain.proposed_by, domain.approved_by) == ("jinlongka.cn", admin_a, admin_b)
    assert domain.approved_proposal == proposal
    assert verdict("https://kf.jinlongka.cn/chat") == "official"
    actions = list(
        AuditEntry.objects.filter(object_type="contacts.platform", object_id=str(jinlong.pk))
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [("platform.domain_propose", admin_a.pk), ("platform.domain_approve", admin_b.pk)]


def test_an_approval_must_match_the_reviewed_values(jinlong, admin_a, admin_b):
    proposal = propose(admin_a, jinlong)
    with pytest.raises(ValidationError):
        services.domain_proposal_approve(actor=admin_b, proposal=proposal, fingerprint="0" * 64)
    assert not OfficialDomain.objects.exists()


def test_rejecting_and_withdrawing_are_audited_and_final(jinlong, admin_a, admin_b):
    first = propose(admin_a, jinlong)
    with pytest.raises(ValidationError):
        services.domain_proposal_reject(actor=admin_b, proposal=first, reason=" ")
    services.domain_proposal_reject(actor=admin_b, proposal=first, reason="ICP 备案不符")
    with pytest.raises(ValidationError):
        approve(admin_b, first)
    second = propose(admin_a, jinlong)
    with pytest.raises(PermissionDenied):
        services.domain_proposal_withdraw(actor=admin_b, proposal=second)
    services.domain_proposal_withdraw(actor=admin_a, proposal=second)
    assert list(DomainProposal.objects.order_by("id").values_list("status", flat=True)) == [
        ProposalStatus.REJECTED,
        ProposalStatus.WITHDRAWN,
    ]
    assert AuditEntry.objects.filter(action="platform.domain_reject", reason="ICP 备案不符").exists()
    assert AuditEntry.objects.filter(action="platform.domain_withdraw", actor=admin_a).exists()
    assert not OfficialDomain.objects.exists()


def test_a_domain_is_proposed_once_and_belongs_to_one_platform(jinlong, admin_a, admin_b):
    other = PlatformFactory(name="银狐卡盟", slug="yinhu")
    proposal = propose(admin_a, jinlong)
    with pytest.raises(ValidationError, match="waiting"):
        propose(admin_a, jinlong)
    with pytest.raises(ValidationError, match="another platform"):
        propose(admin_b, other, "KF.JINLONGKA.CN.")  # under the registrable domain of another platform
    with pytest.raises(ValidationError, match="another platform"):
        propose(admin_b, other)
    approve(admin_b, proposal)
    with pytest.raises(ValidationError, match="another platform"):
        propose(admin_b, other)


def test_removing_a_domain_is_immediate_and_audited_and_clears_its_website(jinlong, admin_a, admin_b):
    approve(admin_b, propose(admin_a, jinlong))
    website = services.website_propose(actor=admin_a, platform=jinlong, website="https://www.jinlongka.cn/")
    approve(admin_b, website)
    jinlong.refresh_from_db()
    assert jinlong.website == "https://www.jinlongka.cn"
    services.domain_remove(actor=admin_a, domain=jinlong.domains.get(), reason="域名已转让")
    jinlong.refresh_from_db()
    assert not jinlong.domains.exists() and jinlong.website == ""
    assert verdict("https://www.jinlongka.cn/") != "official"
    removed = AuditEntry.objects.get(action="platform.domain_remove")
    assert (removed.actor, removed.before, removed.reason) == (
        admin_a,
        {"domain": "jinlongka.cn", "include_subdomains": True},
        "域名已转让",
    )
    assert AuditEntry.objects.filter(action="platform.website_clear", actor=admin_a).exists()


def test_a_website_is_a_proposal_approved_after_its_domain(jinlong, admin_a, admin_b):
    website = services.website_propose(actor=admin_a, platform=jinlong, website="https://www.jinlongka.cn")
    jinlong.refresh_from_db()
    assert jinlong.website == ""
    with pytest.raises(ValidationError, match=r"jinlongka\.cn"):
        approve(admin_b, website)  # its domain is not official yet
    approve(admin_b, propose(admin_a, jinlong))
    with pytest.raises(PermissionDenied):
        approve(admin_a, website)
    approve(admin_b, website)
    jinlong.refresh_from_db()
    assert (jinlong.website, jinlong.website_proposal) == ("https://www.jinlongka.cn", website)
    assert AuditEntry.objects.filter(action="platform.website_approve", actor=admin_b).exists()


def test_changing_whether_subdomains_count_is_a_proposal(jinlong, admin_a, admin_b):
    approve(admin_b, propose(admin_a, jinlong, include_subdomains=False))
    assert verdict("https://kf.jinlongka.cn/") != "official"
    widen = propose(admin_a, jinlong, include_subdomains=True)
    assert not OfficialDomain.objects.get().include_subdomains
    approve(admin_b, widen)
    assert OfficialDomain.objects.get().include_subdomains
    assert verdict("https://kf.jinlongka.cn/") == "official"


# --- What can never be official ---------------------------------------------------------------------------
PUBLIC_SUFFIXES = [
    "com.cn",
    "公司.cn",
    "s3.amazonaws.com",
    "github.io",
    "vercel.app",
    "blogspot.com",
    "pages.dev",
    "gov.cn",
    "wixsite.com",
]
FREE_SUBDOMAINS = ["xingyun.github.io", "kf.vercel.app", "xingyunka.netlify.app", "shop.myshopify.com"]
SHARED = [
    "t.cn",
    "dwz.cn",
    "url.cn",
    "bit.ly",
    "mp.weixin.qq.com",
    "xingyun.blog.sohu.com",
    "docs.qq.com",
    "xingyun.feishu.cn",
    "weebly.com",
    "gitee.io",
    "xingyun-1250000000.cos.ap-guangzhou.myqcloud.com",
    "xingyun.oss-cn-hangzhou.aliyuncs.com",
]


@pytest.mark.parametrize("host", PUBLIC_SUFFIXES)
def test_public_suffixes_can_never_be_official(host, jinlong, admin_a):
    with pytest.raises(ValidationError, match="public suffix"):
        propose(admin_a, jinlong, host)


@pytest.mark.parametrize("host", FREE_SUBDOMAINS)
def test_free_subdomains_of_hosting_services_can_never_be_official(host, jinlong, admin_a):
    with pytest.raises(ValidationError, match="hosting service"):
        propose(admin_a, jinlong, host)


@pytest.mark.parametrize("host", SHARED)
def test_shared_hosts_and_link_shorteners_can_never_be_official(host, jinlong, admin_a):
    with pytest.raises(ValidationError, match="shared site"):
        propose(admin_a, jinlong, host)


@pytest.mark.parametrize("host", ["1.2.3.4", "xingyunka.local", "xingyunka.invalid-tld"])
def test_addresses_and_unknown_top_level_domains_can_never_be_official(host, jinlong, admin_a):
    with pytest.raises(ValidationError):
        propose(admin_a, jinlong, host)


@pytest.mark.parametrize("host", ["xingyunka.cn", "kf.xingyunka.com.cn", "xn--9kq20jh5t.cn", "lanjingka.com"])
def test_registrable_domains_of_ones_own_are_accepted(host):
    assert refusal(host) == ""


def test_every_shared_host_is_refused_with_its_subdomains():
    for host in SHARED_HOSTS:
        assert refusal(host) and refusal("kf." + host), host


def test_a_website_on_a_shared_host_is_refused(jinlong, admin_a):
    with pytest.raises(ValidationError, match="shared site"):
        services.website_propose(actor=admin_a, platform=jinlong, website="https://mp.weixin.qq.com/s/abc")


def test_the_platform_form_explains_the_refusal_and_keeps_the_input(admin_a):
    web = staff_client(admin_a)
    response = web.post(
        "/directory/platforms/new/",
        {
            "name": "金龙卡盟",
            "slug": "jinlong",
            "status": "active",
            "domains": "jinlongka.cn\ngithub.io\nt.cn",
            "website": "https://jinlong.github.io",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and not Platform.objects.filter(slug="jinlong").exists()
    assert body.count("github.io") >= 2 and "t.cn" in body and "jinlongka.cn" in body
    assert "公共后缀" in body or "public suffix" in body


# --- The database refuses what the services would ---------------------------------------------------------
def test_a_domain_cannot_be_written_official_directly(jinlong, admin_a, admin_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDomain.objects.create(platform=jinlong, domain="evil-phish.example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDomain.objects.create(
            platform=jinlong,
            domain="evil-phish.example.com",
            proposed_by=admin_a,
            approved_by=admin_b,
            approved_at=timezone.now(),
        )


def test_a_pending_proposal_does_not_make_a_domain_official_in_the_database(jinlong, admin_a, admin_b):
    proposal = propose(admin_a, jinlong)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDomain.objects.create(
            platform=jinlong,
            domain="jinlongka.cn",
            approved_proposal=proposal,
            proposed_by=admin_a,
            approved_by=admin_b,
            approved_at=timezone.now(),
        )


def test_one_admin_cannot_approve_in_the_database(jinlong, admin_a):
    proposal = propose(admin_a, jinlong)
    with pytest.raises(IntegrityError), transaction.atomic():
        DomainProposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.APPROVED, decided_by=admin_a, decided_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DomainProposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDomain.objects.create(
            platform=jinlong,
            domain="jinlongka.cn",
            approved_proposal=proposal,
            proposed_by=admin_a,
            approved_by=admin_a,
            approved_at=timezone.now(),
        )


def test_a_proposal_cannot_be_inserted_approved(jinlong, admin_a, admin_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        DomainProposal.objects.create(
            platform=jinlong,
            kind="domain",
            value="evil-phish.example.com",
            status=ProposalStatus.APPROVED,
            proposed_by=admin_a,
            decided_by=admin_b,
            decided_at=timezone.now(),
        )


def test_what_was_proposed_never_changes(jinlong, admin_a, admin_b):
    pending = propose(admin_a, jinlong)
    with pytest.raises(IntegrityError), transaction.atomic():
        DomainProposal.objects.filter(pk=pending.pk).update(value="evil-phish.example.com")
    approve(admin_b, pending)
    for change in (
        {"value": "evil-phish.example.com"},
        {"include_subdomains": False},
        {"status": ProposalStatus.REJECTED},
        {"decided_by": admin_a},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            DomainProposal.objects.filter(pk=pending.pk).update(**change)


def test_an_official_domain_keeps_exactly_its_approved_values(jinlong, admin_a, admin_b):
    approve(admin_b, propose(admin_a, jinlong, include_subdomains=False))
    other = PlatformFactory(name="银狐卡盟", slug="yinhu")
    for change in (
        {"domain": "evil-phish.example.com"},
        {"include_subdomains": True},
        {"platform": other},
        {"approved_by": admin_a},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            OfficialDomain.objects.filter(platform=jinlong).update(**change)
    assert OfficialDomain.objects.get().domain == "jinlongka.cn"


def test_an_approval_of_one_domain_cannot_be_reused_for_another(jinlong, admin_a, admin_b):
    proposal = approve(admin_b, propose(admin_a, jinlong))
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDomain.objects.create(
            platform=jinlong,
            domain="jinlongka-pay.cn",
            approved_proposal=proposal,
            proposed_by=admin_a,
            approved_by=admin_b,
            approved_at=timezone.now(),
        )


def test_a_shared_host_is_refused_by_the_database_even_when_approved(jinlong, admin_a, admin_b):
    # Written around the services (which refuse it): the check constraint still says no.
    proposal = DomainProposal.objects.create(
        platform=jinlong, kind="domain", value="xingyun.blog.sohu.com", proposed_by=admin_a
    )
    DomainProposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.APPROVED, decided_by=admin_b, decided_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDomain.objects.create(
            platform=jinlong,
            domain="xingyun.blog.sohu.com",
            registrable_domain="sohu.com",
            approved_proposal=proposal,
            proposed_by=admin_a,
            approved_by=admin_b,
            approved_at=timezone.now(),
        )


def test_a_website_cannot_be_written_directly(jinlong, admin_a, admin_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        Platform.objects.filter(pk=jinlong.pk).update(website="https://evil-phish.example.com")
    approve(admin_b, propose(admin_a, jinlong))
    proposal = approve(
        admin_b, services.website_propose(actor=admin_a, platform=jinlong, website="https://www.jinlongka.cn")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Platform.objects.filter(pk=jinlong.pk).update(website="https://evil-phish.example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Platform.objects.create(
            name="假卡盟", slug="fake", website="https://www.jinlongka.cn", website_proposal=proposal
        )


def test_a_migrated_entry_without_a_known_proposer_cannot_be_approved(jinlong, admin_b):
    orphan = DomainProposal.objects.create(platform=jinlong, kind="domain", value="jinlongka.cn")
    with pytest.raises(ValidationError, match="propose it again"):
        approve(admin_b, orphan)
    with pytest.raises(IntegrityError), transaction.atomic():
        DomainProposal.objects.filter(pk=orphan.pk).update(
            status=ProposalStatus.APPROVED, decided_by=admin_b, decided_at=timezone.now()
        )


# --- Only approved domains count anywhere -----------------------------------------------------------------
def test_pending_domains_are_not_shown_or_counted(client, demo, admin_a):
    lanjing = Platform.objects.get(slug="lanjing")
    propose(admin_a, lanjing, "lanjing-pay.com")
    services.website_propose(actor=admin_a, platform=lanjing, website="https://pay.lanjing-pay.com")
    assert verdict("https://pay.lanjing-pay.com/") != "official"
    page = client.get("/platforms/lanjing/").content.decode()
    assert "lanjing-pay.com" not in page
    body = client.get("/api/v1/platforms/lanjing/").json()
    assert body["domains"] == [{"domain": "lanjingka.com", "include_subdomains": True}]
    assert body["website"] == "https://www.lanjingka.com"


def test_the_demo_domains_and_websites_are_official_by_two_people(demo):
    for slug, domain in (("xingyun", "xingyunka.cn"), ("lanjing", "lanjingka.com")):
        platform = Platform.objects.get(slug=slug)
        official = platform.domains.get()
        assert official.domain == domain and official.proposed_by != official.approved_by
        assert platform.website == f"https://www.{domain}"
        assert platform.website_proposal.decided_by != platform.website_proposal.proposed_by


def test_seeding_again_leaves_the_domains_alone(demo):
    from contacts.demo import seed

    before = list(DomainProposal.objects.values_list("id", "status"))
    seed()
    assert list(DomainProposal.objects.values_list("id", "status")) == before


# --- Look-alike warnings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("星雲卡盟", ""),  # traditional 雲: the same pinyin
        ("Xingyun Card", ""),
        ("金龙卡盟", "xingyunka.com"),  # the same brand label, another ending
        ("金龙卡盟", "xlngyunka.cn"),  # one letter off
        ("金龙卡盟", "xingyunkaa.cn"),
        ("金龙卡盟", "xingyunka-kefu.cn"),  # brand + keyword
        ("金龙卡盟", "хingyunka.cn"),  # Cyrillic х
        ("金龙卡盟", "xingyunkameng.cn"),  # the pinyin of the name
    ],
)
def test_a_look_alike_name_or_domain_names_the_existing_platform(demo, name, domain):
    found = lookalike.resemblances(name=name, hosts=[domain] if domain else [])
    assert [r.platform_slug for r in found] == ["xingyun"], found
    assert "星云卡盟" in found[0].reason


@pytest.mark.parametrize(("name", "domain"), [("金龙卡盟", "jinlongka.cn"), ("银狐卡盟", "yinhu-card.com")])
def test_an_unrelated_platform_gets_no_warning(demo, name, domain):
    assert lookalike.resemblances(name=name, hosts=[domain]) == []


def test_the_reviewer_sees_the_look_alike_warning(demo, admin_a, admin_b):
    copycat = services.platform_save(actor=admin_a, name="星雲卡盟", slug="xingyun-vip")
    proposal = propose(admin_a, copycat, "xingyunka-vip.cn")
    reviewer = staff_client(admin_b)
    body = reviewer.get(f"/directory/domain-proposals/{proposal.pk}/").content.decode()
    assert 'role="alert"' in body and "星云卡盟" in body and "/directory/platforms/xingyun/" in body
    home = reviewer.get("/directory/").content.decode()
    assert f"/directory/domain-proposals/{proposal.pk}/" in home
    assert AuditEntry.objects.get(action="platform.create", object_id=str(copycat.pk)).after[
        "lookalike_warnings"
    ]
    assert AuditEntry.objects.get(action="platform.domain_propose", object_id=str(copycat.pk)).after[
        "lookalike_warnings"
    ]


def test_renaming_into_a_look_alike_is_audited_with_the_warning(demo, admin_a):
    jinlong = services.platform_save(actor=admin_a, name="金龙卡盟", slug="jinlong")
    mine = AuditEntry.objects.filter(object_type="contacts.platform", object_id=str(jinlong.pk))
    assert "lookalike_warnings" not in mine.get(action="platform.create").after
    services.platform_save(actor=admin_a, platform=jinlong, name="星雲卡盟", slug="jinlong")
    warnings = mine.get(action="platform.update").after["lookalike_warnings"]
    assert len(warnings) == 1 and "星云卡盟" in warnings[0]


def test_the_proposer_is_warned_when_saving(demo, admin_a):
    web = staff_client(admin_a)
    response = web.post(
        "/directory/platforms/new/",
        {"name": "星雲卡盟", "slug": "xingyun-vip", "status": "active", "domains": "xingyunka-vip.cn"},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "星云卡盟" in body and "message warning" in body


def test_a_channel_reviewer_is_warned_about_a_look_alike_platform(demo, admin_a, admin_b):
    from tests.support.contacts import draft, evidence

    copycat = services.platform_save(actor=admin_a, name="星雲卡盟", slug="xingyun-vip")
    proposal = services.channel_propose(
        actor=admin_a, platform=copycat, draft=draft(value="400-612-9999"), evidence=evidence()
    )
    body = staff_client(admin_b).get(f"/directory/proposals/{proposal.pk}/").content.decode()
    assert 'role="alert"' in body and "星云卡盟" in body


# --- The directory pages ----------------------------------------------------------------------------------
def test_a_second_admin_approves_on_the_page(jinlong, admin_a, admin_b):
    proposal = propose(admin_a, jinlong)
    own = staff_client(admin_a)
    own_page = own.get(f"/directory/domain-proposals/{proposal.pk}/").content.decode()
    assert f"/directory/domain-proposals/{proposal.pk}/approve/" not in own_page
    own.post(f"/directory/domain-proposals/{proposal.pk}/approve/", {"fingerprint": proposal.fingerprint})
    assert not OfficialDomain.objects.exists()
    other = staff_client(admin_b)
    response = other.post(
        f"/directory/domain-proposals/{proposal.pk}/approve/", {"fingerprint": proposal.fingerprint}
    )
    assert response.status_code == 302 and OfficialDomain.objects.get().approved_by == admin_b
    page = other.get("/directory/platforms/jinlong/").content.decode()
    assert "jinlongka.cn" in page


def test_a_second_admin_rejects_on_the_page_with_a_reason(jinlong, admin_a, admin_b):
    proposal = propose(admin_a, jinlong)
    other = staff_client(admin_b)
    other.post(f"/directory/domain-proposals/{proposal.pk}/reject/", {"reason": ""})
    assert DomainProposal.objects.get().status == ProposalStatus.PENDING
    other.post(f"/directory/domain-proposals/{proposal.pk}/reject/", {"reason": "不是该平台的域名"})
    assert DomainProposal.objects.get().status == ProposalStatus.REJECTED
    assert other.post(f"/directory/domain-proposals/{proposal.pk}/delete/").status_code == 404


def test_domain_pages_are_for_directory_admins_only(jinlong, admin_a, client, agent):
    proposal = propose(admin_a, jinlong)
    client.force_login(agent)
    assert client.get(f"/directory/domain-proposals/{proposal.pk}/").status_code in (302, 403)
