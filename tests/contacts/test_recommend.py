from __future__ import annotations

from datetime import datetime

from contacts import selectors
from contacts.hours import SHANGHAI
from contacts.recommend import ROUTINE, URGENT, recommend


def order(slug, problem, urgency, when):
    platform = selectors.platform_page(slug=slug)
    ranked = recommend(
        selectors.published_channels_of(platform=platform),
        problem_type_slug=problem,
        urgency=urgency,
        at=when,
    )
    return [r.channel.value for r in ranked]


MONDAY_10 = datetime(2026, 12, 7, 10, tzinfo=SHANGHAI)
SUNDAY_23 = datetime(2026, 12, 6, 23, tzinfo=SHANGHAI)


def test_an_urgent_stolen_account_goes_to_the_emergency_line_first(demo):
    ranked = order("xingyun", "account-stolen", URGENT, MONDAY_10)
    assert ranked[:2] == ["95105-888", "400-612-3456"]
    assert "400-612-3400" not in ranked  # retired numbers are never recommended


def test_a_routine_how_to_question_goes_to_chat_then_the_service_hotline(demo):
    ranked = order("xingyun", "how-to", ROUTINE, MONDAY_10)
    assert ranked[:2] == ["https://kf.xingyunka.cn/chat", "400-612-3457"]
    assert ranked[-1] == "95105-888"  # does not handle how-to questions


def test_closed_phone_lines_come_after_channels_that_take_the_case_now(demo):
    ranked = order("xingyun", "how-to", ROUTINE, SUNDAY_23)
    assert ranked.index("400-612-3457") > ranked.index("kefu@xingyunka.cn")
    lanjing = order("lanjing", "topup-not-credited", URGENT, SUNDAY_23)
    assert lanjing == ["https://www.lanjingka.com/kefu", "400-820-7788"]
    assert order("lanjing", "topup-not-credited", URGENT, MONDAY_10) == [
        "400-820-7788",
        "https://www.lanjingka.com/kefu",
    ]


def test_a_problem_nobody_lists_still_gets_every_channel(demo):
    assert len(order("xingyun", None, URGENT, MONDAY_10)) == 5
