"""The workspace's fast paths (issue 17) give the same page as the slow ones they replace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ClaimEventFactory, ClaimFactory, MacroFactory
from tickets.desk import queue as q
from tickets.desk import workspace as desk
from tickets.desk.forms import (
    FIELDS_TEMPLATE,
    AssignForm,
    BodyForm,
    MergeForm,
    PriorityForm,
    ReasonForm,
    ReplyForm,
    StatusForm,
    TagForm,
    form_fields_html,
)
from tickets.desk.views import ACTIONS
from tickets.models import Callback, Evidence, Tag

# agent/_timeline.html as it was: every entry through the template language (tickets.desk.queue.full_timeline
# still sets status_label, when_iso and when on each event).
TEMPLATE_TIMELINE = """{% load i18n desk %}<ol class="timeline agent-timeline" data-count="{{ events|length }}">
  {% for event in events %}
  <li class="event event-{{ event.kind }}{% if event.is_internal %} internal{% endif %}">
    <p class="event-head"><strong>{{ event|staff_event }}</strong>{% if event.is_internal %} <span class="badge muted">{% translate "internal" %}</span>{% endif %}
      {% if event.actor_label %}· {{ event.actor_label }}{% endif %}
      <time datetime="{{ event.when_iso }}">{{ event.when }}</time></p>
    {% if event.status_label %}<p>{% blocktranslate with status=event.status_label %}Status: {{ status }}{% endblocktranslate %}</p>{% endif %}
    {% if event.kind == "evidence_added" %}<p>{{ event.data.files|join:", " }}</p>{% endif %}
    {% if event.kind == "assigned" %}<p>{{ event.data.assignee|default:_("Unassigned") }}</p>{% endif %}
    {% if event.kind == "tagged" %}<p>{{ event.data.added }}</p>{% endif %}
    {% if event.body %}<p class="event-body">{{ event.body|linebreaksbr }}</p>{% endif %}
  </li>
  {% endfor %}
