"""The two-person rule for official domains and websites, enforced by the database as well as the services.

- A domain proposal starts pending; what it proposes (platform, kind, value, subdomains, proposer) never
  changes; once decided, its decision never changes; an approval needs an approver who is not the proposer
  (check constraint ``domainproposal_approved_by_second_admin``, 0007).
- Every official domain row points at an approved proposal of the same platform whose domain, subdomain
  flag, proposer and approver are exactly the row's, and names two different people: a direct INSERT or
  UPDATE that makes a domain official without a second admin's approval of exactly that value is refused.
- A platform's website is empty or exactly the value of an approved website proposal of that platform.
- Shared hosts (``contacts.ownership.SHARED_HOSTS``) and their subdomains are refused by a check constraint;
  public suffixes cannot be checked in SQL and are refused by the services and forms.
"""

from __future__ import annotations

from django.db import migrations, models

PG_FORWARD = [
    """
CREATE OR REPLACE FUNCTION contacts_domainproposal_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' THEN
            RAISE EXCEPTION 'a domain proposal starts pending' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.platform_id IS DISTINCT FROM OLD.platform_id
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.value IS DISTINCT FROM OLD.value
        OR NEW.include_subdomains IS DISTINCT FROM OLD.include_subdomains
        OR NEW.proposed_by_id IS DISTINCT FROM OLD.proposed_by_id THEN
        RAISE EXCEPTION 'what a domain proposal proposes never changes' USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status <> 'pending' AND (
        NEW.status IS DISTINCT FROM OLD.status
        OR NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id
        OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
    ) THEN
        RAISE EXCEPTION 'a decided domain proposal never changes' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER contacts_domainproposal_guard BEFORE INSERT OR UPDATE ON contacts_domainproposal
       FOR EACH ROW EXECUTE FUNCTION contacts_domainproposal_guard();""",
    """
CREATE OR REPLACE FUNCTION contacts_domain_matches_approval() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM contacts_domainproposal p
        WHERE p.id = NEW.approved_proposal_id
          AND p.status = 'approved'
          AND p.kind = 'domain'
          AND p.platform_id = NEW.platform_id
          AND p.value = NEW.domain
          AND p.include_subdomains = NEW.include_subdomains
          AND p.proposed_by_id = NEW.proposed_by_id
          AND p.decided_by_id = NEW.approved_by_id
          AND p.decided_by_id <> p.proposed_by_id
    ) THEN
        RAISE EXCEPTION 'an official domain needs a second admin''s approval of exactly this domain'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER contacts_domain_matches_approval BEFORE INSERT OR UPDATE ON contacts_officialdomain
       FOR EACH ROW EXECUTE FUNCTION contacts_domain_matches_approval();""",
    """
CREATE OR REPLACE FUNCTION contacts_website_matches_approval() RETURNS trigger AS $$
BEGIN
    IF NEW.website <> '' AND NOT EXISTS (
        SELECT 1 FROM contacts_domainproposal p
        WHERE p.id = NEW.website_proposal_id
          AND p.status = 'approved'
          AND p.kind = 'website'
          AND p.platform_id = NEW.id
          AND p.value = NEW.website
    ) THEN
        RAISE EXCEPTION 'an official website needs a second admin''s approval of exactly this address'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER contacts_website_matches_approval BEFORE INSERT OR UPDATE ON contacts_platform
       FOR EACH ROW EXECUTE FUNCTION contacts_website_matches_approval();""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS contacts_website_matches_approval ON contacts_platform;",
    "DROP FUNCTION IF EXISTS contacts_website_matches_approval();",
    "DROP TRIGGER IF EXISTS contacts_domain_matches_approval ON contacts_officialdomain;",
    "DROP FUNCTION IF EXISTS contacts_domain_matches_approval();",
    "DROP TRIGGER IF EXISTS contacts_domainproposal_guard ON contacts_domainproposal;",
    "DROP FUNCTION IF EXISTS contacts_domainproposal_guard();",
]

_SQLITE_DOMAIN_CHECK = """
WHEN NOT EXISTS (
    SELECT 1 FROM contacts_domainproposal p
    WHERE p.id = NEW.approved_proposal_id
      AND p.status = 'approved'
      AND p.kind = 'domain'
      AND p.platform_id = NEW.platform_id
      AND p.value = NEW.domain
      AND p.include_subdomains = NEW.include_subdomains
      AND p.proposed_by_id = NEW.proposed_by_id
      AND p.decided_by_id = NEW.approved_by_id
      AND p.decided_by_id <> p.proposed_by_id
)
BEGIN SELECT RAISE(ABORT, 'an official domain needs a second admin''s approval of exactly this domain'); END;
"""
_SQLITE_WEBSITE_CHECK = """
WHEN NEW.website <> '' AND NOT EXISTS (
    SELECT 1 FROM contacts_domainproposal p
    WHERE p.id = NEW.website_proposal_id
      AND p.status = 'approved'
      AND p.kind = 'website'
      AND p.platform_id = NEW.id
      AND p.value = NEW.website
)
BEGIN SELECT RAISE(ABORT, 'an official website needs a second admin''s approval of exactly this address'); END;
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER contacts_domainproposal_starts_pending BEFORE INSERT ON contacts_domainproposal
       WHEN NEW.status <> 'pending'
       BEGIN SELECT RAISE(ABORT, 'a domain proposal starts pending'); END;""",
    """CREATE TRIGGER contacts_domainproposal_values_frozen BEFORE UPDATE ON contacts_domainproposal
       WHEN NEW.platform_id IS NOT OLD.platform_id OR NEW.kind IS NOT OLD.kind
           OR NEW.value IS NOT OLD.value OR NEW.include_subdomains IS NOT OLD.include_subdomains
           OR NEW.proposed_by_id IS NOT OLD.proposed_by_id
       BEGIN SELECT RAISE(ABORT, 'what a domain proposal proposes never changes'); END;""",
    """CREATE TRIGGER contacts_domainproposal_decision_frozen BEFORE UPDATE ON contacts_domainproposal
       WHEN OLD.status <> 'pending' AND (
           NEW.status IS NOT OLD.status OR NEW.decided_by_id IS NOT OLD.decided_by_id
           OR NEW.decided_at IS NOT OLD.decided_at)
       BEGIN SELECT RAISE(ABORT, 'a decided domain proposal never changes'); END;""",
    "CREATE TRIGGER contacts_domain_matches_approval_ins BEFORE INSERT ON contacts_officialdomain "
    + _SQLITE_DOMAIN_CHECK,
    "CREATE TRIGGER contacts_domain_matches_approval_upd BEFORE UPDATE ON contacts_officialdomain "
    + _SQLITE_DOMAIN_CHECK,
    "CREATE TRIGGER contacts_website_matches_approval_ins BEFORE INSERT ON contacts_platform "
    + _SQLITE_WEBSITE_CHECK,
    "CREATE TRIGGER contacts_website_matches_approval_upd BEFORE UPDATE ON contacts_platform "
    + _SQLITE_WEBSITE_CHECK,
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "contacts_domainproposal_starts_pending",
        "contacts_domainproposal_values_frozen",
        "contacts_domainproposal_decision_frozen",
        "contacts_domain_matches_approval_ins",
        "contacts_domain_matches_approval_upd",
        "contacts_website_matches_approval_ins",
        "contacts_website_matches_approval_upd",
    )
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
    dependencies = [("contacts", "0009_domain_proposals")]
    operations = [
        migrations.AddConstraint(
            model_name='officialdomain',
            constraint=models.CheckConstraint(condition=models.Q(('approved_proposal__isnull', False), ('proposed_by__isnull', False), ('approved_by__isnull', False), ('approved_at__isnull', False), models.Q(('approved_by', models.F('proposed_by')), _negated=True)), name='domain_approved_by_two_people'),
        ),
        migrations.AddConstraint(
            model_name='officialdomain',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('domain__in', ('bit.ly', 'dwz.cn', 'goo.gl', 'is.gd', 'ow.ly', 'suo.im', 't.cn', 't.co', 't.ly', 'tinyurl.com', 'u.nu', 'url.cn', 'blog.163.com', 'blog.csdn.net', 'blog.sina.com.cn', 'blog.sohu.com', 'blogspot.com', 'docs.google.com', 'docs.qq.com', 'feishu.cn', 'gitee.io', 'github.io', 'jianshu.com', 'jimdosite.com', 'jinshuju.net', 'kdocs.cn', 'larksuite.com', 'lofter.com', 'mikecrm.com', 'mp.weixin.qq.com', 'netlify.app', 'notion.site', 'pages.dev', 'qzone.qq.com', 'shimo.im', 'sites.google.com', 'vercel.app', 'weebly.com', 'wixsite.com', 'wjx.cn', 'wordpress.com', 'yuque.com', 'zhihu.com', 'aliyuncs.com', 'bcebos.com', 'clouddn.com', 'myqcloud.com', 'qiniudn.com', 'baijiahao.baidu.com', 'bilibili.com', 'douban.com', 'douyin.com', 'gitee.com', 'github.com', 'kuaishou.com', 'pan.baidu.com', 'taobao.com', 'tieba.baidu.com', 'tmall.com', 'toutiao.com', 'weibo.com', 'wenku.baidu.com', 'xiaohongshu.com')), _negated=True), models.Q(('domain__endswith', '.bit.ly'), _negated=True), models.Q(('domain__endswith', '.dwz.cn'), _negated=True), models.Q(('domain__endswith', '.goo.gl'), _negated=True), models.Q(('domain__endswith', '.is.gd'), _negated=True), models.Q(('domain__endswith', '.ow.ly'), _negated=True), models.Q(('domain__endswith', '.suo.im'), _negated=True), models.Q(('domain__endswith', '.t.cn'), _negated=True), models.Q(('domain__endswith', '.t.co'), _negated=True), models.Q(('domain__endswith', '.t.ly'), _negated=True), models.Q(('domain__endswith', '.tinyurl.com'), _negated=True), models.Q(('domain__endswith', '.u.nu'), _negated=True), models.Q(('domain__endswith', '.url.cn'), _negated=True), models.Q(('domain__endswith', '.blog.163.com'), _negated=True), models.Q(('domain__endswith', '.blog.csdn.net'), _negated=True), models.Q(('domain__endswith', '.blog.sina.com.cn'), _negated=True), models.Q(('domain__endswith', '.blog.sohu.com'), _negated=True), models.Q(('domain__endswith', '.blogspot.com'), _negated=True), models.Q(('domain__endswith', '.docs.google.com'), _negated=True), models.Q(('domain__endswith', '.docs.qq.com'), _negated=True), models.Q(('domain__endswith', '.feishu.cn'), _negated=True), models.Q(('domain__endswith', '.gitee.io'), _negated=True), models.Q(('domain__endswith', '.github.io'), _negated=True), models.Q(('domain__endswith', '.jianshu.com'), _negated=True), models.Q(('domain__endswith', '.jimdosite.com'), _negated=True), models.Q(('domain__endswith', '.jinshuju.net'), _negated=True), models.Q(('domain__endswith', '.kdocs.cn'), _negated=True), models.Q(('domain__endswith', '.larksuite.com'), _negated=True), models.Q(('domain__endswith', '.lofter.com'), _negated=True), models.Q(('domain__endswith', '.mikecrm.com'), _negated=True), models.Q(('domain__endswith', '.mp.weixin.qq.com'), _negated=True), models.Q(('domain__endswith', '.netlify.app'), _negated=True), models.Q(('domain__endswith', '.notion.site'), _negated=True), models.Q(('domain__endswith', '.pages.dev'), _negated=True), models.Q(('domain__endswith', '.qzone.qq.com'), _negated=True), models.Q(('domain__endswith', '.shimo.im'), _negated=True), models.Q(('domain__endswith', '.sites.google.com'), _negated=True), models.Q(('domain__endswith', '.vercel.app'), _negated=True), models.Q(('domain__endswith', '.weebly.com'), _negated=True), models.Q(('domain__endswith', '.wixsite.com'), _negated=True), models.Q(('domain__endswith', '.wjx.cn'), _negated=True), models.Q(('domain__endswith', '.wordpress.com'), _negated=True), models.Q(('domain__endswith', '.yuque.com'), _negated=True), models.Q(('domain__endswith', '.zhihu.com'), _negated=True), models.Q(('domain__endswith', '.aliyuncs.com'), _negated=True), models.Q(('domain__endswith', '.bcebos.com'), _negated=True), models.Q(('domain__endswith', '.clouddn.com'), _negated=True), models.Q(('domain__endswith', '.myqcloud.com'), _negated=True), models.Q(('domain__endswith', '.qiniudn.com'), _negated=True), models.Q(('domain__endswith', '.baijiahao.baidu.com'), _negated=True), models.Q(('domain__endswith', '.bilibili.com'), _negated=True), models.Q(('domain__endswith', '.douban.com'), _negated=True), models.Q(('domain__endswith', '.douyin.com'), _negated=True), models.Q(('domain__endswith', '.gitee.com'), _negated=True), models.Q(('domain__endswith', '.github.com'), _negated=True), models.Q(('domain__endswith', '.kuaishou.com'), _negated=True), models.Q(('domain__endswith', '.pan.baidu.com'), _negated=True), models.Q(('domain__endswith', '.taobao.com'), _negated=True), models.Q(('domain__endswith', '.tieba.baidu.com'), _negated=True), models.Q(('domain__endswith', '.tmall.com'), _negated=True), models.Q(('domain__endswith', '.toutiao.com'), _negated=True), models.Q(('domain__endswith', '.weibo.com'), _negated=True), models.Q(('domain__endswith', '.wenku.baidu.com'), _negated=True), models.Q(('domain__endswith', '.xiaohongshu.com'), _negated=True)), name='domain_not_shared_hosting'),
        ),
        migrations.AddConstraint(
            model_name='platform',
            constraint=models.CheckConstraint(condition=models.Q(('website', ''), ('website_proposal__isnull', False), _connector='OR'), name='platform_website_approved'),
        ),
        migrations.RunPython(forward, backward),
    ]
