"""Notification templates telling the other directory admins that a channel proposal waits for a second
admin (contacts.services.channels._tell_other_admins). Data, edited in the admin like the others; context:
``platform``, ``proposal_id``, ``proposer``, ``url``."""

from __future__ import annotations

from django.db import migrations

EVENT = "directory.proposal_pending"
T = {
    "in_app": {
        "zh-hans": (
            "{{ platform }} 有一项渠道提议等待您审核",
            "{{ proposer }} 提交了提议 #{{ proposal_id }}。按双人规则，需要另一位目录管理员核对证据后批准或驳回。",
        ),
        "en": (
            "A channel proposal for {{ platform }} waits for your review",
            "{{ proposer }} proposed #{{ proposal_id }}. Under the two-person rule a second directory admin "
            "must check the evidence and approve or reject it.",
        ),
    },
    "email": {
        "zh-hans": (
            "【理赔台】{{ platform }} 的渠道提议 #{{ proposal_id }} 等待审核",
            "您好：\n\n{{ proposer }} 提交了 {{ platform }} 的渠道提议 #{{ proposal_id }}，"
            "需要另一位目录管理员核对证据后批准或驳回。\n\n{{ url }}",
        ),
        "en": (
            "[ClaimDesk] Channel proposal #{{ proposal_id }} for {{ platform }} waits for review",
            "Hello,\n\n{{ proposer }} proposed a channel change #{{ proposal_id }} for {{ platform }}. "
            "A second directory admin must check the evidence and approve or reject it.\n\n{{ url }}",
        ),
    },
}


def forward(apps, schema_editor):
    Template = apps.get_model("helpdesk", "NotificationTemplate")
    for channel, languages in T.items():
        for language, (subject, body) in languages.items():
            Template.objects.update_or_create(
                event=EVENT, channel=channel, language=language, defaults={"subject": subject, "body": body}
            )


def backward(apps, schema_editor):
    apps.get_model("helpdesk", "NotificationTemplate").objects.filter(event=EVENT).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0010_domains_two_person_rule_in_the_database"),
        ("helpdesk", "0005_default_notification_templates"),
    ]
    operations = [migrations.RunPython(forward, backward)]
