from __future__ import annotations

import pytest

from helpcentre.models import Article
from helpdesk.models import AuditEntry

pytestmark = pytest.mark.django_db


def _form(**overrides):
    from contacts.models import Platform, ProblemType

    data = {
        "slug": "new-one",
        "platform": Platform.objects.get(slug="xingyun").pk,
        "problem_types": [ProblemType.objects.get(slug="fraud").pk],
        "title_zh": "被骗了怎么办",
        "body_zh": "别慌。\n\n[[channels]]",
        "title_en": "Scammed?",
        "body_en": "Don't panic.\n\n[[channel:emergency_line]]",
        "sort_order": 10,
    }
    data.update(overrides)
    return data


def test_an_editor_previews_saves_and_publishes(directory, editor, login_as):
    client = login_as(editor)
    preview = client.post("/help/editor/new/", {**_form(), "action": "preview"})
    assert preview.status_code == 200
    assert "ready to publish" in preview.content.decode() or "可以发布" in preview.content.decode()
    assert not Article.objects.exists()
    response = client.post("/help/editor/new/", {**_form(), "action": "publish", "note": "first"})
    assert response.status_code == 302
    article = Article.objects.get(slug="new-one")
    assert article.is_published
    page = client.get("/help/new-one/", HTTP_COOKIE="claimdesk_language=en").content.decode()
    assert "95105-888" in client.get("/help/new-one/").content.decode() or "channel-card" in page
    history = client.get("/help/editor/new-one/history/").content.decode()
    assert "first" in history


def test_a_refused_publish_names_the_number_and_keeps_what_was_typed(directory, editor, login_as):
    client = login_as(editor)
    body = "请拨打 400-612-9999 联系客服"
    response = client.post("/help/editor/new/", {**_form(body_zh=body), "action": "publish"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "400-612-9999" in html
    assert "请拨打 400-612-9999 联系客服" in html  # the form keeps the text
    article = Article.objects.get(slug="new-one")  # saved as a draft, not published
    assert not article.is_published
    assert not AuditEntry.objects.filter(action="help.article_published").exists()


@pytest.mark.parametrize("persona", ["customer", "agent", "supervisor"])
def test_only_directory_admins_reach_the_editor(directory, login_as, request, persona):
    client = login_as(request.getfixturevalue(persona))
    assert client.get("/help/editor/").status_code == 403
    assert client.post("/help/editor/new/", {**_form(), "action": "publish"}).status_code == 403


def test_the_help_pages_work_in_both_languages(help_demo, client):
    home = client.get("/help/")
    assert home.status_code == 200
    assert "星云卡盟：号被盗了怎么办" in home.content.decode()
    found = client.get("/help/", {"q": "号被盗了", "platform": "xingyun"}).content.decode()
    assert found.index("xingyun-account-stolen") < found.index("</ol>")
    client.cookies["claimdesk_language"] = "en"
    article = client.get("/help/xingyun-account-stolen/").content.decode()
    assert "Xingyun: my account was stolen" in article
    assert "95105-888" in article  # the emergency line, embedded from the directory
    assert client.get("/help/no-such-article/").status_code == 404


def test_an_archived_or_draft_article_is_not_shown(help_demo, editor, write, client):
    write("draft-only", platform="xingyun", publish=False)
    assert client.get("/help/draft-only/").status_code == 404


def test_sending_a_refused_new_article_again_does_not_duplicate_it(directory, editor, login_as):
    client = login_as(editor)
    data = {**_form(body_zh="请拨打 400-612-9999"), "action": "publish"}
    html = client.post("/help/editor/new/", data).content.decode()
    assert 'action="/help/editor/new-one/"' in html
    fixed = {**data, "body_zh": "别慌。\n\n[[channels]]"}
    assert client.post("/help/editor/new-one/", fixed).status_code == 302
    assert Article.objects.filter(slug="new-one").count() == 1
    assert Article.objects.get(slug="new-one").is_published
