from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from helpdesk import context
from helpdesk.audit import audit_record, snapshot
from helpdesk.models import AuditEntry, AuditImmutableError


@pytest.fixture
def entry(customer) -> AuditEntry:
    with context.acting_from(context.ActionContext(source="web", ip="203.0.113.9", request_id="r-1")):
        return audit_record(
            actor=customer,
            action="user.update",
            obj=customer,
            before={"display_name": "A"},
            after=snapshot(customer, ["display_name", "role"]),
        )


def test_it_records_who_what_when_and_where(entry, customer):
    entry.refresh_from_db()
    assert entry.actor == customer
    assert (entry.object_type, entry.object_id) == ("helpdesk.user", str(customer.pk))
    assert entry.ip == "203.0.113.9" and entry.source == "web" and entry.request_id == "r-1"
    assert entry.before == {"display_name": "A"}
    assert entry.after == {"display_name": "Alice", "role": "customer"}


def test_entries_cannot_be_changed_or_deleted_through_the_orm(entry):
    entry.action = "forged"
    with pytest.raises(AuditImmutableError):
        entry.save()
    with pytest.raises(AuditImmutableError):
        entry.delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.update"


def test_the_database_refuses_updates_from_raw_sql(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE helpdesk_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.update"


def test_the_database_refuses_deletes_on_postgres(postgres, entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM helpdesk_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_sign_in_is_audited_with_the_address(client, customer, password):
    client.post(
        "/accounts/login/", {"username": customer.email, "password": password}, REMOTE_ADDR="198.51.100.7"
    )
    login = AuditEntry.objects.get(action="user.login")
    assert login.actor == customer and login.ip == "198.51.100.7" and login.source == "web"
