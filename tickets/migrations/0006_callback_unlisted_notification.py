"""Notification templates for a call-back to a customer of a platform without a published call-back line.

The message names no number (the hotlines never call anyone, and the checker says so); the customer checks
the caller by the code. Data, edited in the admin like the others; context: ``reference``, ``due_at``,
``code``, ``url``.
"""

from __future__ import annotations

from django.db import migrations

EVENT = "callback.scheduled_unlisted"
T = {
    "in_app": {
        "zh-hans": (
            "我们将在 {{ due_at }} 前给您回电",
            "该平台未公布回电专线，我们无法提前告诉您来电号码。客服会报出核验码 {{ code }}，"
            "说不出核验码的来电不是我们。我们绝不索要密码或短信验证码。",
        ),
        "en": (
            "We will call you back by {{ due_at }}",
            "The platform has not published a call-back line, so we cannot tell you the number in advance. "
            "The agent will say the code {{ code }}; a caller who cannot say it is not us. "
            "We never ask for your password or SMS code.",
        ),
    },
    "email": {
        "zh-hans": (
            "【理赔台】我们将在 {{ due_at }} 前给您回电（{{ reference }}）",
            "您好：\n\n该平台未公布回电专线，我们无法提前告诉您来电号码。客服会报出核验码 {{ code }}，"
            "说不出核验码的来电不是我们。我们绝不索要密码或短信验证码。\n\n{{ url }}",
        ),
        "en": (
            "[ClaimDesk] We will call you back by {{ due_at }} ({{ reference }})",
            "Hello,\n\nThe platform has not published a call-back line, so we cannot tell you the number in "
            "advance. The agent will say the code {{ code }}; a caller who cannot say it is not us. We never "
            "ask for your password or SMS code.\n\n{{ url }}",
        ),
    },
    "sms": {
        "zh-hans": (
            "",
            "【理赔台】客服将于{{ due_at }}前给您回电并报核验码{{ code }}。说不出核验码的来电不是我们，"
            "我们绝不索要密码或短信验证码。",
        ),
        "en": (
            "",
            "[ClaimDesk] We will call you by {{ due_at }} and say code {{ code }}. "
            "A caller without the code is not us.",
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
        ("tickets", "0005_teams_and_search"),
        ("helpdesk", "0005_default_notification_templates"),
    ]
    operations = [migrations.RunPython(forward, backward)]
