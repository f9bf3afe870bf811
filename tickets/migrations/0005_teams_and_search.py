"""The general and senior teams with the two standard routing rules, and the queue's trigram search index."""

from __future__ import annotations

from django.db import migrations

TEAMS = [
    # slug, name, is_general, is_senior
    ("general", "综合组 General", True, False),
    ("senior", "高级组 Senior", False, True),
]


def forward(apps, schema_editor):
    Team = apps.get_model("tickets", "Team")
    RoutingRule = apps.get_model("tickets", "RoutingRule")
    ProblemType = apps.get_model("contacts", "ProblemType")
    teams = {}
    for slug, name, is_general, is_senior in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_general": is_general, "is_senior": is_senior}
        )
    RoutingRule.objects.get_or_create(
        name="High value → senior", defaults={"position": 10, "high_value": True, "team": teams["senior"]}
    )
    stolen = ProblemType.objects.filter(slug="account-stolen").first()
    if stolen is not None:
        RoutingRule.objects.get_or_create(
            name="Account stolen → senior",
            defaults={"position": 20, "problem_type": stolen, "team": teams["senior"]},
        )


def backward(apps, schema_editor):
    apps.get_model("tickets", "RoutingRule").objects.all().delete()
    apps.get_model("tickets", "Team").objects.filter(slug__in=[t[0] for t in TEAMS]).delete()


def trigram_index(apps, schema_editor):
    # Chinese text has no word boundaries: trigrams serve "contains" searches; SQLite scans instead.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS claim_search_trgm ON tickets_claim USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS claim_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_agent_workspace"), ("contacts", "0002_problem_types")]
    operations = [
        migrations.RunPython(forward, backward),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
