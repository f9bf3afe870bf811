"""One Chinese word per concept in the notification templates (docs/glossary.md).

- A customer's claim is 索赔 (the product's name 理赔台 stays; a platform's 理赔专线 is its own line).
- SLA alerts named the target in English inside Chinese text ("first response已超时"): the label is now
  translated when the message is rendered, in the recipient's language ({% translate target_label %}).

- The claim.filed notification states the promises made at filing (context ``first_reply_due`` and
  ``resolution_due``, local time text, either may be absent), as the claim page does.

Only text that still reads as shipped changes: a supervisor's own wording is left alone.
"""

from __future__ import annotations

from django.db import migrations

BRAND = "理赔台"
_MARK = "\x00BRAND\x00"
LABEL = "{{ target_label }}"
TRANSLATED_LABEL = "{% translate target_label %}"
LOAD = "{% load i18n %}"


def _fix(text: str) -> str:
    if not text:
        return text
    fixed = text.replace(BRAND, _MARK).replace("理赔", "索赔").replace(_MARK, BRAND)
    if LABEL in fixed:
        fixed = fixed.replace(LABEL, TRANSLATED_LABEL)
        if not fixed.startswith(LOAD):
            fixed = LOAD + fixed
    return fixed


PROMISES = {
    ("in_app", "zh-hans"): (
        "我们已收到您关于{{ platform }}的索赔，会尽快处理。",
        "我们已收到您关于{{ platform }}的索赔。{% if first_reply_due %}我们将在 {{ first_reply_due }} 前首次回复您"
        "{% if resolution_due %}，并争取在 {{ resolution_due }} 前解决{% endif %}。{% endif %}",
    ),
    ("in_app", "en"): (
        "We received your claim about {{ platform }} and will handle it soon.",
        "We received your claim about {{ platform }}.{% if first_reply_due %} First reply before "
        "{{ first_reply_due }}{% if resolution_due %}; we aim to resolve it by {{ resolution_due }}{% endif %}."
        "{% endif %}",
    ),
}


def forward(apps, schema_editor):
    Template = apps.get_model("helpdesk", "NotificationTemplate")
    for template in Template.objects.filter(language="zh-hans"):
        subject, body = _fix(template.subject), _fix(template.body)
        if (subject, body) != (template.subject, template.body):
            template.subject, template.body = subject, body
            template.save(update_fields=["subject", "body"])
    for (channel, language), (shipped, promising) in PROMISES.items():
        Template.objects.filter(event="claim.filed", channel=channel, language=language, body=shipped).update(
            body=promising
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_claim_outcome_recover_account"),
        ("tickets", "0009_promises_working_days"),
        ("helpdesk", "0010_verified_phone_and_api_tokens"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
