"""Promises the customer can hold us to (tickets.promises).

- The standard policy's resolution target becomes 3 working days (36 business hours on its 09–21 day; it
  was 48 hours, i.e. 4 working days, while the help articles say 1–3 working days). Only an unedited
  default row changes.
- Notification templates for a missed promise (apology and the new time) and for a high-value claim filed
  without a phone number (the customer is asked for one; the team is alerted). Context: ``reference``,
  ``url``; the late ones also ``was`` (the missed time) and ``due_at`` (the new time).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import migrations

STANDARD = "标准 / Standard"

T = {
    "promise.first_response_late": {
        "zh-hans": (
            "抱歉，我们回复晚了（{{ reference }}）",
            "我们承诺在 {{ was }} 前首次回复您的索赔，但没有做到。客服将在 {{ due_at }} 前回复您。",
        ),
        "en": (
            "Sorry, our reply is late ({{ reference }})",
            "We promised a first reply to your claim by {{ was }} and missed it. "
            "An agent will answer before {{ due_at }}.",
        ),
    },
    "promise.resolution_late": {
        "zh-hans": (
            "抱歉，您的索赔未能按时解决（{{ reference }}）",
            "我们承诺在 {{ was }} 前解决您的索赔，但没有做到。新的目标时间：{{ due_at }}。",
        ),
        "en": (
            "Sorry, your claim is not resolved on time ({{ reference }})",
            "We promised to resolve your claim by {{ was }} and missed it. Our new target: {{ due_at }}.",
        ),
    },
    "promise.callback_late": {
        "zh-hans": (
            "抱歉，回电晚了（{{ reference }}）",
            "我们承诺在 {{ was }} 前给您回电，但晚了。客服将在 {{ due_at }} 前给您打电话，并报出核验码。",
        ),
        "en": (
            "Sorry, our call is late ({{ reference }})",
            "We promised to call you by {{ was }} and are late. An agent will call you before {{ due_at }} "
            "and say your code.",
        ),
    },
    "callback.phone_needed": {
        "zh-hans": (
            "请留下电话号码，以便我们回电（{{ reference }}）",
            "这笔索赔金额较高，我们承诺尽快给您回电，但您没有留下电话号码。请在索赔页面填写号码。",
        ),
        "en": (
            "Give us a phone number so we can call you ({{ reference }})",
            "For a claim of this value we promise a quick call-back, but you gave no phone number. "
            "Add one on the claim page.",
        ),
    },
    "callback.phone_missing": {
        "zh-hans": (
            "{{ reference }}：高额索赔没有电话号码",
            "承诺的回电无法进行：客户未留电话号码。索赔页面已请客户填写，请跟进。",
        ),
        "en": (
            "{{ reference }}: high-value claim without a phone number",
            "The promised call-back cannot happen: the customer gave no number. The claim page asks for "
            "one; please follow up.",
        ),
    },
}


def forward(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    SlaPolicy.objects.filter(name=STANDARD, resolution=timedelta(hours=48), calendar="office").update(
        resolution=timedelta(hours=36)
    )
    Template = apps.get_model("helpdesk", "NotificationTemplate")
    for event, languages in T.items():
        for language, (subject, body) in languages.items():
            for channel in ("in_app", "email"):
                text = body if channel == "in_app" else body + "\n\n{{ url }}"
                Template.objects.update_or_create(
                    event=event,
                    channel=channel,
                    language=language,
                    defaults={"subject": subject, "body": text},
                )


def backward(apps, schema_editor):
    apps.get_model("tickets", "SlaPolicy").objects.filter(
        name=STANDARD, resolution=timedelta(hours=36), calendar="office"
    ).update(resolution=timedelta(hours=48))
    apps.get_model("helpdesk", "NotificationTemplate").objects.filter(event__in=list(T)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_queue_sort_indexes"),
        ("helpdesk", "0005_default_notification_templates"),
    ]
    operations = [migrations.RunPython(forward, backward)]
