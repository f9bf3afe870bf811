"""Migration 0009: domains and websites that one admin made official become proposals awaiting a second."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contacts", "0008_reports_disputed_appeals_form_nonces")]


@pytest.mark.django_db(transaction=True)
def test_existing_domains_and_websites_become_proposals(directory_admin):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    platform = old.get_model("contacts", "Platform").objects.create(
        name="金龙卡盟", slug="jinlong", website="https://www.jinlongka.cn"
    )
    domains = old.get_model("contacts", "OfficialDomain").objects
    domains.create(platform=platform, domain="jinlongka.cn", registrable_domain="jinlongka.cn")
    domains.create(platform=platform, domain="pay.jinlong.com", registrable_domain="jinlong.com")
    audit = old.get_model("helpdesk", "AuditEntry").objects
    audit.create(
        actor_id=directory_admin.pk,
        action="platform.domain_add",
        object_type="contacts.platform",
        object_id=str(platform.pk),
        after={"domain": "jinlongka.cn", "include_subdomains": True},
    )
    audit.create(
        actor_id=directory_admin.pk,
        action="platform.create",
        object_type="contacts.platform",
        object_id=str(platform.pk),
        after={"name": "金龙卡盟", "website": "https://www.jinlongka.cn"},
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from contacts.models import DomainProposal, OfficialDomain, Platform
    from helpdesk.models import AuditEntry

    assert not OfficialDomain.objects.exists()
    assert Platform.objects.get(slug="jinlong").website == ""
    assert sorted(DomainProposal.objects.values_list("kind", "value", "status", "proposed_by")) == [
        ("domain", "jinlongka.cn", "pending", directory_admin.pk),
        ("domain", "pay.jinlong.com", "withdrawn", None),  # nobody to attribute it to
        ("website", "https://www.jinlongka.cn", "pending", directory_admin.pk),
    ]
    assert AuditEntry.objects.filter(action__endswith="_demote").count() == 3
