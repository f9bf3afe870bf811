"""Make the audit trail append-only in the database itself, not only through the ORM.

PostgreSQL refuses UPDATE and DELETE row by row. TRUNCATE stays possible (it needs table-level privilege,
which the production role should not have; Django's test flush relies on it). SQLite, the demo database,
refuses UPDATE; its DELETE is left to the ORM guard because Django's test flush deletes rows there.
"""

from __future__ import annotations

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION helpdesk_audit_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER helpdesk_audit_no_update BEFORE UPDATE OR DELETE ON helpdesk_auditentry
    FOR EACH ROW EXECUTE FUNCTION helpdesk_audit_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS helpdesk_audit_no_update ON helpdesk_auditentry;
DROP FUNCTION IF EXISTS helpdesk_audit_immutable();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER helpdesk_audit_no_update BEFORE UPDATE ON helpdesk_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE refused)'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS helpdesk_audit_no_update;",
]


def forward(apps, schema_editor):
    statements = [PG_FORWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = [PG_BACKWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
