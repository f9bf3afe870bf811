"""Default SLA policies (data; supervisors edit them in the admin). Figures from the domain notes:
"respond within 15 minutes, resolve within 24 h", "a call-back within 10 minutes for orders over 500 yuan",
"if the wait passes 15 minutes we call back within 3 minutes"."""

from __future__ import annotations

from datetime import time, timedelta

from django.db import migrations

POLICIES = [
    {
        "name": "高额订单（≥500 元）/ High value",
        "position": 10,
        "high_value": True,
        "first_response": timedelta(minutes=15),
        "next_response": timedelta(hours=1),
        "resolution": timedelta(hours=24),
        "callback": timedelta(minutes=10),
        "calendar": "always",
    },
    {
        "name": "紧急（P1/P2）/ Urgent",
        "position": 20,
        "priorities": [1, 2],
        "first_response": timedelta(minutes=15),
        "next_response": timedelta(hours=1),
        "resolution": timedelta(hours=24),
        "callback": timedelta(minutes=3),
        "calendar": "always",
    },
    {
        "name": "标准 / Standard",
        "position": 100,
        "first_response": timedelta(hours=2),
        "next_response": timedelta(hours=4),
        "resolution": timedelta(hours=48),
        "callback": timedelta(hours=2),
        "calendar": "office",
        "day_start": time(9, 0),
        "day_end": time(21, 0),
    },
]


def forward(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for data in POLICIES:
        SlaPolicy.objects.update_or_create(name=data["name"], defaults=data)


def backward(apps, schema_editor):
    apps.get_model("tickets", "SlaPolicy").objects.filter(name__in=[p["name"] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_sla_callbacks")]
    operations = [migrations.RunPython(forward, backward)]
