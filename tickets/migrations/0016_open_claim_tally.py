"""Kept counts of the open claims for the supervisor's figures (tickets.models.OpenClaimTally), the triggers
that keep them, their backfill, and the indexes the figures read (oldest unassigned per team, running SLA
clocks by due time, warnings without a due time).

The triggers are the one writer of the tally: every INSERT, UPDATE and DELETE of a claim, whatever code
path runs it, adds a -1 row for the group an open claim leaves and a +1 row for the group it joins, in the
same transaction. PostgreSQL: statement-level triggers over the transition tables (a bulk statement adds one
row per group, not one per claim). SQLite (``make run``): row-level triggers. The clock condition below is
``tickets.models.CLOCK_RUNNING`` written as SQL; the tests compare the tally with a plain count.

SQLite drops a table's triggers when Django's schema editor rebuilds that table (an AlterField on Claim,
say): a later migration that rebuilds tickets_claim there must create them again (``install``). The tests
catch a missing trigger on either database.
"""

import datetime

from django.db import migrations, models

OPEN = "('new', 'open', 'waiting_on_customer', 'waiting_on_platform')"
GROUP = "team_id, priority, assignee_id, clock_running"


# NO_DUE_TIME as each database stores it (the generated queue_due_at holds it when no due time is set).
NO_DUE = {"postgresql": "'9999-01-01 00:00:00+00'::timestamptz", "sqlite": "'9999-01-01 00:00:00'"}


def running(row: str, vendor: str) -> str:
    """tickets.models.CLOCK_RUNNING for the row ``row`` (an alias or OLD/NEW)."""
    return f"({row}.sla_paused_at IS NULL AND {row}.queue_due_at < {NO_DUE[vendor]})"


def _open_rows(source: str, sign: str, vendor: str = "postgresql") -> str:
    return (
        f"SELECT r.team_id, r.priority, r.assignee_id, {running('r', vendor)} AS clock_running, {sign} AS n "
        f"FROM {source} r WHERE r.status IN {OPEN}"  # noqa: S608 - fixed names only, no input
    )


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tickets_claim_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO tickets_openclaimtally ({GROUP}, n)
    SELECT {GROUP}, sum(n) FROM ({_open_rows("new_rows", "1")}) AS joined GROUP BY {GROUP};
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO tickets_openclaimtally ({GROUP}, n)
    SELECT {GROUP}, sum(n) FROM ({_open_rows("old_rows", "-1")}) AS left_ GROUP BY {GROUP};
  ELSE
    INSERT INTO tickets_openclaimtally ({GROUP}, n)
    SELECT {GROUP}, sum(n)
    FROM ({_open_rows("old_rows", "-1")} UNION ALL {_open_rows("new_rows", "1")}) AS moved
    GROUP BY {GROUP} HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END
$$
"""  # noqa: S608 - fixed names only, no input
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER claim_tally_insert AFTER INSERT ON tickets_claim REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_claim_tally()",
    "CREATE TRIGGER claim_tally_update AFTER UPDATE ON tickets_claim "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_claim_tally()",
    "CREATE TRIGGER claim_tally_delete AFTER DELETE ON tickets_claim REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_claim_tally()",
]


def _sqlite_row(row: str, sign: str) -> str:
    return (
        f"INSERT INTO tickets_openclaimtally ({GROUP}, n) SELECT {row}.team_id, {row}.priority, "
        f"{row}.assignee_id, {running(row, 'sqlite')}, {sign} WHERE {row}.status IN {OPEN};"
    )


_SQLITE_MOVED = " OR ".join(
    [f"OLD.{column} IS NOT NEW.{column}" for column in ("status", "team_id", "priority", "assignee_id")]
    + [f"{running('OLD', 'sqlite')} IS NOT {running('NEW', 'sqlite')}"]
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER claim_tally_insert AFTER INSERT ON tickets_claim BEGIN {_sqlite_row('NEW', '1')} END",
    f"CREATE TRIGGER claim_tally_delete AFTER DELETE ON tickets_claim BEGIN {_sqlite_row('OLD', '-1')} END",
    f"CREATE TRIGGER claim_tally_update AFTER UPDATE ON tickets_claim WHEN {_SQLITE_MOVED} "
    f"BEGIN {_sqlite_row('OLD', '-1')} {_sqlite_row('NEW', '1')} END",
]



def backfill(vendor: str) -> list[str]:
    return [
        "DELETE FROM tickets_openclaimtally",
        f"INSERT INTO tickets_openclaimtally ({GROUP}, n) SELECT {GROUP}, count(*) "
        f"FROM ({_open_rows('tickets_claim', '1', vendor)}) AS counted GROUP BY {GROUP}",  # noqa: S608 - no input
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No claim write between the trigger and the count (CREATE TRIGGER takes this lock too).
        schema_editor.execute("LOCK TABLE tickets_claim IN SHARE ROW EXCLUSIVE MODE")
        schema_editor.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    else:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(f"claim tally triggers for {vendor}")
    for statement in backfill(vendor):
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for name in ("claim_tally_insert", "claim_tally_update", "claim_tally_delete"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON tickets_claim")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tickets_claim_tally()")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0015_supervisor_figures_index")]

    operations = [
        migrations.CreateModel(
            name="OpenClaimTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("team_id", models.BigIntegerField(null=True)),
                ("priority", models.PositiveSmallIntegerField()),
                ("assignee_id", models.BigIntegerField(null=True)),
                ("clock_running", models.BooleanField()),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(
                    ("assignee__isnull", True),
                    ("status__in", ["new", "open", "waiting_on_customer", "waiting_on_platform"]),
                ),
                fields=["team", "created_at"],
                name="claim_team_unassigned_age_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["new", "open", "waiting_on_customer", "waiting_on_platform"]),
                    ("queue_due_at__lt", datetime.datetime(9999, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ("sla_paused_at__isnull", True),
                ),
                fields=["queue_due_at"],
                include=(
                    "team",
                    "first_responded_at",
                    "first_response_warn_at",
                    "next_response_warn_at",
                    "resolution_warn_at",
                ),
                name="claim_running_clock_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["new", "open", "waiting_on_customer", "waiting_on_platform"]),
                    ("queue_due_at__gte", datetime.datetime(9999, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ("sla_paused_at__isnull", True),
                    models.Q(
                        models.Q(("first_responded_at__isnull", True), ("first_response_warn_at__isnull", False)),
                        ("next_response_warn_at__isnull", False),
                        ("resolution_warn_at__isnull", False),
                        _connector="OR",
                    ),
                ),
                fields=["team"],
                include=("first_responded_at", "first_response_warn_at", "next_response_warn_at", "resolution_warn_at"),
                name="claim_warned_no_due_idx",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
