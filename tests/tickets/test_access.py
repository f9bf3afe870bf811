"""Team scoping (tickets.access): every staff URL and agent API operation, walked as an agent of another team.

The URLs are enumerated from the resolver and the operations from the OpenAPI schema, so a new URL is
covered without touching this file. A URL with an object parameter (claim reference, call-back id, evidence
id) must answer 404 for another team's object; a parameter the walker does not know fails the test until
someone says here what it names (and scopes the view). URLs without an object must not leak another team's
claim, and nothing the walk does may change it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from helpdesk.models import AuditEntry, User
from tests.factories import ClaimFactory, StaffFactory, TeamFactory, UserFactory, join_team, verify_phone
from tests.support.tickets import png_bytes
from tickets import access
from tickets.callbacks.selectors import callbacks_for_agent
from tickets.callbacks.services import callback_request
from tickets.desk import queue as q
from tickets.desk.views import ACTIONS
from tickets.models import Callback, CallbackStatus, Claim, ClaimEvent, Evidence

pytestmark = pytest.mark.django_db

STAFF_PREFIXES = ("agent/", "api/v1/agent/")
OBJECT_PARAMS = ("reference", "callback_id", "evidence_id")
# Parameters that choose a view, not an object: every value is walked.
CHOICE_PARAMS = {"action": sorted(ACTIONS)}
MISSING = {"reference": "XY-20000101-NOPE00", "callback_id": "987654321", "evidence_id": "987654321"}
FOREIGN_PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # team ids and presence live in the cache
    yield
    cache.clear()


@dataclass
class Desk:
    """One team's claim with a pending call-back and a sanitized evidence file."""

    agent: User
    claim: Claim
    callback: Callback
    evidence: Evidence

    def value(self, param: str) -> str:
        return {
            "reference": self.claim.reference,
            "callback_id": str(self.callback.pk),
            "evidence_id": str(self.evidence.pk),
        }[param]


def _desk(slug: str, phone: str, customer: User | None = None) -> Desk:
    team = TeamFactory(slug=slug, name=slug)
    agent = join_team(StaffFactory(), team)
    claim = ClaimFactory(team=team, customer=customer or UserFactory(), contact_phone=phone)
    if not claim.customer.has_verified_phone:  # call-backs go only to a verified phone
        verify_phone(claim.customer, phone)
    callback = callback_request(claim=claim, customer=claim.customer, phone=claim.customer.phone)
    # Each desk's call-back carries its own number (as if the customer verified another one since).
    Callback.objects.filter(pk=callback.pk).update(phone=phone)
    callback.refresh_from_db()
    data = png_bytes()
    name = default_storage.save(f"evidence/{slug}.png", ContentFile(data))
    evidence = Evidence.objects.create(
        claim=claim,
        storage_name=name,
        sha256=slug,
        content_type="image/png",
        size=len(data),
        original_name="a.png",
    )
    return Desk(agent, claim, callback, evidence)


@pytest.fixture
def theirs(platform) -> Desk:
    return _desk("senior-desk", FOREIGN_PHONE)


@pytest.fixture
def mine(platform, theirs) -> Desk:
    # The same customer: the "other claims" panel of my claim must not list theirs.
    return _desk("general-desk", "+8613800138000", customer=theirs.claim.customer)


# --- the walker -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    text: str  # the route as written, for messages
    name: str  # for reverse()
    params: tuple[str, ...]


def _params(pattern: Any) -> tuple[str, ...]:
    return tuple(pattern.regex.groupindex)  # path() converters and re_path() groups alike


def staff_routes(urlconf: str | None = None) -> list[Route]:
    """Every URL pattern under the staff prefixes, from the resolver itself."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str, params: tuple[str, ...]) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^")
            here = params + _params(pattern.pattern)
            if isinstance(pattern, URLResolver):
                space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, text, space, here)
            elif isinstance(pattern, URLPattern) and text.startswith(STAFF_PREFIXES):
                found.append(Route(text, f"{namespace}{pattern.name}" if pattern.name else "", here))

    walk(get_resolver(urlconf).url_patterns, "", "", ())
    return found


def _values(param: str, desks: tuple[Desk, Desk] | None) -> list[str] | None:
    if param in CHOICE_PARAMS:
        return CHOICE_PARAMS[param]
    if param in OBJECT_PARAMS:
        return [desks[0].value(param)] if desks else [MISSING[param]]
    return None


def _combinations(params: tuple[str, ...], target: Desk, own: Desk) -> Iterator[dict[str, str]]:
    """Each object parameter takes the target's value or (when there are several) the walker's own: my claim
    with their evidence id must be 404 as much as their claim."""
    objects = [p for p in params if p in OBJECT_PARAMS]
    choices = [p for p in params if p in CHOICE_PARAMS]
    for owners in itertools.product((target, own), repeat=len(objects)):
        if all(o is own for o in owners):
            continue
        base = {p: o.value(p) for p, o in zip(objects, owners, strict=True)}
        for picked in itertools.product(*(CHOICE_PARAMS[p] for p in choices)):
            yield {**base, **dict(zip(choices, picked, strict=True))}


def _post_data(target: Desk, own: Desk) -> dict[str, Any]:
    """One body that every staff form accepts a field of, all aimed at the target team's claim."""
    return {
        "body": "越权测试",
        "reason": "越权测试",
        "note": "越权测试",
        "outcome": "reached",
        "status": "closed",
        "priority": "1",
        "name": "越权",
        "into": target.claim.reference,
        "assignee": own.agent.staff_number,
        "claims": [target.claim.reference],
        "action": "assign_me",
    }


