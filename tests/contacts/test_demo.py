from __future__ import annotations

from contacts.demo import seed
from contacts.models import ChannelState, ContactChannel, OfficialDomain, Platform


def rows(slug):
    return [
        (c.kind, c.value, c.state, c.replacement.value if c.replacement else None)
        for c in ContactChannel.objects.filter(platform__slug=slug).order_by("id")
    ]


def test_the_demo_directory_is_exactly_the_issue_table(demo):
    xingyun = Platform.objects.get(slug="xingyun")
    assert (xingyun.name, xingyun.aliases) == ("星云卡盟", ["Xingyun"])
    assert list(
        OfficialDomain.objects.filter(platform=xingyun).values_list("domain", "include_subdomains")
    ) == [("xingyunka.cn", True)]
    assert rows("xingyun") == [
        ("claims_hotline", "400-612-3456", "verified", None),
        ("customer_service_hotline", "400-612-3457", "verified", None),
        ("emergency_line", "95105-888", "verified", None),
        ("online_chat", "https://kf.xingyunka.cn/chat", "verified", None),
        ("email", "kefu@xingyunka.cn", "verified", None),
        ("claims_hotline", "400-612-3400", "retired", "400-612-3456"),
        ("callback_line", "021-6051-8800", "verified", None),
    ]
    line = ContactChannel.objects.get(value="021-6051-8800")
    assert line.canonical_value == "+862160518800" and not line.inbound_only
    # Published like every other channel: proposed by one admin, approved by the other.
    assert line.approved_proposal.proposed_by_id == line.verified_by_id != line.approved_by_id
    assert line.evidence.exists()
    hotline = ContactChannel.objects.get(value="400-612-3456")
    assert hotline.hours_mode == "always" and hotline.problem_types.count() == 10
    service = ContactChannel.objects.get(value="400-612-3457")
    assert [(w.weekday, f"{w.start:%H:%M}", f"{w.end:%H:%M}") for w in service.windows.all()] == [
        (d, "09:00", "18:00") for d in range(5)
    ]
    assert {pt.slug for pt in service.problem_types.all()} == {"how-to", "membership-benefit"}
    emergency = ContactChannel.objects.get(value="95105-888")
    assert emergency.canonical_value == "CN:95105888"
    assert {pt.slug for pt in emergency.problem_types.all()} == {"account-stolen", "fraud"}
    assert ContactChannel.objects.get(value="kefu@xingyunka.cn").hours_mode == "none"

    lanjing = Platform.objects.get(slug="lanjing")
    assert lanjing.name == "蓝鲸卡盟" and lanjing.domains.get().domain == "lanjingka.com"
    states = rows("lanjing")
    assert states[:2] == [
        ("claims_hotline", "400-820-7788", "verified", None),
        ("online_chat", "https://www.lanjingka.com/kefu", "verified", None),
    ]
    assert [s[2] for s in states[2:]] == [ChannelState.PENDING]
    assert not ContactChannel.objects.filter(platform=lanjing, kind="callback_line").exists()
    hotline = ContactChannel.objects.get(value="400-820-7788")
    assert {(w.weekday, w.start.hour, w.end.hour) for w in hotline.windows.all()} == {
        (d, 8, 22) for d in range(7)
    }


def test_seeding_again_changes_nothing(demo):
    before = list(ContactChannel.objects.values_list("id", "state", "updated_at"))
    seed()
    assert list(ContactChannel.objects.values_list("id", "state", "updated_at")) == before
