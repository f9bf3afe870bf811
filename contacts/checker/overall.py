"""One overall verdict per checked message: the highest risk among its items, plus what the message asks.

A pasted SMS that asks for a verification code or a transfer is dangerous whatever numbers it contains:
genuine support never asks for either. The page shows the overall verdict in one banner with one action
sentence; the per-item cards below explain each number and link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from contacts.checker.engine import LOOKALIKE, OFFICIAL, REPORTED, RETIRED, SUSPENDED
from helpdesk.redaction import SECRET_KEYWORDS

DANGER, CAUTION, SAFE, NOTHING = "danger", "caution", "safe", "nothing"
FRAUD_HOTLINE = "96110"  # the national anti-fraud hotline (国家反诈中心)

_ASK_VERBS = (
    r"提供|告诉|告知|发送|发给|发我|回复|输入|填写|报一下|报给|说出|转发|念一下|读一下|截图|"
    r"send|tell|give|share|reply|enter|provide|read|forward|confirm"
)
# A request: a verb and a secret within a short distance, in either order ("请回复验证码", "验证码发我").
_ASKS_FOR_SECRET = re.compile(
    rf"(?is)(?:(?:{_ASK_VERBS}).{{0,12}}(?:{SECRET_KEYWORDS})|(?:{SECRET_KEYWORDS}).{{0,8}}(?:{_ASK_VERBS}))"
)
_ASKS_FOR_MONEY = re.compile(
    r"(?i)(?:转账|汇款|打款|安全账户|保证金|解冻费|手续费|屏幕共享|共享屏幕|远程(?:协助|控制)|"
    r"transfer\s+(?:the\s+)?money|safe\s+account|screen\s*shar|remote\s+(?:access|control))"
)
_ORDER = {NOTHING: 0, SAFE: 1, CAUTION: 2, DANGER: 3}
_ITEM_LEVEL = {OFFICIAL: SAFE, LOOKALIKE: DANGER, REPORTED: DANGER, RETIRED: CAUTION, SUSPENDED: CAUTION}


@dataclass(frozen=True)
class Overall:
    level: str
    title: str
    action: str
    asks_for_secret: bool = False
    asks_for_money: bool = False


def item_level(verdict: str) -> str:
    return _ITEM_LEVEL.get(verdict, CAUTION)  # not listed: we cannot vouch for it


def overall(text: str, results: Iterable[Mapping[str, Any]]) -> Overall:
    verdicts = [str(r["verdict"]) for r in results]
    secret = bool(_ASKS_FOR_SECRET.search(text))
    money = bool(_ASKS_FOR_MONEY.search(text))
    level = max((item_level(v) for v in verdicts), key=_ORDER.__getitem__, default=NOTHING)
    if secret or money:
        level = DANGER
    if level == DANGER:
        if secret or money:
            title = (
                _("Danger: this message asks for a verification code or password")
                if secret
                else _("Danger: this message asks you to move money or share your screen")
            )
        else:
            title = _("Danger: this contains a fake or reported number or link")
        action = _(
            "Do not call, click or reply, and never give anyone a code or password. "
            "Lost money? Call the anti-fraud hotline %(hotline)s."
        ) % {"hotline": FRAUD_HOTLINE}
    elif level == CAUTION:
        title = _("Caution: we cannot confirm this is official")
        action = _(
            "Do not call it or click it: contact the platform through the official channels listed in "
            "our directory."
        )
    elif level == SAFE:
        title = (
            _("Official: everything we found is in the verified directory")
            if len(verdicts) > 1
            else _("Official: this is in the verified directory")
        )
        action = _("You may use it. Even official support never asks for your password or SMS code.")
    else:
        title = _("We found nothing to check")
        action = _("Paste the phone number, link or whole message you received.")
    return Overall(level, title, action, asks_for_secret=secret, asks_for_money=money)