def _missing_url(route: Route, kwargs: dict[str, str]) -> str:
    return reverse(route.name, kwargs={k: MISSING.get(k, v) for k, v in kwargs.items()})


def _request(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.get(url) if method == "GET" else client.post(url, data)


def _leaks(content: bytes, target: Desk) -> bool:
    text = content.decode(errors="replace")
    return target.claim.reference in text or target.callback.phone in text


def scope_problems(client: Client, target: Desk, own: Desk, urlconf: str | None = None) -> list[str]:
    """Walk every staff URL as ``own.agent`` (signed in on ``client``) against ``target``'s objects."""
    problems: list[str] = []
    data = _post_data(target, own)
    for route in staff_routes(urlconf):
        unknown = [p for p in route.params if _values(p, (target, own)) is None]
        if unknown or not route.name:
            problems.append(
                f"{route.text}: parameter(s) {unknown or '-'} unknown or the URL has no name: name the URL, "
                "scope its view through tickets.access and teach this walker what the parameter names"
            )
            continue
        if not any(p in OBJECT_PARAMS for p in route.params):
            for kwargs in _combinations(route.params, target, own) if route.params else [{}]:
                url = reverse(route.name, kwargs=kwargs)
                for method in ("GET", "POST"):
                    response = _request(client, method, url, data)
                    if response.status_code >= 500 or _leaks(response.content, target):
                        problems.append(f"{method} {url}: {response.status_code}, shows another team's claim")
            continue
        for kwargs in _combinations(route.params, target, own):
            url = reverse(route.name, kwargs=kwargs)
            scoped = False
            for method in ("GET", "POST"):
                status = _request(client, method, url, data).status_code
                if status == 404:
                    scoped = True
                elif (
                    status == 405
                    and _request(client, method, _missing_url(route, kwargs), data).status_code == 405
                ):
                    pass  # the method is refused before any lookup: says nothing about the object
                else:
                    problems.append(f"{method} {url}: {status}, expected 404 (another team's object)")
            if not scoped:
                problems.append(f"{url}: no method reached a scoped lookup")
    return problems


def _schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method.upper())
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/agent/")
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _state(target: Desk) -> tuple[Any, ...]:
    claim = Claim.objects.get(pk=target.claim.pk)
    callback = Callback.objects.get(pk=target.callback.pk)
    return (
        claim.status,
        claim.assignee_id,
        claim.priority,
        claim.merged_into_id,
        ClaimEvent.objects.filter(claim=claim).count(),
        claim.tags.count(),
        callback.status,
        callback.attempts,
        AuditEntry.objects.filter(object_id__in=[str(claim.pk), str(callback.pk)]).count(),
    )


# --- the tests ------------------------------------------------------------------------------------------
def test_every_staff_url_answers_404_for_another_teams_objects(login_as, theirs, mine):
    routes = staff_routes()
    assert {"agent:ticket", "agent:evidence", "agent:presence", "callback_attempt"} <= {
        r.name for r in routes
    }
    before = _state(theirs)
    problems = scope_problems(login_as(mine.agent), theirs, mine)
    assert problems == []
    assert _state(theirs) == before, "a walk as another team's agent changed the claim or its call-back"


def test_the_walk_reaches_real_views_for_the_claims_own_team(login_as, theirs, mine):
    """The same URLs answer the claim's own team: the 404s above come from scoping, not from broken URLs."""
    client = login_as(theirs.agent)
    data = _post_data(theirs, mine)
    for route in staff_routes():
        if not any(p in OBJECT_PARAMS for p in route.params):
            continue
        for kwargs in _combinations(route.params, theirs, mine):
            if any(v == mine.value(k) for k, v in kwargs.items() if k in OBJECT_PARAMS):
                continue
            url = reverse(route.name, kwargs=kwargs)
            statuses = [_request(client, method, url, data).status_code for method in ("GET", "POST")]
            assert any(s not in (404, 405) for s in statuses), (url, statuses)


