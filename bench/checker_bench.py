"""Checker benchmark: ``GET /api/v1/check/`` with 60,000 channels and 100,000 scam reports (not a test).

Run against a throwaway PostgreSQL database (it migrates it and fills it once):

    createdb -h 127.0.0.1 -U postgres claimdesk_checker_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_checker_bench
    .venv/bin/python -m bench.checker_bench

Prints p50/p95/max in milliseconds and the SQL queries per request. The target (issue #4): p95 <= 10 ms
in-process for a single number and <= 30 ms for a 500-character pasted message, with a query count that
does not grow with the number of channels.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time

os.environ.setdefault("API_THROTTLE_ANON", "100000000/min")
os.environ.setdefault("API_THROTTLE_CHECKER", "100000000/min")
os.environ.setdefault("API_THROTTLE_USER", "100000000/min")  # applies to anonymous clients too

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.contacts_bench import measure, populate
from contacts.canonical import brand_label
from contacts.models import (
    ContactChannel,
    DomainProposal,
    OfficialDomain,
    Platform,
    ReportedValue,
    ScamReport,
)
from helpdesk.models import User

REPORTS = int(os.environ.get("BENCH_REPORTS", "100000"))
REPORTED_VALUES = REPORTS // 5


def populate_domains_and_reports() -> None:
    if ScamReport.objects.exists():
        return
    started = time.perf_counter()
    rng = random.Random(5)
    platforms = list(
        Platform.objects.filter(slug__startswith="bench-").order_by("id").values_list("id", flat=True)
    )
    proposer = User.objects.get(email="bench-a@example.com")
    approver = User.objects.get(email="bench-b@example.com")
    with transaction.atomic():
        # Official domains exist only as approved proposals of two people (migration contacts 0008):
        # proposed pending, approved by the second admin, then listed.
        DomainProposal.objects.bulk_create(
            [
                DomainProposal(platform_id=pk, kind="domain", value=f"bench{i}.cn", proposed_by=proposer)
                for i, pk in enumerate(platforms)
            ],
            batch_size=5000,
        )
        approved_at = timezone.now()
        DomainProposal.objects.filter(proposed_by=proposer, status="pending").update(
            status="approved", decided_by=approver, decided_at=approved_at
        )
        by_value = dict(
            DomainProposal.objects.filter(kind="domain", value__startswith="bench").values_list("value", "id")
        )
        OfficialDomain.objects.bulk_create(
            [
                OfficialDomain(
                    platform_id=pk,
                    domain=f"bench{i}.cn",
                    registrable_domain=f"bench{i}.cn",
                    brand=brand_label(f"bench{i}.cn"),
                    approved_proposal_id=by_value[f"bench{i}.cn"],
                    proposed_by=proposer,
                    approved_by=approver,
                    approved_at=approved_at,
                )
                for i, pk in enumerate(platforms)
            ],
            batch_size=5000,
        )
        now = timezone.now()
        values = []
        for i in range(REPORTED_VALUES):
            phone = f"+86400{rng.randrange(10**7):07d}"
            canonical = f"bench{i}-kefu.com" if i % 3 == 2 else phone
            values.append(
                ReportedValue(
                    canonical_value=canonical,
                    kind="url" if "." in canonical else "phone",
                    display_value=canonical,
                    platform_id=rng.choice(platforms),
                    status=rng.choice(["open", "open", "open", "confirmed", "dismissed"]),
                    first_reported_at=now,
                    last_reported_at=now,
                )
            )
        ReportedValue.objects.bulk_create(values, batch_size=5000, ignore_conflicts=True)
        ids = list(ReportedValue.objects.values_list("id", flat=True))
        ScamReport.objects.bulk_create(
            [
                ScamReport(
                    target_id=rng.choice(ids),
                    value="x",
                    found_where="sms",
                    reporter_hash=secrets.token_hex(32),
                    created_at=now - timezone.timedelta(days=rng.randrange(180)),
                )
                for _ in range(REPORTS)
            ],
            batch_size=10000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    print(
        f"populated {len(platforms)} domains, {len(ids)} reported values, {REPORTS} reports in {elapsed:.1f}s"
    )


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL to a throwaway database.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    populate()
    populate_domains_and_reports()
    print(
        f"data: {ContactChannel.objects.count()} channels, {OfficialDomain.objects.count()} domains, "
        f"{ReportedValue.objects.count()} reported values, {ScamReport.objects.count()} reports"
    )
    rng = random.Random(13)
    numbers = [
        f"400-{(n // 10000) % 1000:03d}-{n % 10000:04d}"
        for n in (4000000000 + rng.randrange(10000) * 10 for _ in range(400))
    ]
    reported = list(
        ReportedValue.objects.filter(kind="phone").values_list("canonical_value", flat=True)[:400]
    )
    client = Client()

    def get(q: str) -> object:
        response = client.get("/api/v1/check/", {"q": q})
        assert response.status_code == 200, response.content
        return response

    def message(i: int) -> str:
        n = rng.randrange(10000)
        text = (
            f"【蓝鲸卡盟】尊敬的会员，您的账户于今日14:30存在异常登录，订单号2024052000{i % 10}的退款已冻结。"
            f"请在24小时内致电专属客服 {numbers[i % 400]} 转 2，"
            f"或拨打 400-{(n // 10000) % 1000:03d}-{n % 10000:04d}，"
            f"也可访问 http://bench{n}.cn.verify-kf.com/login?ref=bench{n}.cn "
            f"或 bench{n}-tuikuan.com 办理解冻。"
            f"如未处理将影响您的信用，请勿泄露验证码 123456。官方邮箱 kefu@bench{n}.cn，QQ：{10000 + n}，"
            f"微信号：bench_kefu{n}。境外专线 +852 {numbers[(i + 1) % 400]}，短信通知号码 1069{n:08d}，"
            f"紧急热线 95{n:06d}。退订回T。如有疑问请回复本短信或拨打 {reported[i % len(reported)][3:]}。"
            "为保障您的资金安全，工作人员将通过远程协助为您办理退款，请提前下载向日葵或ToDesk并告知识别码，"
            "同时准备好银行卡和身份证。本次退款通道名额有限，逾期将自动关闭，所产生的损失由您本人承担。"
            "客服工作时间为每日早上八点至晚上十点，节假日照常服务，感谢您的理解与配合，祝您生活愉快！"
        )
        return text

    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    sample = message(0)
    print(f"message length: {len(sample)} characters, items found: {len(get(sample).json()['results'])}")
    measure("single number, official", lambda i: get(numbers[i % 400]))
    measure("single number, one digit off", lambda i: get(numbers[i % 400][:-1] + "9"))
    measure("single number, reported", lambda i: get(reported[i % len(reported)][3:]))
    measure("single link, brand+keyword", lambda i: get(f"https://bench{i}-kefu.com/refund"))
    measure("500-character SMS", lambda i: get(message(i)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
