"""Default notification templates, in both languages. They are data: supervisors edit them in the admin.

Context keys each event provides: ``reference``, ``platform``, ``subject``, ``url`` (absolute link), and per
event ``status_label`` (English label, translated with {% translate %}), ``due_at`` (local time text),
``code`` (call-back verification code), ``official_number``, ``target_label``, ``channel``.
"""

from __future__ import annotations

from django.db import migrations

# event: {channel: {language: (subject, body)}}
T = {
    "claim.filed": {
        "in_app": {
            "zh-hans": ("理赔 {{ reference }} 已提交", "我们已收到您关于{{ platform }}的理赔，会尽快处理。"),
            "en": (
                "Claim {{ reference }} filed",
                "We received your claim about {{ platform }} and will handle it soon.",
            ),
        },
        "email": {
            "zh-hans": (
                "【理赔台】理赔 {{ reference }} 已提交",
                "您好：\n\n我们已收到您关于{{ platform }}的理赔（{{ subject }}）。\n查看进度：{{ url }}\n\n"
                "官方客服绝不会索要您的密码、短信验证码或要求转账。",
            ),
            "en": (
                "[ClaimDesk] Claim {{ reference }} filed",
                "Hello,\n\nWe received your claim about {{ platform }} ({{ subject }}).\nTrack it: {{ url }}\n\n"
                "Official support never asks for your password, SMS code or a transfer.",
            ),
        },
        "sms": {
            "zh-hans": ("", "【理赔台】理赔{{ reference }}已受理。客服绝不索要密码或验证码。"),
            "en": (
                "",
                "[ClaimDesk] Claim {{ reference }} received. We never ask for passwords or SMS codes.",
            ),
        },
    },
    "claim.replied": {
        "in_app": {
            "zh-hans": ("理赔 {{ reference }} 有新回复", "客服回复了您的理赔，请查看。"),
            "en": ("New reply on claim {{ reference }}", "Support replied to your claim."),
        },
        "email": {
            "zh-hans": (
                "【理赔台】理赔 {{ reference }} 有新回复",
                "您好：\n\n客服回复了您的理赔。查看并回复：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] New reply on claim {{ reference }}",
                "Hello,\n\nSupport replied to your claim. Read and answer: {{ url }}",
            ),
        },
    },
    "claim.status_changed": {
        "in_app": {
            "zh-hans": (
                "理赔 {{ reference }}：{% load i18n %}{% translate status_label %}",
                "理赔状态已更新。",
            ),
            "en": ("Claim {{ reference }}: {{ status_label }}", "The status of your claim changed."),
        },
        "email": {
            "zh-hans": (
                "【理赔台】理赔 {{ reference }} 状态更新",
                "{% load i18n %}您好：\n\n您的理赔当前状态：{% translate status_label %}。\n详情：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] Claim {{ reference }} updated",
                "Hello,\n\nYour claim is now: {{ status_label }}.\nDetails: {{ url }}",
            ),
        },
    },
    "claim.info_requested": {
        "in_app": {
            "zh-hans": (
                "理赔 {{ reference }} 需要您补充信息",
                "请补充客服需要的信息，处理时限会在您答复后继续计算。",
            ),
            "en": (
                "Claim {{ reference }} needs more information",
                "Please answer support's question; the clock resumes when you reply.",
            ),
        },
        "email": {
            "zh-hans": (
                "【理赔台】请补充理赔 {{ reference }} 的信息",
                "您好：\n\n客服需要您补充信息：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] Claim {{ reference }}: more information needed",
                "Hello,\n\nSupport needs more information: {{ url }}",
            ),
        },
        "sms": {
            "zh-hans": ("", "【理赔台】理赔{{ reference }}需要您补充信息，请登录查看。"),
            "en": ("", "[ClaimDesk] Claim {{ reference }} needs more information. Please sign in."),
        },
    },
    "callback.scheduled": {
        "in_app": {
            "zh-hans": (
                "我们将在 {{ due_at }} 前给您回电",
                "来电号码 {{ official_number }}，客服会报出核验码 {{ code }}。我们绝不索要密码或短信验证码。",
            ),
            "en": (
                "We will call you back by {{ due_at }}",
                "From {{ official_number }}; the agent will say the code {{ code }}. We never ask for your password or SMS code.",
            ),
        },
        "sms": {
            "zh-hans": (
                "",
                "【理赔台】客服将于{{ due_at }}前用{{ official_number }}给您回电，并报核验码{{ code }}。其他号码或无核验码的来电不是我们。",
            ),
            "en": (
                "",
                "[ClaimDesk] We will call from {{ official_number }} by {{ due_at }} and say code {{ code }}. Any other call is not us.",
            ),
        },
    },
    "callback.unreached": {
        "in_app": {
            "zh-hans": (
                "我们多次未能联系到您",
                "关于理赔 {{ reference }}，我们多次回电未接通。请在理赔页面回复或预约新的回电时间。",
            ),
            "en": (
                "We could not reach you",
                "We tried to call you about claim {{ reference }}. Reply on the claim page or ask for a new call-back.",
            ),
        },
        "email": {
            "zh-hans": (
                "【理赔台】未能联系到您（{{ reference }}）",
                "您好：\n\n我们多次回电未接通。请在此回复或预约新的回电：{{ url }}",
            ),
            "en": (
                "[ClaimDesk] We could not reach you ({{ reference }})",
                "Hello,\n\nWe could not reach you by phone. Reply or ask for a new call-back: {{ url }}",
            ),
        },
        "sms": {
            "zh-hans": ("", "【理赔台】关于理赔{{ reference }}，我们多次回电未接通，请登录回复。"),
            "en": (
                "",
                "[ClaimDesk] We could not reach you about claim {{ reference }}. Please sign in to reply.",
            ),
        },
    },
    "sla.warning": {
        "in_app": {
            "zh-hans": ("{{ reference }}：{{ target_label }}即将到期", "到期时间 {{ due_at }}。"),
            "en": ("{{ reference }}: {{ target_label }} due soon", "Due at {{ due_at }}."),
        },
        "email": {
            "zh-hans": (
                "【预警】{{ reference }} {{ target_label }}即将到期",
                "到期时间 {{ due_at }}。处理：{{ url }}",
            ),
            "en": (
                "[Warning] {{ reference }} {{ target_label }} due soon",
                "Due at {{ due_at }}. Open: {{ url }}",
            ),
        },
    },
    "sla.breach": {
        "in_app": {
            "zh-hans": ("{{ reference }}：{{ target_label }}已超时", "到期时间 {{ due_at }}，请立即处理。"),
            "en": ("{{ reference }}: {{ target_label }} breached", "It was due at {{ due_at }}. Act now."),
        },
        "email": {
            "zh-hans": (
                "【超时】{{ reference }} {{ target_label }}已超时",
                "到期时间 {{ due_at }}。立即处理：{{ url }}",
            ),
            "en": (
                "[Breach] {{ reference }} {{ target_label }} breached",
                "It was due at {{ due_at }}. Open: {{ url }}",
            ),
        },
    },
    "callback.overdue": {
        "in_app": {
            "zh-hans": ("{{ reference }}：回电已逾期", "承诺的回电时间是 {{ due_at }}。"),
            "en": ("{{ reference }}: call-back overdue", "The call-back was promised by {{ due_at }}."),
        },
        "email": {
            "zh-hans": (
                "【逾期】{{ reference }} 回电已逾期",
                "承诺的回电时间是 {{ due_at }}。处理：{{ url }}",
            ),
            "en": (
                "[Overdue] {{ reference }} call-back",
                "The call-back was promised by {{ due_at }}. Open: {{ url }}",
            ),
        },
    },
    "directory.review_overdue": {
        "in_app": {
            "zh-hans": ("{{ count }} 个联系渠道待复核", "这些已核实渠道超过了复核期限，请重新核实。"),
            "en": (
                "{{ count }} contact channels need review",
                "These verified channels are past their review date.",
            ),
        },
        "email": {
            "zh-hans": ("【目录】{{ count }} 个联系渠道待复核", "这些已核实渠道超过了复核期限：{{ url }}"),
            "en": (
                "[Directory] {{ count }} channels need review",
                "These verified channels are past their review date: {{ url }}",
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
                    event=event,
                    channel=channel,
                    language=language,
                    defaults={"subject": subject, "body": body},
                )


def backward(apps, schema_editor):
    apps.get_model("helpdesk", "NotificationTemplate").objects.filter(event__in=list(T)).delete()


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0004_notifications_webhooks")]
    operations = [migrations.RunPython(forward, backward)]
