"""Notification templates for the platform integration (data: editable in the admin).

``outreach.created`` context: ``platform``, ``channels`` (the directory's published channels), ``orders``,
``claim_url`` (absolute link to the pre-filled claim), ``url``. ``claim.platform_outcome`` (to agents):
``reference``, ``platform``, ``subject``, ``outcome``.
"""

from __future__ import annotations

from django.db import migrations

T = {
    "outreach.created": {
        "in_app": {
            "zh-hans": (
                "{{ platform }}：您的充值连续失败，我们来帮您",
                "您在{{ platform }}的充值连续失败（{{ orders }}）。点此一键提交已填好的理赔：{{ claim_url }}\n"
                "{{ platform }}官方渠道：{{ channels }}\n官方客服绝不会索要您的密码、短信验证码或要求转账。",
            ),
            "en": (
                "{{ platform }}: your top-ups keep failing, we can help",
                "Your top-ups on {{ platform }} failed several times ({{ orders }}). File the pre-filled claim in "
                "one click: {{ claim_url }}\nOfficial channels of {{ platform }}: {{ channels }}\n"
                "Official support never asks for your password, SMS code or a transfer.",
            ),
        },
        "email": {
            "zh-hans": (
                "【理赔台】{{ platform }}充值连续失败，我们来帮您",
                "您好：\n\n您在{{ platform }}的充值连续失败：{{ orders }}。\n一键提交已填好的理赔：{{ claim_url }}\n\n"
                "{{ platform }}官方渠道：{{ channels }}\n官方客服绝不会索要您的密码、短信验证码或要求转账。",
            ),
            "en": (
                "[ClaimDesk] Your top-ups on {{ platform }} keep failing",
                "Hello,\n\nYour top-ups on {{ platform }} failed several times: {{ orders }}.\n"
                "File the pre-filled claim: {{ claim_url }}\n\nOfficial channels of {{ platform }}: {{ channels }}\n"
                "Official support never asks for your password, SMS code or a transfer.",
            ),
        },
        "sms": {
            "zh-hans": ("", "【理赔台】您在{{ platform }}的充值连续失败，一键理赔：{{ claim_url }} 客服绝不索要密码或验证码。"),
            "en": (
                "",
                "[ClaimDesk] Your top-ups on {{ platform }} failed. Claim in one click: {{ claim_url }} "
                "We never ask for passwords or SMS codes.",
            ),
        },
    },
    "claim.platform_outcome": {
        "in_app": {
            "zh-hans": ("理赔 {{ reference }}：{{ platform }}已答复", "{{ platform }}对理赔{{ subject }}给出了结果（{{ outcome }}），请查看。"),
            "en": (
                "Claim {{ reference }}: {{ platform }} answered",
                "{{ platform }} gave its outcome ({{ outcome }}) on claim {{ subject }}.",
            ),
        },
    },
}


def forward(apps, schema_editor):
    Template = apps.get_model("helpdesk", "NotificationTemplate")
    for event, channels in T.items():
        for channel, languages in channels.items():
            for language, (subject, body) in languages.items():
                Template.objects.update_or_create(
                    event=event, channel=channel, language=language, defaults={"subject": subject, "body": body}
                )


def backward(apps, schema_editor):
    apps.get_model("helpdesk", "NotificationTemplate").objects.filter(event__in=list(T)).delete()


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial"), ("helpdesk", "0005_default_notification_templates")]
    operations = [migrations.RunPython(forward, backward)]
