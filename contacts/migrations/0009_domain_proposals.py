"""Official domains and websites become proposals of one admin approved by a second (issue 11, item 3).

Existing rows were each made official by one admin alone (``domain_add`` and ``platform_save`` never asked
a second person), so none can count as approved. Each becomes a domain proposal: pending, proposed by the
admin the audit trail names for it (the latest ``platform.domain_add``/``domain_update`` or
``platform.create``/``update`` entry with that value), so a second admin can approve it in the directory;
when the trail names nobody, it is recorded as withdrawn with a reason, to be proposed again. The official
rows are then removed and websites cleared, and an audit entry records each demotion. Until a second admin
approves, the checker calls links on those domains "unknown", never "official": the safe direction.
``seed_demo`` publishes the demo domains again through the services (diradmin proposes, diradmin2 approves).
The constraints and triggers that enforce the rule follow in 0008.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


NOTE = "Listed before the two-person rule: a second directory admin must approve it before it counts."
NO_AUTHOR = "Listed before the two-person rule and the audit trail names no author: propose it again."
SOURCE = "migration:contacts.0009_domain_proposals"


def _author(audit, platform_id, actions, key, value):
    entries = audit.objects.filter(
        object_type="contacts.platform", object_id=str(platform_id), action__in=actions
    ).order_by("-at", "-id")
    for entry in entries:
        if isinstance(entry.after, dict) and entry.after.get(key) == value and entry.actor_id:
            return entry.actor_id
    return None


def _demote(apps, *, platform_id, kind, value, include_subdomains, author, proposed_at, now):
    proposal = apps.get_model("contacts", "DomainProposal").objects.create(
        platform_id=platform_id,
        kind=kind,
        value=value,
        include_subdomains=include_subdomains,
        status="pending" if author else "withdrawn",
        proposed_by_id=author,
        proposed_at=proposed_at or now,
        note=NOTE,
        decided_at=None if author else now,
        reason="" if author else NO_AUTHOR,
    )
    apps.get_model("helpdesk", "AuditEntry").objects.create(
        at=now,
        source=SOURCE,
        action=f"platform.{kind}_demote",
        object_type="contacts.platform",
        object_id=str(platform_id),
        object_repr=value[:200],
        before={kind: value, "include_subdomains": include_subdomains, "official": True},
        after={"proposal": proposal.pk, "status": proposal.status, "official": False},
        reason=NOTE if author else NO_AUTHOR,
    )


def forward(apps, schema_editor):
    from django.utils import timezone

    now = timezone.now()
    audit = apps.get_model("helpdesk", "AuditEntry")
    domains = apps.get_model("contacts", "OfficialDomain")
    platforms = apps.get_model("contacts", "Platform")
    for row in domains.objects.order_by("id"):
        _demote(
            apps,
            platform_id=row.platform_id,
            kind="domain",
            value=row.domain,
            include_subdomains=row.include_subdomains,
            author=_author(
                audit, row.platform_id, ["platform.domain_add", "platform.domain_update"], "domain", row.domain
            ),
            proposed_at=row.created_at,
            now=now,
        )
    domains.objects.all().delete()
    for platform in platforms.objects.exclude(website="").order_by("id"):
        _demote(
            apps,
            platform_id=platform.pk,
            kind="website",
            value=platform.website,
            include_subdomains=False,
            author=_author(
                audit, platform.pk, ["platform.create", "platform.update"], "website", platform.website
            ),
            proposed_at=platform.updated_at,
            now=now,
        )
    platforms.objects.exclude(website="").update(website="")


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0008_reports_disputed_appeals_form_nonces'),
        ('helpdesk', '0002_audit_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='officialdomain',
            name='approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='approved at'),
        ),
        migrations.AddField(
            model_name='officialdomain',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='officialdomain',
            name='proposed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='DomainProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('domain', 'Official domain'), ('website', 'Official website')], max_length=8, verbose_name='kind')),
                ('value', models.CharField(max_length=500, verbose_name='proposed value')),
                ('include_subdomains', models.BooleanField(default=True, verbose_name='subdomains count')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10, verbose_name='status')),
                ('proposed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed at')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('platform', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='domain_proposals', to='contacts.platform')),
                ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'domain proposal',
                'verbose_name_plural': 'domain proposals',
                'ordering': ['-proposed_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='officialdomain',
            name='approved_proposal',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contacts.domainproposal'),
        ),
        migrations.AddField(
            model_name='platform',
            name='website_proposal',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contacts.domainproposal'),
        ),
        migrations.AddIndex(
            model_name='domainproposal',
            index=models.Index(fields=['status', 'proposed_at'], name='domainproposal_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='domainproposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), models.Q(('proposed_by__isnull', False), ('decided_by__isnull', False), ('decided_at__isnull', False), models.Q(('decided_by', models.F('proposed_by')), _negated=True)), _connector='OR'), name='domainproposal_approved_by_second_admin'),
        ),
        migrations.AddConstraint(
            model_name='domainproposal',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'domain'), ('status', 'pending')), fields=('kind', 'value'), name='domainproposal_one_pending_per_domain'),
        ),
        migrations.AddConstraint(
            model_name='domainproposal',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'website'), ('status', 'pending')), fields=('platform',), name='domainproposal_one_pending_website'),
        ),
            migrations.RunPython(forward, migrations.RunPython.noop),
    ]
