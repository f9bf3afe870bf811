# The SLA sweep's next-check time moves from the claim to a narrow side table (issue 17 item 3): the
# sweep's every-minute update no longer rewrites the wide, heavily indexed claim row.

import django.db.models.deletion
from django.db import migrations, models


def copy_to_side_table(apps, schema_editor):
    # Every claim with a running clock (open, not paused, a target set) has a check time: one set-based
    # statement, the same on PostgreSQL and SQLite, however many claims there are.
    schema_editor.execute(
        "INSERT INTO tickets_slacheck (claim_id, next_check_at) "
        "SELECT id, sla_next_check_at FROM tickets_claim WHERE sla_next_check_at IS NOT NULL"
    )


def copy_back(apps, schema_editor):
    schema_editor.execute(
        "UPDATE tickets_claim SET sla_next_check_at = "
        "(SELECT next_check_at FROM tickets_slacheck WHERE tickets_slacheck.claim_id = tickets_claim.id) "
        "WHERE id IN (SELECT claim_id FROM tickets_slacheck)"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0011_zh_terms_in_notification_templates"),
    ]

    operations = [
        migrations.CreateModel(
            name="SlaCheck",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="sla_check",
                        serialize=False,
                        to="tickets.claim",
                    ),
                ),
                ("next_check_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "SLA check",
                "verbose_name_plural": "SLA checks",
                "indexes": [models.Index(fields=["next_check_at"], name="sla_check_due_idx")],
            },
        ),
        migrations.RunPython(copy_to_side_table, copy_back, elidable=False),
    ]
