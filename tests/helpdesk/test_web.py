from __future__ import annotations

import re

import pytest
from celery import Celery
from django.db.utils import OperationalError

from helpdesk import health


def test_the_home_page_is_chinese_by_default_even_for_english_browsers(
    client, db
):  # the home page lists the directory's platforms
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in body
    assert "查找卡盟平台的官方客服" in body


def test_the_language_switch_turns_the_site_english(
    client, db
):  # the home page lists the directory's platforms
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body and "Find the official support of a card platform" in body


def test_every_page_has_landmarks_and_the_language_switch(client):
    body = client.get("/accounts/login/").content.decode()
    for marker in ('<main id="main"', "<header", "<footer", "<nav", 'name="language"', 'class="skip-link"'):
        assert marker in body


def test_no_inline_scripts_and_a_strict_csp(client, db):  # the home page lists the directory's platforms
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.content.decode(), re.S)
    assert scripts and all('src="/static/' in attrs and not inner.strip() for attrs, inner in scripts)


def test_assets_are_vendored_not_from_a_cdn(client, db):  # the home page lists the directory's platforms
    body = client.get("/").content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', body)


def test_unknown_pages_get_a_translated_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_healthz_answers_while_the_process_is_up(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ok_when_database_and_broker_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


def test_readyz_names_an_unreachable_broker(client, db, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery lets this variable win over its config
    monkeypatch.setattr(health, "app", Celery("unreachable", broker="redis://127.0.0.1:1/0"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert list(response.json()["failing"]) == ["broker"]


def test_readyz_names_a_failing_database(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == {"database": "OperationalError"}


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/register/", "/accounts/password-reset/"])
def test_forms_carry_a_csrf_token(client, url):
    assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()


def test_a_form_posted_without_csrf_gets_a_clear_page(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "a@b.cn", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_readyz_reports_a_dead_broker_within_a_second(client, db, monkeypatch):
    import socket
    import time

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(health, "app", Celery("dead", broker=f"redis://127.0.0.1:{closed_port}/0"))
    client.get("/healthz")  # the process's first request pays for lazy imports; that is not the probe's time
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert list(response.json()["failing"]) == ["broker"]
    assert elapsed < 1.0, f"/readyz took {elapsed:.2f} s"


def test_readyz_gives_up_on_a_part_that_hangs(client, db, monkeypatch):
    import threading
    import time

    release = threading.Event()
    monkeypatch.setattr(health, "check_broker", lambda: release.wait(5) and None)
    client.get("/healthz")  # the process's first request pays for lazy imports; that is not the probe's time
    started = time.monotonic()
    try:
        response = client.get("/readyz")
    finally:
        release.set()
    assert time.monotonic() - started < 1.0
    assert response.status_code == 503
    assert response.json()["failing"] == {"broker": "timeout"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_are_never_redirected_to_https(client, db, settings, path):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").status_code == 301  # production settings do redirect pages
    response = client.get(path)
    assert response.status_code in (200, 503)
    assert "Location" not in response
