"""Insight pages: supervisor analytics and CSAT, the public scorecard, the customer's rating comment, the
customer's privacy page (export, deletion) and the privacy notice."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts.models import Platform, PlatformStatus, ProblemType
from helpdesk.models import User
from helpdesk.uploads import private_file_response
from insights import csat, privacy, scorecards
from insights.charts import Chart, bar_chart
from insights.forms import AnalyticsFilterForm, RatingCommentForm, ScorecardResponseForm
from insights.models import DailyRollup, DataExport, DeletionRequest, DeletionStatus, ExportStatus
from insights.selectors import cut_for, daily_rows
from tickets.access import sees_every_team
from tickets.claims.selectors import claim_for_customer
from tickets.models import Team

View = Callable[..., HttpResponseBase]


def supervisor_required(view: View) -> View:
    """Supervisors only (the figures count every team); anyone else gets 404, like every agent page."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not sees_every_team(cast(User, request.user)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 1) if seconds is not None else None


def _percent(met: int, total: int) -> float | None:
    return round(met / total * 100, 1) if total else None


def _charts(rows: list[tuple[Any, DailyRollup | None]], filters: dict[str, int | None]) -> list[Chart]:
    scope = {k: v for k, v in filters.items() if k in ("platform", "team", "problem_type") and v}

    def queue(**extra: Any) -> str:
        return "/agent/queue/?" + urlencode({**scope, **extra})

    def series(
        value: Callable[[DailyRollup], float | None], href: str
    ) -> list[tuple[Any, float | None, str]]:
        return [(day, value(row) if row else None, href) for day, row in rows]

    return [
        bar_chart(
            slug="filed", title=_("Claims filed"), unit=_("claims"), points=series(lambda r: r.filed, queue())
        ),
        bar_chart(
            slug="backlog",
            title=_("Open at the end of the day"),
            unit=_("claims"),
            points=series(lambda r: r.backlog, queue()),
        ),
        bar_chart(
            slug="resolved",
            title=_("Claims resolved"),
            unit=_("claims"),
            points=series(lambda r: r.resolved, queue(status="resolved")),
        ),
        bar_chart(
            slug="first-response",
            title=_("Median first response"),
            unit=_("hours"),
            points=series(lambda r: _hours(r.median_first_response_s), queue(sla="at_risk")),
        ),
        bar_chart(
            slug="resolution",
            title=_("Median resolution"),
            unit=_("hours"),
            points=series(lambda r: _hours(r.median_resolution_s), queue(sla="at_risk")),
        ),
        bar_chart(
            slug="sla",
            title=_("First responses within the SLA"),
            unit="%",
            maximum=100,
            points=series(lambda r: _percent(r.sla_first_met, r.sla_first_total), queue(sla="breached")),
        ),
        bar_chart(
            slug="callbacks",
            title=_("Call-backs completed"),
            unit=_("call-backs"),
            points=series(lambda r: r.callbacks_done, "/agent/callbacks/"),
        ),
    ]


@supervisor_required
def analytics(request: HttpRequest) -> HttpResponse:
    filters = AnalyticsFilterForm(request.GET).values()
    days = cast(int, filters["days"])
    rows = daily_rows(
        cut=cut_for(platform=filters["platform"], team=filters["team"], problem_type=filters["problem_type"]),
        days=days,
    )
    return render(
        request,
        "insights/analytics.html",
        {
            "charts": _charts(rows, filters),
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "platforms": Platform.objects.exclude(status=PlatformStatus.CLOSED).order_by("name"),
            "teams": Team.objects.order_by("name"),
            "problem_types": ProblemType.objects.order_by("slug"),
        },
    )


