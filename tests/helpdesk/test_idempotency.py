"""Idempotency-Key: a retried POST replays; a reused key with another body is refused; races make one row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from helpdesk.api.idempotency import idempotent, request_fingerprint
from helpdesk.models import AuditEntry, IdempotencyRecord

factory = APIRequestFactory()


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def create_thing(request):
    def handler() -> Response:
        if request.data.get("bad"):
            return Response({"error": "bad"}, status=status.HTTP_400_BAD_REQUEST)
        entry = AuditEntry.objects.create(action="test.create", object_type="t", object_id="1")
        return Response(
            {"id": entry.pk}, status=status.HTTP_201_CREATED, headers={"Location": f"/t/{entry.pk}"}
        )

    return idempotent(request, scope="test", fingerprint=request_fingerprint(request.data), handler=handler)


def post(user, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    request = factory.post("/t/", body, format="json", **headers)
    force_authenticate(request, user=user)
    return create_thing(request)


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_response(customer):
    first = post(customer, {"a": 1}, key="k-1")
    again = post(customer, {"a": 1}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.data == first.data
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert AuditEntry.objects.filter(action="test.create").count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422(customer):
    post(customer, {"a": 1}, key="k-2")
    response = post(customer, {"a": 2}, key="k-2")
    assert response.status_code == 422
    assert response.data["error"]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_keys_belong_to_one_client(customer, other_customer):
    post(customer, {"a": 1}, key="shared")
    assert post(other_customer, {"a": 1}, key="shared").status_code == 201
    assert AuditEntry.objects.filter(action="test.create").count() == 2


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_the_key(customer):
    assert post(customer, {"bad": True}, key="k-3").status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(customer, {"a": 1}, key="k-3").status_code == 201


@pytest.mark.django_db
def test_without_a_key_each_request_runs_and_a_bad_key_is_400(customer):
    post(customer, {"a": 1})
    post(customer, {"a": 1})
    assert AuditEntry.objects.filter(action="test.create").count() == 2
    assert post(customer, {"a": 1}, key="x" * 300).status_code == 400


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_row(postgres, customer):
    barrier = threading.Barrier(4)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(post(customer, {"a": 1}, key="race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [201, 201, 201, 201]
    assert AuditEntry.objects.filter(action="test.create").count() == 1
    assert IdempotencyRecord.objects.count() == 1
