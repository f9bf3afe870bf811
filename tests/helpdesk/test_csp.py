"""The Content-Security-Policy header is built once per process (helpdesk.middleware), and is still exactly
what django-csp builds from the settings, for every response, the report-only one included."""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from helpdesk.middleware import ContentSecurityPolicyMiddleware


def _through(middleware_class: type, response: HttpResponse) -> HttpResponse:
    request = RequestFactory().get("/")
    middleware = middleware_class(lambda request: response)
    middleware.process_request(request)
    return middleware.process_response(request, response)


def test_the_header_is_django_csp_s(client, db):
    response = client.get("/healthz")
    assert response[HEADER] == build_policy()
    assert HEADER_REPORT_ONLY not in response


def test_it_is_built_once(monkeypatch):
    ContentSecurityPolicyMiddleware._built.clear()
    calls = []
    monkeypatch.setattr(
        "helpdesk.middleware.build_policy", lambda **kw: calls.append(kw) or build_policy(**kw)
    )
    for _ in range(3):
        assert _through(ContentSecurityPolicyMiddleware, HttpResponse("x"))[HEADER] == build_policy()
    assert len(calls) == 2  # the policy and the (empty) report-only policy, once each


def test_a_changed_setting_changes_the_header(settings):
    _through(ContentSecurityPolicyMiddleware, HttpResponse("x"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    response = _through(ContentSecurityPolicyMiddleware, HttpResponse("x"))
    expected = _through(CSPMiddleware, HttpResponse("x"))
    assert response[HEADER] == expected[HEADER] == "default-src 'none'"
    assert response[HEADER_REPORT_ONLY] == expected[HEADER_REPORT_ONLY]


def test_a_view_s_own_policy_and_a_nonce_go_through_django_csp():
    @csp_update({"img-src": ["https://img.example"]})
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("x")

    response = _through(ContentSecurityPolicyMiddleware, view(RequestFactory().get("/")))
    assert "https://img.example" in response[HEADER]
    request = RequestFactory().get("/")
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("x"))
    middleware.process_request(request)
    nonce = str(request.csp_nonce)  # type: ignore[attr-defined]
    response = middleware.process_response(request, HttpResponse("x"))
    assert response[HEADER] == build_policy(nonce=nonce)
