"""Indexes over every claim (open or not) in queue order, for the queue's search (tickets.desk.queue).

A search is not limited to open claims, so the open-only queue indexes cannot serve it: a broad term ("B99",
"仍未到账", matching thousands to all of a team's claims) sorted every match (8 s for "仍未到账" at a
million claims). Walking one of these in queue order and filtering stops after a page. One index leads with
the team (an agent's scope), one without it (a supervisor, or an agent of several teams).

Built with CREATE INDEX CONCURRENTLY on PostgreSQL (no write lock on the claim table while it builds), so the
migration is not atomic; SQLite (the ``make run`` default) gets plain indexes.
"""

from django.db import migrations, models

INDEXES = [
    models.Index(
        fields=["team", "priority", "queue_urgency", "queue_due_at", "created_at", "id"],
        name="claim_search_team_order_idx",
    ),
    models.Index(
        fields=["priority", "queue_urgency", "queue_due_at", "created_at", "id"],
        name="claim_search_order_idx",
    ),
]
COLUMNS = {
    "claim_search_team_order_idx": "team_id, priority, queue_urgency, queue_due_at, created_at, id",
    "claim_search_order_idx": "priority, queue_urgency, queue_due_at, created_at, id",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in COLUMNS.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_claim ({columns})"
            )
        return
    model = apps.get_model("tickets", "Claim")
    for index in INDEXES:
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in COLUMNS:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        return
    model = apps.get_model("tickets", "Claim")
    for index in INDEXES:
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0016_open_claim_tally")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="claim", index=index) for index in INDEXES],
            database_operations=[migrations.RunPython(create, drop, atomic=False)],
        ),
    ]
