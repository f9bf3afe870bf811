"""Directory admin UX (issue 14): the second admin is told a proposal waits, the diff reads as words,
publishing asks for confirmation, and a new channel starts from sensible service hours."""

from __future__ import annotations

from contacts import services
from contacts.models import ProposalStatus
from helpdesk.models import Notification, OutboxMessage
from tests.support.contacts import draft, evidence, staff_client


def propose(admin, platform, **overrides):
    return services.channel_propose(
        actor=admin, platform=platform, draft=draft(**overrides), evidence=evidence()
    )


def test_the_other_directory_admins_are_told_a_proposal_waits(
    admin_a, admin_b, platform, django_capture_on_commit_callbacks
):
    proposal = propose(admin_a, platform)
    rows = OutboxMessage.objects.filter(
        event="notification.send", payload__event="directory.proposal_pending"
    )
    assert rows.count() == 1
    payload = rows.get().payload
    assert payload["user_ids"] == [admin_b.pk]  # not the proposer
    assert payload["url"] == f"/directory/proposals/{proposal.pk}/"


def test_the_notification_template_exists_in_both_languages(db):
    from helpdesk.models import NotificationTemplate

    languages = set(
        NotificationTemplate.objects.filter(event="directory.proposal_pending", channel="in_app").values_list(
            "language", flat=True
        )
    )
    assert languages == {"zh-hans", "en"}


def test_the_directory_home_counts_what_waits_for_you(admin_a, admin_b, platform):
    propose(admin_a, platform)
    assert 'data-testid="awaiting-you"' not in staff_client(admin_a).get("/directory/").content.decode()
    page = staff_client(admin_b).get("/directory/").content.decode()
    assert 'data-testid="awaiting-you"' in page and "1 项等待您审核" in page


def test_the_diff_shows_words_not_stored_codes(admin_a, admin_b, platform):
    proposal = propose(admin_a, platform, languages=["zh", "en"], hours_mode="always", holiday_rule="ignore")
    page = staff_client(admin_b).get(f"/directory/proposals/{proposal.pk}/").content.decode()
    rows = page[page.index('class="diff"') :]
    for raw in (">en, zh<", ">always<", ">ignore<", ">topup-not-credited"):
        assert raw not in rows, raw
    assert "English, 中文" in rows and "节假日时间不变" in rows and "7×24" in rows
    assert "充值未到账" in rows


def test_publishing_asks_for_confirmation(admin_a, admin_b, platform):
    proposal = propose(admin_a, platform)
    reviewer = staff_client(admin_b)
    page = reviewer.get(f"/directory/proposals/{proposal.pk}/").content.decode()
    assert f'action="/directory/proposals/{proposal.pk}/confirm/"' in page and 'method="get"' in page
    response = reviewer.post(
        f"/directory/proposals/{proposal.pk}/approve/", {"fingerprint": proposal.fingerprint}
    )
    assert response.url == f"/directory/proposals/{proposal.pk}/confirm/"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    # The proposer never reaches the confirm step (two-person rule).
    own = staff_client(admin_a).get(f"/directory/proposals/{proposal.pk}/confirm/")
    assert own.url == f"/directory/proposals/{proposal.pk}/"
    reviewer.post(
        f"/directory/proposals/{proposal.pk}/approve/",
        {"fingerprint": proposal.fingerprint, "confirm": "yes"},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


def test_a_new_channel_starts_from_daily_service_hours(admin_a, platform):
    page = staff_client(admin_a).get(f"/directory/platforms/{platform.slug}/propose/").content.decode()
    assert '<option value="weekly" selected>' in page
    assert "Mon-Sun 09:00-21:00" in page
    assert Notification.objects.count() == 0