@supervisor_required
def analytics_csv(request: HttpRequest) -> HttpResponse:
    filters = AnalyticsFilterForm(request.GET).values()
    rows = daily_rows(
        cut=cut_for(platform=filters["platform"], team=filters["team"], problem_type=filters["problem_type"]),
        days=cast(int, filters["days"]),
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claimdesk-analytics.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly (Chinese names)
    writer = csv.writer(response)
    writer.writerow(
        [
            "day",
            "filed",
            "resolved",
            "backlog",
            "median_first_response_hours",
            "median_resolution_hours",
            "sla_first_response_met",
            "sla_first_response_total",
            "sla_resolution_met",
            "sla_resolution_total",
            "rated",
            "csat_average",
            "low_ratings",
            "callbacks_done",
            "callbacks_unreached",
            "deflected",
        ]
    )
    for day, row in rows:
        if row is None:
            writer.writerow([day.isoformat(), 0, 0, 0, "", "", 0, 0, 0, 0, 0, "", 0, 0, 0, ""])
            continue
        writer.writerow(
            [
                day.isoformat(),
                row.filed,
                row.resolved,
                row.backlog,
                _hours(row.median_first_response_s),
                _hours(row.median_resolution_s),
                row.sla_first_met,
                row.sla_first_total,
                row.sla_resolution_met,
                row.sla_resolution_total,
                row.rated,
                round(row.rating_sum / row.rated, 2) if row.rated else "",
                row.low_ratings,
                row.callbacks_done,
                row.callbacks_unreached,
                "" if row.deflected is None else row.deflected,
            ]
        )
    return response


@supervisor_required
def csat_report(request: HttpRequest) -> HttpResponse:
    days = AnalyticsFilterForm(request.GET).values()["days"] or 30
    first_day = timezone.localdate() - timedelta(days=days - 1)
    since = timezone.now() - timedelta(days=days)
    tables = [
        (_("By agent"), csat.csat_report(dimension="agent", since=first_day)),
        (_("By team"), csat.csat_report(dimension="team", since=first_day)),
        (_("By platform"), csat.csat_report(dimension="platform", since=first_day)),
        (_("By problem type"), csat.csat_report(dimension="problem_type", since=first_day)),
    ]
    return render(
        request,
        "insights/csat_report.html",
        {"tables": tables, "days": days, "comments": csat.recent_comments(since=since)},
    )


# --- customer: a comment after rating -------------------------------------------------------------------
@login_required
@require_POST
def rating_comment(request: HttpRequest, reference: str) -> HttpResponse:
    user = cast(User, request.user)
    claim = claim_for_customer(customer=user, reference=reference)
    form = RatingCommentForm(request.POST)
    if form.is_valid():
        try:
            csat.csat_comment_add(claim=claim, actor=user, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Thank you for your comment."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    return redirect("tickets:detail", reference=claim.reference)


# --- public scorecard -----------------------------------------------------------------------------------
def _public_platform(slug: str) -> Platform:
    return get_object_or_404(Platform.objects.exclude(status=PlatformStatus.CLOSED), slug=slug)


def scorecard(request: HttpRequest, slug: str) -> HttpResponse:
    platform = _public_platform(slug)
    user = cast(User, request.user)
    return render(
        request,
        "insights/scorecard.html",
        {
            "card": scorecards.scorecard_for(platform),
            "may_respond": user.is_authenticated and user.is_directory_admin,
            "response_form": ScorecardResponseForm(),
            "quarter": scorecards.current_quarter(),
        },
    )


@login_required
@require_POST
def scorecard_respond(request: HttpRequest, slug: str) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_directory_admin:
        raise Http404
    platform = _public_platform(slug)
    form = ScorecardResponseForm(request.POST)
    if not form.is_valid():
        card = scorecards.scorecard_for(platform)
        context = {
            "card": card,
            "may_respond": True,
            "response_form": form,
            "quarter": scorecards.current_quarter(),
        }
        return render(request, "insights/scorecard.html", context, status=400)
    try:
        scorecards.scorecard_response_add(platform=platform, actor=user, body=form.cleaned_data["body"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The platform's response is published."))
    return redirect("insights:scorecard", slug=platform.slug)


# --- the customer's own data ------------------------------------------------------------------------------
@login_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    export = DataExport.objects.filter(user=user).exclude(status=ExportStatus.EXPIRED).first()
    return render(
        request,
        "insights/privacy_settings.html",
        {
            "export": export,
            "export_token": privacy.export_token(export)
            if export and export.status == ExportStatus.READY
            else "",
            "deletion": DeletionRequest.objects.filter(user=user, status=DeletionStatus.SCHEDULED).first(),
            "periods": privacy.retention_periods(),
        },
    )


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    privacy.data_export_request(user=cast(User, request.user))
    messages.success(request, _("We are preparing your data. We will tell you when it is ready."))
    return redirect("insights:privacy_settings")


@login_required
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    export = privacy.export_for_token(token, user=cast(User, request.user))
    if export is None:
        raise Http404
    return private_file_response(
        export.storage_name, download_name="claimdesk-my-data.zip", content_type="application/zip"
    )


@login_required
@require_POST
def deletion_schedule(request: HttpRequest) -> HttpResponse:
    try:
        privacy.deletion_request(user=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your account will be deleted at the end of the cooling-off period."))
    return redirect("insights:privacy_settings")


@login_required
@require_POST
def deletion_cancel(request: HttpRequest) -> HttpResponse:
    if privacy.deletion_cancel(user=cast(User, request.user)):
        messages.success(request, _("The deletion is cancelled; your account stays."))
    return redirect("insights:privacy_settings")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/privacy_notice.html", {"periods": privacy.retention_periods()})
