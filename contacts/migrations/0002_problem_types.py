"""The standard problem types of card-platform claims (../shared/DOMAIN.md). Editable data afterwards."""

from __future__ import annotations

from django.db import migrations

# slug, Chinese, English, severity (1 low .. 4 critical), order
PROBLEM_TYPES = [
    ("topup-not-credited", "充值未到账", "Top-up not credited", 3, 10),
    ("card-code-invalid", "卡密无效或已被使用", "Card code invalid or already used", 3, 20),
    ("account-stolen", "账号被盗", "Account stolen", 4, 30),
    ("account-frozen", "账号被冻结", "Account frozen", 3, 40),
    ("fraud", "盗刷或诈骗", "Fraud or unauthorised charge", 4, 50),
    ("merchant-vanished", "商家跑路或未发货", "Merchant vanished or did not deliver", 3, 60),
    ("duplicate-charge", "重复扣款", "Duplicate charge", 2, 70),
    ("membership-benefit", "会员权益未生效", "Membership benefit not applied", 2, 80),
    ("trade-dispute", "交易纠纷", "Trade dispute", 2, 90),
    ("how-to", "使用咨询", "How-to question", 1, 100),
]


def forward(apps, schema_editor):
    ProblemType = apps.get_model("contacts", "ProblemType")
    for slug, name_zh, name_en, severity, order in PROBLEM_TYPES:
        ProblemType.objects.update_or_create(
            slug=slug, defaults={"name_zh": name_zh, "name_en": name_en, "severity": severity, "sort_order": order}
        )


def backward(apps, schema_editor):
    apps.get_model("contacts", "ProblemType").objects.filter(slug__in=[p[0] for p in PROBLEM_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
