"""Notification templates for ``claim.low_rating`` (a 1-2 rating alerts the team lead): data, edited in the
admin like the others."""

from __future__ import annotations

from django.db import migrations

T = {
    "claim.low_rating": {
        "in_app": {
            "zh-hans": ("理赔 {{ reference }} 获得低评分（{{ rating }}/5）", "{{ platform }}：请查看客户的评价。"),
            "en": ("Low rating ({{ rating }}/5) on claim {{ reference }}", "{{ platform }}: see the customer's rating."),
        },
        "email": {
            "zh-hans": (
                "【理赔台】理赔 {{ reference }} 获得低评分（{{ rating }}/5）",
                "您好：\n\n客户给理赔 {{ reference }}（{{ platform }}）打了 {{ rating }}/5 分。\n查看：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] Low rating ({{ rating }}/5) on claim {{ reference }}",
                "Hello,\n\nThe customer rated claim {{ reference }} ({{ platform }}) {{ rating }}/5.\nOpen it: {{ url }}",
            ),
        },
    },
    "data_export.ready": {
        "in_app": {
            "zh-hans": ("您的数据副本已准备好", "请在 24 小时内下载。"),
            "en": ("Your copy of your data is ready", "Download it within 24 hours."),
        },
        "email": {
            "zh-hans": ("【理赔台】您的数据副本已准备好", "您好：\n\n您的数据副本已准备好，请在 24 小时内登录下载：{{ url }}"),
            "en": ("[ClaimDesk] Your copy of your data is ready", "Hello,\n\nYour copy is ready; sign in and download it within 24 hours: {{ url }}"),
        },
    },
}


def forward(apps, schema_editor):
    Template = apps.get_model("helpdesk", "NotificationTemplate")
    for event, channels in T.items():
        for channel, languages in channels.items():
            for language, (subject, body) in languages.items():
                Template.objects.get_or_create(
                    event=event, channel=channel, language=language, defaults={"subject": subject, "body": body}
                )


def backward(apps, schema_editor):
    apps.get_model("helpdesk", "NotificationTemplate").objects.filter(event__in=list(T)).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial"), ("helpdesk", "0010_verified_phone_and_api_tokens")]
    operations = [migrations.RunPython(forward, backward)]
