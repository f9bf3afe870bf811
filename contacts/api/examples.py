"""OpenAPI examples, taken from the demo directory (contacts.demo)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

CHANNEL = {
    "id": 2,
    "platform": "xingyun",
    "kind": "customer_service_hotline",
    "value": "400-612-3457",
    "canonical_value": "+864006123457",
    "label": "",
    "state": "verified",
    "languages": ["zh"],
    "expected_response_minutes": 10,
    "problem_types": ["how-to", "membership-benefit"],
    "inbound_only": True,
    "offers_callback": False,
    "notes": "",
    "hours": {
        "mode": "weekly",
        "windows": [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)],
        "holiday_rule": "calendar",
        "description": ["周一-周五 09:00-18:00", "法定节假日休息，调休工作日照常服务"],
    },
    "open_now": False,
    "next_open_at": "2026-12-07T09:00:00+08:00",
    "verified_at": "2026-12-01T10:00:00+08:00",
    "review_due_at": "2027-05-30T10:00:00+08:00",
    "replacement": None,
}
RETIRED = {
    **CHANNEL,
    "id": 6,
    "kind": "claims_hotline",
    "value": "400-612-3400",
    "canonical_value": "+864006123400",
    "state": "retired",
    "hours": {"mode": "none", "windows": [], "holiday_rule": "calendar", "description": []},
    "open_now": None,
    "next_open_at": None,
    "replacement": {"id": 1, "kind": "claims_hotline", "value": "400-612-3456"},
}
PLATFORM = {"slug": "xingyun", "name": "星云卡盟", "aliases": ["Xingyun"], "status": "active"}
PLATFORM_DETAIL = {
    **PLATFORM,
    "legal_name": "",
    "unified_social_credit_code": "",
    "icp_licence": "",
    "website": "https://www.xingyunka.cn",
    "domains": [{"domain": "xingyunka.cn", "include_subdomains": True}],
    "channels": [CHANNEL, RETIRED],
}
PROPOSAL = {
    "id": 9,
    "platform": "lanjing",
    "channel": 9,
    "status": "pending",
    "values": {
        "kind": "customer_service_hotline",
        "value": "400-820-7789",
        "canonical_value": "+864008207789",
        "label": "",
        "languages": ["zh"],
        "expected_response_minutes": None,
        "problem_types": ["how-to"],
        "inbound_only": False,
        "offers_callback": False,
        "notes": "",
        "hours_mode": "weekly",
        "windows": [[d, "09:00", "18:00"] for d in range(5)],
        "holiday_rule": "calendar",
        "valid_from": None,
        "valid_until": None,
    },
    "fingerprint": "5f0c0d7e9a3b4c21d6e8f7a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9",
    "proposed_by": "D3001",
    "proposed_at": "2026-12-01T10:00:00+08:00",
    "note": "",
    "decided_by": None,
    "decided_at": None,
    "reason": "",
}

platform_list = [OpenApiExample("Search result", value=PLATFORM, response_only=True)]
platform_detail = [OpenApiExample("星云卡盟", value=PLATFORM_DETAIL, response_only=True)]
channel = [OpenApiExample("Verified hotline", value=CHANNEL, response_only=True)]
channel_list = [
    OpenApiExample("Verified hotline", value=CHANNEL, response_only=True),
    OpenApiExample("Retired number", value=RETIRED, response_only=True),
]
proposal = [OpenApiExample("Pending proposal", value=PROPOSAL, response_only=True)]
proposal_input = [
    OpenApiExample(
        "New emergency line",
        value={
            "platform": "lanjing",
            "kind": "emergency_line",
            "value": "95105-777",
            "problem_types": ["account-stolen", "fraud"],
            "hours_mode": "always",
            "evidence": [
                {
                    "method": "official_site",
                    "note": "官网联系我们页面",
                    "url": "https://www.lanjingka.com/contact",
                }
            ],
        },
        request_only=True,
    )
]
DOMAIN_PROPOSAL = {
    "id": 7,
    "platform": "lanjing",
    "kind": "domain",
    "value": "lanjing-pay.com",
    "include_subdomains": True,
    "status": "pending",
    "fingerprint": "5a7a751280b947a2fbb5b7b1b4deeb1f1d94a8cb9c74cb0e987164473fba3665",
    "proposed_by": "A1000",
    "proposed_at": "2026-12-01T10:00:00+08:00",
    "note": "ICP 备案与平台官网一致",
    "decided_by": None,
    "decided_at": None,
    "reason": "",
}
domain_proposal = [OpenApiExample("Pending domain", value=DOMAIN_PROPOSAL, response_only=True)]
domain_proposal_input = [
    OpenApiExample(
        "New official domain",
        value={"platform": "lanjing", "kind": "domain", "value": "lanjing-pay.com", "note": "ICP 备案一致"},
        request_only=True,
    )
]
evidence = [OpenApiExample("Stored", value={"id": 12, "sha256": "9f86d081884c7d65…"}, response_only=True)]

CHECK_SMS = {
    "query": "【星云卡盟】您的账户异常，请致电 400-612-3465，官方热线 400-612-3456",
    "results": [
        {
            "input": "400-612-3465",
            "kind": "phone",
            "canonical": "+864006123465",
            "verdict": "lookalike",
            "platform": None,
            "channel": None,
            "replacement": None,
            "similar_to": {
                "value": "400-612-3456",
                "canonical": "+864006123456",
                "platform": {"slug": "xingyun", "name": "星云卡盟"},
                "channel": {"id": 1, "kind": "claims_hotline"},
            },
            "reason": "与星云卡盟的官方号码 400-612-3456 相比，有两位相邻数字顺序颠倒。 "
            "不要拨打、点击或回复；请使用目录中列出的平台官方渠道。",
            "warnings": [],
            "extension": None,
            "ivr": None,
            "reports": None,
        },
        {
            "input": "400-612-3456",
            "kind": "phone",
            "canonical": "+864006123456",
            "verdict": "official",
            "platform": {"slug": "xingyun", "name": "星云卡盟"},
            "channel": {"id": 1, "kind": "claims_hotline"},
            "replacement": None,
            "similar_to": None,
            "reason": "这是星云卡盟的官方理赔专线，已经目录核实。",
            "warnings": ["这个号码从不主动给您打电话：显示该号码的来电是伪造的。"],
            "extension": None,
            "ivr": None,
            "reports": None,
        },
    ],
}
check = [OpenApiExample("A pasted SMS", value=CHECK_SMS, response_only=True)]
