from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from helpdesk.models import AuditEntry, OutboxMessage
from helpdesk.uploads import clean_upload
from tests.factories import ClaimFactory, problem_type
from tests.support.tickets import claim_input, png_file
from tickets.claims import services
from tickets.models import ClaimEvent, ClaimStatus, EventKind, Evidence, PlatformClaimPolicy, Priority

REFERENCE = re.compile(r"^XY-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$")


def test_it_files_a_claim_with_reference_subject_event_audit_and_outbox(customer, platform):
    claim = services.claim_create(customer=customer, data=claim_input(platform))
    assert REFERENCE.match(claim.reference)
    assert claim.subject == "20240520001-充值未到账-紧急"
    assert claim.status == ClaimStatus.NEW
    assert claim.priority == Priority.P2
    kinds = [e.kind for e in ClaimEvent.objects.filter(claim=claim).order_by("id")]
    # the promises made at filing (first reply, resolution) are on the timeline too
    assert kinds == [EventKind.FILED, EventKind.SLA_PROMISE, EventKind.SLA_PROMISE]
    assert AuditEntry.objects.filter(action="claim.filed", object_id=str(claim.pk)).exists()
    message = OutboxMessage.objects.get(event="claim.filed")
    assert message.payload == {"claim_id": claim.pk}


def test_references_are_random_not_sequential(customer, platform):
    refs = {
        services.claim_create(
            customer=customer, data=claim_input(platform, order_number=f"A{i:05d}")
        ).reference
        for i in range(5)
    }
    assert len({r[-6:] for r in refs}) == 5


def test_routine_claims_get_a_routine_subject(customer, platform):
    data = claim_input(platform, problem_type=problem_type("how-to"), amount=Decimal("10"))
    claim = services.claim_create(customer=customer, data=data)
    assert claim.subject.endswith("-使用咨询-一般")
    assert claim.priority == Priority.P4


def test_high_value_claims_are_flagged(customer, platform, settings):
    claim = services.claim_create(customer=customer, data=claim_input(platform, amount=Decimal("500.00")))
    assert claim.is_high_value
    assert claim.urgency_parts["high_value"] > 0


def test_it_masks_sensitive_text_before_storage(customer, platform):
    data = claim_input(
        platform, description="卡号 6222 0212 3456 7890 128，验证码 123456，帮我查一下到账情况"
    )
    claim = services.claim_create(customer=customer, data=data)
    assert "6222 0212 3456 7890 128" not in claim.description
    assert "123456" not in claim.description
    assert set(claim.redacted_kinds) == {"bank_card", "secret"}


def test_a_second_open_claim_for_the_same_order_leads_to_the_first(customer, platform):
    first = services.claim_create(customer=customer, data=claim_input(platform))
    with pytest.raises(services.DuplicateOpenClaim) as caught:
        services.claim_create(customer=customer, data=claim_input(platform))
    assert caught.value.claim.pk == first.pk


def test_a_finished_claim_does_not_block_a_new_one(customer, platform):
    first = services.claim_create(customer=customer, data=claim_input(platform))
    services.claim_withdraw(claim=first, actor=customer)
    second = services.claim_create(customer=customer, data=claim_input(platform))
    assert second.pk != first.pk


def test_staff_cannot_file_claims(agent, platform):
    with pytest.raises(PermissionDenied):
        services.claim_create(customer=agent, data=claim_input(platform))


def test_a_late_claim_is_accepted_and_flagged(customer, platform):
    PlatformClaimPolicy.objects.create(
        platform=platform,
        problem_type=problem_type(),
        report_within=timedelta(hours=24),
        rule_zh="充值失败须在24小时内报告",
        rule_en="Failed top-ups must be reported within 24 hours",
    )
    late = services.claim_create(
        customer=customer, data=claim_input(platform, paid_at=timezone.now() - timedelta(hours=30))
    )
    assert late.late_filed and "24" in late.late_reason
    on_time = services.claim_create(
        customer=customer, data=claim_input(platform, order_number="B1", paid_at=timezone.now())
    )
    assert not on_time.late_filed


