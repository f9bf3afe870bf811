"""The queue page's rows, rendered to HTML in Python: the one place a queue row's markup lives.

Why not a template: the row is the hottest markup in the product (an agent's queue refreshes every 20 s, 25
to 200 rows each time). Profiling the page at a million claims showed the Django template language as the
cost, not the database: per row some forty variable lookups through the template context, every integer
through ``localize`` (``number_format``: 1,200 calls for a 200-row page) and an escape of every value. The
same row written here as one format string costs a few microseconds: ``ROW`` below *is* the template, and
every value that goes into it is escaped here (``_e``) or is markup built here from escaped values.

Words that are the same on every row are translated once per page; durations go through the memoised
``elapsed`` (tickets.templatetags.desk); status labels come from the one staff-label table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape as _html_escape
from typing import Any

from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from tickets.desk.labels import staff_status_labels
from tickets.desk.queue import QueueClaim
from tickets.models import NO_DUE_TIME
from tickets.templatetags.desk import highlight, left_until, overdue_for


def _e(value: Any) -> str:
    """Django's ``escape`` (the same five characters), without building a SafeString per call."""
    return _html_escape(str(value))


ROW = (
    '<tr class="priority-{priority}{sla_class}" data-reference="{reference}">\n'
    '  <td class="col-pick"><input type="checkbox" name="claims" value="{reference}" form="bulk-form"'
    ' id="pick-{pk}" aria-label="{select} {reference}"></td>\n'
    '  <td class="col-priority"><span class="badge priority p{priority}" title="{score_label} {score}">'
    "P{priority}</span>{high_value}</td>\n"
    '  <td class="col-claim"><a href="{href}">{reference_html}</a>\n'
    '    <div class="muted">{facts}</div>\n'
    "{search}{badges}{tags}{viewers}"
    "  </td>\n"
    '  <td class="col-status">{status}</td>\n'
    '  <td class="col-due">{due}</td>\n'
    '  <td class="col-age"><span class="muted">{age}</span></td>\n'
    '  <td class="col-assignee">{assignee}</td>\n'
    "</tr>\n"
)
VIEWING = '    <div class="viewing" role="note">{} {}</div>\n'
EMPTY = '<tr><td colspan="7">{text}</td></tr>\n'


def _words() -> dict[str, str]:
    """Every constant word of a row, translated once per page (and escaped once: they go into HTML)."""
    words = {
        "select": _("Select"),
        "score_label": _("Urgency score"),
        "high_value": _("High value"),
        "filed_late": _("Filed late"),
        "proactive": _("Proactive"),
        "viewing": _("Viewing now:"),
        "unassigned": _("Unassigned"),
        "order": pgettext("claim order number", "Order"),
        "at_risk": _("At risk"),
        "paused": _("SLA paused"),
    }
    escaped = {key: _e(value) for key, value in words.items()}
    # Formats filled per row: escaped after filling (a duration's words never contain markup, but the
    # translation is data).
    escaped.update(
        breached=_("Breached %(overdue)s ago"),
        left=_("%(left)s left"),
        filed=_("filed %(age)s ago"),
    )
    return escaped


def _due_cell(claim: QueueClaim, sla: str, now: datetime, words: dict[str, str], language: str) -> str:
    """The "Due" cell: the SLA badge and the time left."""
    due = claim.queue_due_at
    if sla == "breached":
        text = _e(words["breached"] % {"overdue": overdue_for(due, now, language)})
        return f'<span class="badge bad" data-testid="sla-breached">{text}</span>'
    if sla == "at_risk":
        moment = localtime(due).isoformat() if due else ""
        left = _e(words["left"] % {"left": left_until(due, now, language)})
        return f'<span class="badge warn">{words["at_risk"]}</span> <time datetime="{moment}">{left}</time>'
    if claim.sla_paused_at:
        return f'<span class="badge muted">{words["paused"]}</span>'
    if due is not None and due < NO_DUE_TIME:
        left = _e(words["left"] % {"left": left_until(due, now, language)})
        return f'<time datetime="{localtime(due).isoformat()}">{left}</time>'
    return '<span class="muted">—</span>'


def queue_rows_html(
    claims: Iterable[QueueClaim],
    *,
    states: dict[int, str],
    viewers: dict[int, list[str]],
    now: datetime,
    q: str,
    ticket_prefix: str,
) -> SafeString:
    """The ``<tr>`` rows of the queue table (the page's ``<tbody>`` and the 20-second refresh both use it);
    ``states`` maps claim id to its SLA state, ``ticket_prefix`` is the ticket URL without the reference."""
    words = _words()
    language = get_language()
    statuses = staff_status_labels(language)
    decimal_separator = get_format("DECIMAL_SEPARATOR")
    shown: dict[int, str] = {}  # the rows share a handful of platform, problem type and team objects
    out = []
    for claim in claims:
        sla = states.get(claim.pk, "")
        platform, problem_type, team = claim.platform, claim.problem_type, claim.team
        reference = _e(claim.reference)
        # What ``localize`` gives an amount here (USE_THOUSAND_SEPARATOR is off): its digits, the language's
        # decimal separator.
        amount = f"{claim.amount:f}".replace(".", decimal_separator)
        team_name = shown.get(id(team)) if team else ""
        if team_name is None:
            team_name = shown[id(team)] = f" · {_e(team.name)}"  # type: ignore[union-attr]
        kind = shown.get(id(problem_type))
        if kind is None:
            kind = shown[id(problem_type)] = _e(problem_type.name)
        place = shown.get(id(platform))
        if place is None:
            place = shown[id(platform)] = _e(platform.name)
        facts = f"{place} · {kind} · {_e(amount)} {_e(claim.currency)}{team_name}"
        badges = []
        if claim.late_filed:
            badges.append(f'<span class="badge muted">{words["filed_late"]}</span>')
        parts = claim.urgency_parts
        if isinstance(parts, dict) and parts.get("proactive"):
            badges.append(f' <span class="badge warn" data-testid="proactive">{words["proactive"]}</span>')
        tags = getattr(claim, "tag_names", ())
        names = viewers.get(claim.pk)
        out.append(
            ROW.format(
                priority=claim.priority,
                sla_class=f" sla-{sla}" if sla else "",
                reference=reference,
                pk=claim.pk,
                select=words["select"],
                score_label=words["score_label"],
                score=claim.urgency_score,
                high_value=f' <span class="badge warn">{words["high_value"]}</span>'
                if claim.is_high_value
                else "",
                href=f"{ticket_prefix}{reference}/",
                reference_html=highlight(claim.reference, q) if q else reference,
                facts=facts,
                search=f'    <div class="small">{highlight(claim.subject, q)} · {words["order"]} '
                f"{highlight(claim.order_number, q)}</div>\n"
                if q
                else "",
                badges=f"    {''.join(badges)}\n" if badges else "",
                tags="    " + "".join(f'<span class="badge muted">{_e(tag)}</span> ' for tag in tags) + "\n"
                if tags
                else "",
                viewers=VIEWING.format(words["viewing"], _e(", ".join(names))) if names else "",
                status=_e(statuses.get(claim.status, claim.status)),
                due=_due_cell(claim, sla, now, words, language),
                age=_e(words["filed"] % {"age": overdue_for(claim.created_at, now, language)}),
                assignee=_e(claim.assignee.public_name)
                if claim.assignee
                else f'<span class="muted">{words["unassigned"]}</span>',
            )
        )
    if not out:
        out.append(EMPTY.format(text=_e(_("No claims match."))))
    return SafeString("".join(out))