def test_every_agent_api_operation_in_the_schema_is_scoped(login_as, theirs, mine):
    operations = _schema_operations()
    assert ("/api/v1/agent/queue/", "GET") in operations and (
        "/api/v1/agent/queue/take-next/",
        "POST",
    ) in operations
    client = login_as(mine.agent)
    before = _state(theirs)
    for path, method in operations:
        params = re.findall(r"{(\w+)}", path)
        unknown = [p for p in params if p not in OBJECT_PARAMS]
        assert not unknown, f"{method} {path}: teach the walker what {unknown} names, and scope the view"
        url = path
        for param in params:
            url = url.replace(f"{{{param}}}", theirs.value(param))
        response = client.generic(method, url, "{}", content_type="application/json")
        if params:
            assert response.status_code == 404, (method, url, response.status_code)
        else:
            assert response.status_code < 500 and not _leaks(response.content, theirs), (method, url)
    assert _state(theirs) == before


def test_the_walker_catches_an_unscoped_url_and_an_unknown_parameter(settings, login_as, theirs, mine):
    """The walk must be able to fail: a URL that reads any team's call-back, and one with a new parameter."""
    settings.ROOT_URLCONF = "tests.tickets.leaky_urls"
    problems = scope_problems(login_as(mine.agent), theirs, mine, urlconf="tests.tickets.leaky_urls")
    assert any(p.startswith("GET /agent/leak/") and ": 200," in p for p in problems), problems
    assert any("widget_id" in p for p in problems), problems
    assert all("/agent/leak/" in p or "widget_id" in p for p in problems), problems


# --- the rule itself --------------------------------------------------------------------------------------
def test_call_backs_list_only_the_agents_teams(theirs, mine, supervisor):
    assert [c.pk for c in callbacks_for_agent(agent=mine.agent)] == [mine.callback.pk]
    assert {c.pk for c in callbacks_for_agent(agent=supervisor)} == {mine.callback.pk, theirs.callback.pk}


def test_the_call_back_list_page_shows_no_other_teams_phone_or_code(login_as, theirs, mine):
    page = login_as(mine.agent).get("/agent/callbacks/").content.decode()
    assert mine.claim.reference in page
    assert theirs.claim.reference not in page and FOREIGN_PHONE not in page


def test_an_attempt_on_another_teams_call_back_is_refused_by_the_service_too(theirs, mine):
    from django.http import Http404

    from tickets.callbacks.services import callback_record_attempt

    with pytest.raises(Http404):
        callback_record_attempt(callback=theirs.callback, agent=mine.agent, outcome="reached")
    theirs.callback.refresh_from_db()
    assert theirs.callback.status == CallbackStatus.PENDING and theirs.callback.attempts == 0


def test_other_claims_of_the_customer_list_only_claims_the_viewer_may_open(
    login_as, theirs, mine, supervisor
):
    assert q.other_claims_of_customer(mine.claim, viewer=mine.agent) == []
    assert q.other_claims_of_customer(mine.claim, viewer=supervisor) == [theirs.claim]
    page = login_as(mine.agent).get(f"/agent/tickets/{mine.claim.reference}/").content.decode()
    assert theirs.claim.reference not in page


def test_merging_into_another_teams_claim_is_refused(login_as, theirs, mine):
    response = login_as(mine.agent).post(
        f"/agent/tickets/{mine.claim.reference}/merge/", {"into": theirs.claim.reference}
    )
    assert response.status_code == 400
    mine.claim.refresh_from_db()
    assert mine.claim.merged_into_id is None


def test_a_queue_filter_on_another_team_is_404(login_as, theirs, mine):
    client = login_as(mine.agent)
    assert client.get(f"/agent/queue/?team={theirs.claim.team_id}").status_code == 404
    assert client.get(f"/agent/queue/?team={mine.claim.team_id}").status_code == 200


def test_supervisors_see_every_team(theirs, mine, supervisor):
    assert set(access.claims_visible_to(supervisor)) == {theirs.claim, mine.claim}
    assert access.may_handle(supervisor, theirs.claim) and access.may_see_team(supervisor, None)


def test_non_agents_see_nothing(customer, directory_admin, theirs):
    for user in (customer, directory_admin):
        assert not access.claims_visible_to(user).exists()
        assert not access.callbacks_visible_to(user).exists()
        assert not access.may_handle(user, theirs.claim)


def test_a_claim_without_a_team_is_the_supervisors_only(agent, supervisor, platform):
    claim = ClaimFactory(team=None)
    assert not access.may_handle(agent, claim) and access.may_handle(supervisor, claim)
