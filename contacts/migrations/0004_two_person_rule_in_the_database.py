"""The two-person rule, enforced by the database as well as by the services.

- An approved proposal never changes (values, fingerprint, proposer, approver, status).
- A published channel (verified or review overdue) must point at an approved proposal of the same channel
  whose proposer is its ``verified_by``, whose approver is its ``approved_by`` (the check constraint in 0003
  makes those two different people), and whose kind and values equal the channel's: changing a published
  value without a new approval is refused, whoever sends the UPDATE.
- On PostgreSQL, a trigram index makes platform search by any part of a name, alias or pinyin fast.
"""

from __future__ import annotations

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    "CREATE INDEX IF NOT EXISTS platform_search_trgm_idx ON contacts_platform USING gin (search_text gin_trgm_ops);",
    """
CREATE OR REPLACE FUNCTION contacts_proposal_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' AND (
        NEW.status IS DISTINCT FROM OLD.status
        OR NEW."values" IS DISTINCT FROM OLD."values"
        OR NEW.fingerprint IS DISTINCT FROM OLD.fingerprint
        OR NEW.approved_fingerprint IS DISTINCT FROM OLD.approved_fingerprint
        OR NEW.proposed_by_id IS DISTINCT FROM OLD.proposed_by_id
        OR NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id
        OR NEW.channel_id IS DISTINCT FROM OLD.channel_id
    ) THEN
        RAISE EXCEPTION 'an approved channel proposal cannot change' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER contacts_proposal_frozen BEFORE UPDATE ON contacts_channelproposal
       FOR EACH ROW EXECUTE FUNCTION contacts_proposal_frozen();""",
    """
CREATE OR REPLACE FUNCTION contacts_channel_matches_approval() RETURNS trigger AS $$
BEGIN
    IF NEW.state IN ('verified', 'review_overdue') AND NOT EXISTS (
        SELECT 1 FROM contacts_channelproposal p
        WHERE p.id = NEW.approved_proposal_id
          AND p.status = 'approved'
          AND p.channel_id = NEW.id
          AND p.platform_id = NEW.platform_id
          AND p.proposed_by_id = NEW.verified_by_id
          AND p.decided_by_id = NEW.approved_by_id
          AND p."values" ->> 'kind' = NEW.kind
          AND p."values" ->> 'value' = NEW.value
          AND p."values" ->> 'canonical_value' = NEW.canonical_value
    ) THEN
        RAISE EXCEPTION 'a published channel needs a second admin''s approval of exactly these values'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER contacts_channel_matches_approval BEFORE INSERT OR UPDATE ON contacts_contactchannel
       FOR EACH ROW EXECUTE FUNCTION contacts_channel_matches_approval();""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS contacts_channel_matches_approval ON contacts_contactchannel;",
    "DROP FUNCTION IF EXISTS contacts_channel_matches_approval();",
    "DROP TRIGGER IF EXISTS contacts_proposal_frozen ON contacts_channelproposal;",
    "DROP FUNCTION IF EXISTS contacts_proposal_frozen();",
    "DROP INDEX IF EXISTS platform_search_trgm_idx;",
]

_SQLITE_CHANNEL_CHECK = """
WHEN NEW.state IN ('verified', 'review_overdue') AND NOT EXISTS (
    SELECT 1 FROM contacts_channelproposal p
    WHERE p.id = NEW.approved_proposal_id
      AND p.status = 'approved'
      AND p.channel_id = NEW.id
      AND p.platform_id = NEW.platform_id
      AND p.proposed_by_id = NEW.verified_by_id
      AND p.decided_by_id = NEW.approved_by_id
      AND json_extract(p."values", '$.kind') = NEW.kind
      AND json_extract(p."values", '$.value') = NEW.value
      AND json_extract(p."values", '$.canonical_value') = NEW.canonical_value
)
BEGIN SELECT RAISE(ABORT, 'a published channel needs a second admin''s approval of exactly these values'); END;
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER contacts_proposal_frozen BEFORE UPDATE ON contacts_channelproposal
       WHEN OLD.status = 'approved' AND (
           NEW.status IS NOT OLD.status OR NEW."values" IS NOT OLD."values"
           OR NEW.fingerprint IS NOT OLD.fingerprint OR NEW.approved_fingerprint IS NOT OLD.approved_fingerprint
           OR NEW.proposed_by_id IS NOT OLD.proposed_by_id OR NEW.decided_by_id IS NOT OLD.decided_by_id
           OR NEW.channel_id IS NOT OLD.channel_id)
       BEGIN SELECT RAISE(ABORT, 'an approved channel proposal cannot change'); END;""",
    "CREATE TRIGGER contacts_channel_matches_approval_ins BEFORE INSERT ON contacts_contactchannel "
    + _SQLITE_CHANNEL_CHECK,
    "CREATE TRIGGER contacts_channel_matches_approval_upd BEFORE UPDATE ON contacts_contactchannel "
    + _SQLITE_CHANNEL_CHECK,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS contacts_proposal_frozen;",
    "DROP TRIGGER IF EXISTS contacts_channel_matches_approval_ins;",
    "DROP TRIGGER IF EXISTS contacts_channel_matches_approval_upd;",
]


def forward(apps, schema_editor):
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_directory")]
    operations = [migrations.RunPython(forward, backward)]