</ol>
"""  # noqa: E501


def busy_claim(team, customer, events: int = 50, files: int = 10):
    """A claim with a long timeline of every kind, files, tags, other claims, a canned reply, a call-back."""
    claim = ClaimFactory(team=team, customer=customer)
    now = timezone.now()
    kinds = [
        ("status_changed", {"to": "waiting_on_customer"}, "原因 <b>", False, "张三"),
        ("status_changed", {"to": "no-such-status"}, "", False, ""),
        ("evidence_added", {"files": ["a.png", "b<c>.pdf"]}, "", False, ""),
        ("assigned", {"assignee": "李四 & 王五"}, "", False, "系统"),
        ("assigned", {}, "", False, ""),
        ("tagged", {"added": "vip"}, "", False, ""),
        ("tagged", {"added": 12345}, "", False, ""),
        ("internal_note", {}, "第一行\n第二行 <script>", True, "客服 <A>"),
        ("customer_reply", {}, "还没到账\n\n第二段", False, ""),
        ("sla_promise", [], "", False, ""),
        ("resolved_confirmed", "text", "", False, ""),
    ]
    for i in range(events):
        kind, data, body, internal, actor = kinds[i % len(kinds)]
        ClaimEventFactory(
            claim=claim,
            kind=kind,
            data=data,
            body=body,
            is_internal=internal,
            actor_label=actor,
            created_at=now - timedelta(days=40, minutes=i * 97),
        )
    for i in range(files):
        Evidence.objects.create(
            claim=claim,
            storage_name=f"{'quarantine/' if i == 0 else ''}x/{claim.pk}/{i}",
            sha256=f"{claim.pk:032d}{i:032d}",
            content_type="image/png" if i % 2 else "application/pdf",
            size=1000 * (i + 1) ** 3,
            original_name=f"截图{i}.png",
        )
    for _ in range(3):
        ClaimFactory(team=team, customer=customer, status="closed")
    macro = MacroFactory(team=team, set_status="waiting_on_platform")
    macro.tags.add(Tag.objects.get_or_create(name="macro-tag")[0])
    claim.tags.add(Tag.objects.get_or_create(name="zeta")[0], Tag.objects.get_or_create(name="alpha")[0])
    Callback.objects.create(claim=claim, phone="+8613800138000", reason="customer", due_at=now, code="1234")
    return claim


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_timeline_entries_are_what_the_template_wrote(team, customer, language):
    claim = busy_claim(team, customer, events=33, files=0)
    with translation.override(language):
        before = Template(TEMPLATE_TIMELINE).render(Context({"events": q.full_timeline(claim)}))
        after = render_to_string("agent/_timeline.html", {"events": desk.timeline_entries(claim)})
    assert "&lt;script&gt;" in after and "<br>" in after and "李四 &amp; 王五" in after
    assert after == before


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_blank_action_form_is_what_django_renders(team, language):
    claim = ClaimFactory(team=team, status="open", priority=2)
    forms = [
        (ReplyForm, "id_%s", {}),
        (BodyForm, "note_%s", {}),
        (StatusForm, "status_%s", {"status": claim.status}),
        (ReasonForm, "escalate_%s", {}),
        (PriorityForm, "priority_%s", {"priority": claim.priority}),
        (TagForm, "tag_%s", {}),
        (MergeForm, "merge_%s", {}),
        (AssignForm, "assign_%s", {}),
    ]
    with translation.override(language):
        for form_class, auto_id, initial in forms:
            for _ in range(2):  # the second answer comes from the memo
                shown = form_fields_html(form_class, auto_id=auto_id, initial=initial)
                form = form_class(initial=initial, auto_id=auto_id)
                assert shown == render_to_string(FIELDS_TEMPLATE, {"form": form})
        bound = StatusForm({"status": "nope"}, auto_id="status_%s")
        shown = form_fields_html(StatusForm, auto_id="status_%s", initial={}, bound=bound)
        assert 'aria-invalid="true"' in shown and "nope" in shown


def test_the_workspace_links_are_the_routes(login_as, team, team_agent, customer):
    claim = busy_claim(team, customer, events=1, files=2)
    page = login_as(team_agent).get(f"/agent/tickets/{claim.reference}/").content.decode()
    for action in ACTIONS:
        if action not in ("priority", "assign"):  # a supervisor's forms; the agent's unassign is shown
            assert f'action="{reverse("agent:action", args=[claim.reference, action])}"' in page, action
    assert f'hx-get="{reverse("agent:presence", args=[claim.reference])}"' in page
    assert f'hx-get="{reverse("agent:timeline", args=[claim.reference])}"' in page
    for item in Evidence.objects.filter(claim=claim).exclude(storage_name__startswith="quarantine/"):
        assert f'href="{reverse("agent:evidence", args=[claim.reference, item.pk])}"' in page
    for other in claim.customer.claims.exclude(pk=claim.pk):
        assert f'href="{reverse("agent:ticket", args=[other.reference])}"' in page


def test_an_invalid_status_change_is_shown_again_with_its_error(login_as, team, team_agent):
    claim = ClaimFactory(team=team, status="open")
    client = login_as(team_agent)
    response = client.post(f"/agent/tickets/{claim.reference}/status/", {"status": "nope", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="status_status_error"' in page and '<details class="action" open>' in page


WORKSPACE_QUERIES = 14  # session, user, OTP device, the claim, call-back (+ its caller line), timeline,
# files, other claims, canned replies (+ their tags), channels, tags, the platform's order facts


def test_the_workspace_keeps_a_fixed_query_count(login_as, team, team_agent, customer):
    small = busy_claim(team, customer, events=1, files=1)
    large = busy_claim(team, customer, events=60, files=12)
    client = login_as(team_agent)
    client.get(f"/agent/tickets/{small.reference}/")  # the cached team ids and nav badge
    counts = []
    for claim in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/agent/tickets/{claim.reference}/")
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts == [WORKSPACE_QUERIES, WORKSPACE_QUERIES], "\n".join(query["sql"][:120] for query in ctx)