def test_evidence_is_stored_with_its_hash(customer, platform):
    upload = clean_upload(png_file())
    claim = services.claim_create(customer=customer, data=claim_input(platform), evidence=[upload, upload])
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.sha256 == upload.sha256
    assert evidence.storage_name.startswith("evidence/")
    assert "screenshot" not in evidence.storage_name
    kinds = list(
        ClaimEvent.objects.filter(claim=claim)
        .exclude(kind=EventKind.SLA_PROMISE)
        .values_list("kind", flat=True)
    )
    assert kinds == [EventKind.FILED, EventKind.EVIDENCE_ADDED]


def test_reply_from_the_customer_resumes_a_claim_waiting_on_them(customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform, status=ClaimStatus.WAITING_ON_CUSTOMER)
    event = services.claim_reply(claim=claim, author=customer, body="订单截图已补充，密码是abc123")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN
    assert "abc123" not in event.body


def test_only_the_owner_acts_on_a_claim(customer, other_customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    with pytest.raises(PermissionDenied):
        services.claim_reply(claim=claim, author=other_customer, body="hello")
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(claim=claim, actor=other_customer)


def test_withdraw_confirm_rate(customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    services.claim_confirm_resolved(claim=claim, actor=customer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED and claim.resolved_at
    services.claim_rate(claim=claim, actor=customer, rating=5, comment="很快")
    claim.refresh_from_db()
    assert claim.rating == 5
    with pytest.raises(ValidationError):
        services.claim_rate(claim=claim, actor=customer, rating=4)
    with pytest.raises(ValidationError):
        services.claim_withdraw(claim=claim, actor=customer)


def test_rating_needs_a_resolved_claim(customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    with pytest.raises(ValidationError):
        services.claim_rate(claim=claim, actor=customer, rating=5)


def test_reopen_works_within_the_window_only(customer, platform, settings):
    settings.CLAIM_REOPEN_WINDOW = timedelta(days=7)
    claim = ClaimFactory(customer=customer, platform=platform)
    services.claim_confirm_resolved(claim=claim, actor=customer)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        services.claim_reopen(claim=claim, actor=customer, reason="又没到账了")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN and claim.resolved_at is None
    services.claim_confirm_resolved(claim=claim, actor=customer)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)), pytest.raises(ValidationError):
        services.claim_reopen(claim=claim, actor=customer, reason="还是不行")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED


def test_state_changes_are_audited_and_emit_events(customer, platform):
    claim = ClaimFactory(customer=customer, platform=platform)
    services.claim_withdraw(claim=claim, actor=customer, reason="已自行解决")
    assert AuditEntry.objects.filter(action="claim.withdrawn", object_id=str(claim.pk)).exists()
    assert OutboxMessage.objects.filter(event="claim.status_changed").count() == 1


def test_evidence_limit_per_claim(customer, platform, settings):
    settings.EVIDENCE_MAX_FILES = 2
    claim = ClaimFactory(customer=customer, platform=platform)
    files = [clean_upload(png_file(color=c)) for c in ("red", "blue", "green")]
    with pytest.raises(ValidationError):
        services.claim_add_evidence(claim=claim, actor=customer, files=files)
    assert services.claim_add_evidence(claim=claim, actor=customer, files=files[:2])
    assert Evidence.objects.filter(claim=claim).count() == 2


def test_reference_data_is_cached_per_process_when_enabled(
    customer, platform, settings, django_assert_num_queries
):
    from tickets import reference_data
    from tickets.claims import selectors

    settings.CLAIM_REFERENCE_DATA_TTL = 60
    reference_data.forget()
    try:
        assert selectors.cached_platform("xingyun") == platform
        with django_assert_num_queries(0):
            assert selectors.cached_platform("xingyun") == platform
            assert selectors.cached_platform("xingyun").name == "星云卡盟"
    finally:
        reference_data.forget()
