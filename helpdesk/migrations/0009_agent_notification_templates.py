"""Notification templates for the agent-facing events that used to be marked done without a word
(``claim.assigned``, ``claim.customer_replied``): data, edited in the admin like the others."""

from __future__ import annotations

from django.db import migrations

# event: {channel: {language: (subject, body)}}
T = {
    "claim.assigned": {
        "in_app": {
            "zh-hans": ("理赔 {{ reference }} 已分配给您", "{{ platform }}：{{ subject }}"),
            "en": ("Claim {{ reference }} assigned to you", "{{ platform }}: {{ subject }}"),
        },
        "email": {
            "zh-hans": (
                "【理赔台】理赔 {{ reference }} 已分配给您",
                "您好：\n\n理赔 {{ reference }}（{{ platform }}：{{ subject }}）已分配给您。\n处理：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] Claim {{ reference }} assigned to you",
                "Hello,\n\nClaim {{ reference }} ({{ platform }}: {{ subject }}) is now yours.\nOpen it: {{ url }}",
            ),
        },
    },
    "claim.customer_replied": {
        "in_app": {
            "zh-hans": ("客户回复了理赔 {{ reference }}", "{{ platform }}：{{ subject }}"),
            "en": ("The customer replied on claim {{ reference }}", "{{ platform }}: {{ subject }}"),
        },
        "email": {
            "zh-hans": (
                "【理赔台】客户回复了理赔 {{ reference }}",
                "您好：\n\n客户回复了理赔 {{ reference }}（{{ platform }}：{{ subject }}）。\n查看：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] The customer replied on claim {{ reference }}",
                "Hello,\n\nThe customer replied on claim {{ reference }} ({{ platform }}: {{ subject }}).\n"
                "Read it: {{ url }}",
            ),
        },
    },
}


def forward(apps, schema_editor):
    Template = apps.get_model("helpdesk", "NotificationTemplate")
    for event, channels in T.items():
        for channel, languages in channels.items():
            for language, (subject, body) in languages.items():
                Template.objects.get_or_create(
                    event=event,
                    channel=channel,
                    language=language,
                    defaults={"subject": subject, "body": body},
                )


def backward(apps, schema_editor):
    apps.get_model("helpdesk", "NotificationTemplate").objects.filter(event__in=list(T)).delete()


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0008_outbox_leases_and_retention")]
    operations = [migrations.RunPython(forward, backward)]
