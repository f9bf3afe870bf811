from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpcentre import services
from helpcentre.models import ArticleRevision, ArticleStatus, SearchDocument
from helpdesk.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("请拨打客服 400-612-9999 处理。", "400-612-9999"),  # not in the directory
        ("请拨打旧号码 400-612-3400。", "400-612-3400"),  # retired
        ("登录 https://xingyunka-kefu.com/chat 联系客服", "xingyunka-kefu.com"),  # look-alike
        ("发邮件到 help@xingyun-service.cn", "help@xingyun-service.cn"),
        ("[官方客服](https://kf.xingyunka.cn.evil.com/chat)", "evil.com"),  # hidden in a Markdown link
        ("Email kefu&#64;fake-xingyun.cn now", "fake-xingyun.cn"),  # hidden behind an entity
    ],
)
def test_it_refuses_and_names_every_contact_that_is_not_official(directory, write, body, named):
    with pytest.raises(ValidationError) as caught:
        write("refused", platform="xingyun", types=("topup-not-credited",), body_en=body)
    assert any(named in message for message in caught.value.messages), caught.value.messages
    assert not ArticleRevision.objects.exists()
    assert not SearchDocument.objects.exists()


def test_it_checks_the_chinese_text_too(directory, write):
    with pytest.raises(ValidationError) as caught:
        write("zh", platform="xingyun", body_zh="加微信客服 13800138000 退款")
    assert any("13800138000" in m for m in caught.value.messages)


def test_it_publishes_official_contacts_and_embeds_channels(directory, write, client):
    body = (
        "别慌。先拨打官方理赔热线 400-612-3456，或在 https://kf.xingyunka.cn/chat 在线咨询，"
        "邮件 kefu@xingyunka.cn。\n\n[[channels]]"
    )
    article = write("ok", platform="xingyun", types=("topup-not-credited",), body_zh=body)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.current.number == 1
    assert AuditEntry.objects.filter(action="help.article_published", object_id=str(article.pk)).exists()
    assert SearchDocument.objects.filter(article=article).count() == 2
    page = client.get("/help/ok/")
    assert page.status_code == 200
    assert "channel-card" in page.content.decode()  # the directory's channels, not typed text


def test_a_general_article_cannot_embed_channels(directory, write):
    with pytest.raises(ValidationError):
        write("general", body_zh="[[channels]]")


def test_unknown_channel_kind_is_refused(directory, write):
    with pytest.raises(ValidationError):
        write("kind", platform="xingyun", body_zh="[[channel:fax]]")


def test_each_publish_is_a_revision_and_users_see_the_published_one(directory, write, editor, client):
    article = write("v", platform="xingyun", title_zh="第一版")
    article.title_zh = "第二版草稿"
    services.article_save(
        actor=editor,
        article=article,
        data=services.ArticleInput(
            slug="v",
            title_zh="第二版草稿",
            title_en="Second",
            body_zh="正文。",
            body_en="Text.",
            platform=article.platform,
        ),
    )
    assert "第一版" in client.get("/help/v/").content.decode()
    services.article_publish(actor=editor, article=article)
    assert list(article.revisions.values_list("number", flat=True)) == [2, 1]
    assert "第二版草稿" in client.get("/help/v/").content.decode()


def test_only_directory_admins_write(directory, agent):
    with pytest.raises(PermissionDenied):
        services.article_save(
            actor=agent,
            data=services.ArticleInput(slug="x", title_zh="x", title_en="x", body_zh="x", body_en="x"),
        )


def test_markdown_is_sanitised(directory, write, client):
    from django.core.exceptions import ValidationError

    from helpcentre.content import render_markdown

    write("safe", platform="xingyun", body_en="<script>alert(1)</script> **bold**")
    html = client.get("/help/safe/", HTTP_COOKIE="claimdesk_language=en").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html  # shown as text
    assert "<strong>bold</strong>" in html
    assert 'href="javascript' not in render_markdown("[x](javascript:alert(1))")
    # A javascript: link is never official, so an article carrying one is not even published.
    with pytest.raises(ValidationError, match="javascript:alert"):
        write("unsafe", platform="xingyun", body_en="[x](javascript:alert(1)) **bold**")


def test_a_number_suspended_after_publishing_is_withheld(directory, write, second_directory_admin, client):
    from django.core.cache import cache

    from contacts import services as directory
    from contacts.models import ContactChannel

    write(
        "typed",
        platform="xingyun",
        types=("topup-not-credited",),
        body_zh="拨打理赔热线 400-612-3456。\n\n[[channels]]",
    )
    assert "400-612-3456。" in client.get("/help/typed/").content.decode()
    hotline = ContactChannel.objects.get(canonical_value__contains="4006123456")
    directory.channel_suspend(actor=second_directory_admin, channel=hotline, reason="号码被冒用，暂停。")
    cache.clear()
    html = client.get("/help/typed/").content.decode()
    assert "400-612-3456。" not in html
    assert "no longer confirmed as official" in html or "不再确认为官方" in html
