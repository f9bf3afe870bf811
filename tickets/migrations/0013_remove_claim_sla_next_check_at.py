# The claim's own next-check column goes (its rows now live in tickets_slacheck, 0012). A migration of its
# own: PostgreSQL does not alter a table while the previous step's deferred foreign-key checks are pending.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0012_sla_check_side_table"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="claim", name="claim_sla_check_idx"),
        migrations.RemoveField(model_name="claim", name="sla_next_check_at"),
    ]
