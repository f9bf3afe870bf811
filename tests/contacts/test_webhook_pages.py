"""Directory admins manage a platform's webhook endpoints; nobody else can."""

from __future__ import annotations

import re

import pytest

from helpdesk import webhooks
from helpdesk.models import AuditEntry, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.factories import PlatformFactory
from tests.support.contacts import staff_client

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_endpoint_sees_the_secret_once_and_can_rotate_it(admin_a):
    platform = PlatformFactory(slug="xingyun")
    client = staff_client(admin_a)
    response = client.post(
        "/directory/platforms/xingyun/webhooks/",
        {"url": "https://hooks.xingyunka.cn/claimdesk", "events": ["claim.filed", "claim.resolved"]},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get(platform_id=platform.pk)
    assert endpoint.events == ["claim.filed", "claim.resolved"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get("/directory/platforms/xingyun/webhooks/").content.decode()
    old = endpoint.secret
    client.post(f"/directory/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    client.post(f"/directory/webhooks/{endpoint.pk}/toggle/")
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert AuditEntry.objects.filter(action="webhook.endpoint_disabled").exists()


def test_a_bad_url_is_explained(admin_a):
    PlatformFactory(slug="xingyun")
    response = staff_client(admin_a).post("/directory/platforms/xingyun/webhooks/", {"url": "not a url"})
    assert response.status_code == 200 and "合法的URL" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_log_lists_deliveries_and_sends_one_again(admin_a, directory_admin):
    platform = PlatformFactory(slug="xingyun")
    endpoint = webhooks.webhook_endpoint_create(
        actor=directory_admin, platform_id=platform.pk, url="https://example.com/h", events=[]
    )
    webhooks.webhook_enqueue(platform_id=platform.pk, event="claim.filed", data={"reference": "XY-1"})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD, last_status_code=500)
    client = staff_client(admin_a)
    page = client.get(f"/directory/webhooks/{endpoint.pk}/").content.decode()
    assert delivery.msg_id in page and "HTTP 500" in page
    client.post(f"/directory/webhooks/deliveries/{delivery.pk}/replay/")
    assert WebhookDelivery.objects.count() == 2


def test_customers_and_agents_cannot_reach_webhook_pages(login_as, customer, agent):
    PlatformFactory(slug="xingyun")
    for user in (customer, agent):
        response = login_as(user).get("/directory/platforms/xingyun/webhooks/")
        assert response.status_code in (403, 404)


def test_a_platform_manages_its_own_endpoints_with_its_key(admin_a, client):
    from rest_framework.test import APIClient

    platform = PlatformFactory(slug="xingyun")
    other = PlatformFactory(slug="lanjing")
    admin = staff_client(admin_a)
    page = admin.post("/directory/platforms/xingyun/keys/", {"name": "ops"}, follow=True).content.decode()
    key = re.search(r"cdk_[0-9a-f]{8}_[A-Za-z0-9_\-]{20,}", page).group(0)  # shown once, in the message
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    created = api.post("/api/v1/platform/webhooks/", {"url": "https://hooks.xingyunka.cn/x"}, format="json")
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get().platform_id == platform.pk
    webhooks.webhook_endpoint_create(
        actor=None, platform_id=other.pk, url="https://lanjingka.com/h", events=[]
    )
    listed = api.get("/api/v1/platform/webhooks/").json()
    assert [e["url"] for e in listed] == ["https://hooks.xingyunka.cn/x"]  # only its own
    foreign = WebhookEndpoint.objects.get(platform_id=other.pk)
    assert api.delete(f"/api/v1/platform/webhooks/{foreign.pk}/").status_code == 404
    own = WebhookEndpoint.objects.get(platform_id=platform.pk)
    switched = api.delete(f"/api/v1/platform/webhooks/{own.pk}/")
    assert switched.status_code == 200 and switched.json()["enabled"] is False
    bad = api.post("/api/v1/platform/webhooks/", {"url": "x", "events": ["claim.deleted"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"url", "events"}
    from helpdesk.models import PlatformApiKey

    admin.post(f"/directory/keys/{PlatformApiKey.objects.get().pk}/revoke/")
    assert api.get("/api/v1/platform/webhooks/").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer cdk_deadbeef_nope")
    assert wrong.get("/api/v1/platform/webhooks/").status_code == 401


def test_an_admin_issues_a_key_with_the_scopes_chosen(admin_a):
    from helpdesk.models import PlatformApiKey

    PlatformFactory(slug="xingyun")
    client = staff_client(admin_a)
    page = client.get("/directory/platforms/xingyun/webhooks/").content.decode()
    assert 'value="events:write"' in page and 'value="claims:write"' in page
    client.post(
        "/directory/platforms/xingyun/keys/",
        {"name": "订单系统", "scopes": ["events:write", "claims:read", "bogus"]},
    )
    key = PlatformApiKey.objects.get()
    assert key.scopes == ["events:write", "claims:read"]
    assert (
        "events:write, claims:read" in client.get("/directory/platforms/xingyun/webhooks/").content.decode()
    )
