"""Public directory pages and the directory admins' pages. Thin: authorize, parse, call one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from contacts import checker, http_cache, jsonld, lookalike, presenters, selectors, services
from contacts.checker import present
from contacts.checker.cached import check_json
from contacts.checker.overall import overall
from contacts.forms import (
    ApproveForm,
    ChannelForm,
    CheckForm,
    EvidenceForm,
    PlatformForm,
    ProblemFlowForm,
    ProposeForm,
    ReasonForm,
    RetireForm,
    ScamReportForm,
    SearchForm,
    TriageForm,
    report_form_token,
)
from contacts.http_cache import public_page
from contacts.models import (
    ChannelEvidence,
    DomainProposalKind,
    Platform,
    ProposalStatus,
    ReportedValue,
    ReportStatus,
    ScamReport,
)
from contacts.recommend import recommend
from contacts.search_assist import checkable, platform_suggestions
from contacts.values import channel_values, diff
from helpdesk import uploads
from helpdesk.middleware import client_ip
from helpdesk.models import User
from helpdesk.ratelimit import too_many

ViewFunc = Callable[..., HttpResponseBase]


# --- Public -------------------------------------------------------------------------------------------
@public_page(minute=True)  # "open now" in the recommendation
def home(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if query and checkable(query):
        # A phone number, link or e-mail address typed into the platform search: the checker answers that.
        return redirect(f"{reverse('check')}?{urlencode({'q': query})}")
    results = selectors.platform_search(query=query) if query else []
    suggestions = platform_suggestions(query) if query and not results else []
    flow = ProblemFlowForm(
        request.GET if "problem" in request.GET else None,
        initial={"platform": request.GET.get("platform", "")[:60]},  # from a platform page's link
    )
    recommendation = None
    if flow.is_bound and flow.is_valid():
        platform = selectors.platform_page(slug=flow.cleaned_data["platform"])
        ordered = recommend(
            selectors.published_channels_of(platform=platform),
            problem_type_slug=flow.cleaned_data["problem"].slug,
            urgency=flow.cleaned_data["urgency"],
            at=timezone.now(),
        )
        recommendation = {
            "platform": platform,
            "problem": flow.cleaned_data["problem"],
            "ordered": presenters.recommendations(ordered),
        }
    context = {
        "search": search,
        "results": results,
        "searched": bool(query),
        "suggestions": suggestions,
        "flow": flow,
        "platforms": results or selectors.active_platforms(),
        "recommendation": recommendation,
    }
    return render(request, "contacts/home.html", context)


@public_page(minute=True)  # "open now" on the channel cards
def platform_detail(request: HttpRequest, slug: str) -> HttpResponse:
    platform = selectors.platform_page(slug=slug)
    channels = cast(list, platform.public_channels)  # type: ignore[attr-defined]
    page_url = request.build_absolute_uri(request.path)
    return render(
        request,
        "contacts/platform_detail.html",
        {
            "platform": platform,
            "groups": presenters.grouped(channels, at=timezone.now()),
            "jsonld": jsonld.script_tag(jsonld.platform_jsonld(platform, channels, page_url)),
            "known_fakes": selectors.known_fakes(platform=platform),
        },
    )


def platform_history(request: HttpRequest, slug: str) -> HttpResponse:
    platform = get_object_or_404(Platform, slug=slug)
    entries = selectors.platform_history(platform=platform)
    return render(request, "contacts/platform_history.html", {"platform": platform, "entries": entries})


# --- Directory admins ---------------------------------------------------------------------------------
def directory_admin_required(view: ViewFunc) -> ViewFunc:
    """Signed in (the middleware already demanded TOTP for staff) and a directory admin, else 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not cast(User, request.user).is_directory_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _form_error(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@directory_admin_required
def directory_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contacts/directory/home.html",
        {
            "proposals": (proposals := list(selectors.pending_proposals())),
            "awaiting_you": sum(1 for p in proposals if p.proposed_by_id != request.user.pk),
            "domain_proposals": selectors.pending_domain_proposals(),
            "overdue": selectors.channels_overdue(),
            "platforms": selectors.active_platforms(limit=500),
        },
    )


@directory_admin_required
def directory_platform(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Create or edit a platform and its domains; lists its channels for admins."""
    platform = get_object_or_404(Platform.objects.prefetch_related("domains"), slug=slug) if slug else None
    initial = presenters.platform_initial(platform) if platform else {}
    form = PlatformForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            platform, proposals = services.platform_update_with_domains(
                actor=cast(User, request.user), platform=platform, data=form.cleaned_data
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Platform saved."))
            if proposals:
                messages.info(request, _("A second directory admin must approve the new domains or website."))
            hosts = [p.value for p in proposals if p.kind == DomainProposalKind.DOMAIN]
            for resemblance in lookalike.for_platform(platform, hosts=hosts):
                messages.warning(request, resemblance.reason)
            return redirect("directory-platform", slug=platform.slug)
    return render(
        request,
        "contacts/directory/platform.html",
        {
            "platform": platform,
            "form": form,
            "channels": selectors.channels_for_admin(platform=platform) if platform else [],
            "domains": list(platform.domains.all()) if platform else [],
            "domain_proposals": selectors.domain_proposals_of(platform=platform) if platform else [],
        },
    )


@directory_admin_required
def directory_domain_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """The reviewer's screen for a domain or website: the value, who proposed it, look-alike warnings."""
    proposal = selectors.domain_proposal_detail(proposal_id=proposal_id)
    hosts = [proposal.value] if proposal.kind == DomainProposalKind.DOMAIN else []
    context = {
        "proposal": proposal,
        "official": list(proposal.platform.domains.all()),
        "warnings": lookalike.for_platform(proposal.platform, hosts=hosts) if proposal.is_pending else [],
        "is_own": proposal.proposed_by_id == request.user.pk,
        "approve_form": ApproveForm(initial={"fingerprint": proposal.fingerprint}),
        "reject_form": ReasonForm(),
    }
    return render(request, "contacts/directory/domain_proposal.html", context)


def _review_decision(
    request: HttpRequest,
    decision: str,
    proposal: Any,
    *,
    approve: Callable[..., Any],
    reject: Callable[..., Any],
    withdraw: Callable[..., Any],
    approved: str,
) -> None:
    """A directory admin's decision on a proposal (channel, domain or website), the same flow for each
    kind: approve what was reviewed (its fingerprint), reject with a reason the proposer reads, or
    withdraw. A refusal from the service becomes a message on the proposal's page."""
    actor = cast(User, request.user)
    try:
        if decision == "approve":
            form: Any = ApproveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("The proposal could not be matched. Reload and review it again."))
            approve(actor=actor, proposal=proposal, fingerprint=form.cleaned_data["fingerprint"])
            messages.success(request, approved)
        elif decision == "reject":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why you reject it; the proposer will read this."))
            reject(actor=actor, proposal=proposal, reason=form.cleaned_data["reason"])
            messages.success(request, _("Rejected."))
        else:
            withdraw(actor=actor, proposal=proposal)
            messages.success(request, _("Withdrawn."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


@require_POST
@directory_admin_required
def directory_domain_decide(request: HttpRequest, proposal_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject", "withdraw"):
        raise Http404
    proposal = selectors.domain_proposal_detail(proposal_id=proposal_id)
    _review_decision(
        request,
        decision,
        proposal,
        approve=services.domain_proposal_approve,
        reject=services.domain_proposal_reject,
        withdraw=services.domain_proposal_withdraw,
        approved=_("Approved: it is official now."),
    )
    return redirect("directory-domain-proposal", proposal_id=proposal.pk)


@directory_admin_required
def directory_propose(request: HttpRequest, slug: str, channel_id: int | None = None) -> HttpResponse:
    platform = get_object_or_404(Platform, slug=slug)
    channel = selectors.channel_for_admin(channel_id=channel_id) if channel_id else None
    if channel is not None and channel.platform_id != platform.pk:
        raise Http404
    initial = ChannelForm.initial_for(channel) if channel else {}
    form = ProposeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        evidence = services.EvidenceInput(
            method=form.cleaned_data["method"],
            note=form.cleaned_data["evidence_note"],
            url=form.cleaned_data.get("url") or "",
            upload=form.cleaned_data.get("file"),
        )
        try:
            proposal = services.channel_propose(
                actor=cast(User, request.user),
                platform=platform,
                channel=channel,
                draft=form.draft(),
                note=form.cleaned_data.get("note", ""),
                evidence=[evidence],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Proposal sent. A second directory admin must approve it."))
            return redirect("directory-proposal", proposal_id=proposal.pk)
    return render(
        request, "contacts/directory/propose.html", {"platform": platform, "channel": channel, "form": form}
    )


@directory_admin_required
def directory_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_detail(proposal_id=proposal_id)
    channel = proposal.channel
    current = channel_values(channel) if channel.is_published or channel.approved_proposal_id else None
    if proposal.status != ProposalStatus.PENDING:
        current = None
    context = {
        "proposal": proposal,
        "changes": presenters.diff_rows(diff(current, proposal.values)),
        "is_own": proposal.proposed_by_id == request.user.pk,
        "approve_form": ApproveForm(initial={"fingerprint": proposal.fingerprint}),
        "reject_form": ReasonForm(),
        "warnings": lookalike.for_platform(proposal.platform) if proposal.is_pending else [],
    }
    return render(request, "contacts/directory/proposal.html", context)


@directory_admin_required
def directory_confirm(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Publishing asks first: the reviewer sees exactly what goes public and confirms (no JavaScript)."""
    proposal = selectors.proposal_detail(proposal_id=proposal_id)
    if proposal.status != ProposalStatus.PENDING or proposal.proposed_by_id == request.user.pk:
        return redirect("directory-proposal", proposal_id=proposal.pk)
    channel = proposal.channel
    current = channel_values(channel) if channel.is_published or channel.approved_proposal_id else None
    context = {
        "proposal": proposal,
        "changes": presenters.diff_rows(diff(current, proposal.values)),
        "approve_form": ApproveForm(
            initial={"fingerprint": request.GET.get("fingerprint") or proposal.fingerprint}
        ),
    }
    return render(request, "contacts/directory/proposal_confirm.html", context)


@require_POST
@directory_admin_required
def directory_decide(request: HttpRequest, proposal_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject", "withdraw"):
        raise Http404
    proposal = selectors.proposal_detail(proposal_id=proposal_id)
    if decision == "approve" and request.POST.get("confirm") != "yes":
        return redirect("directory-proposal-confirm", proposal_id=proposal.pk)
    _review_decision(
        request,
        decision,
        proposal,
        approve=services.proposal_approve,
        reject=services.proposal_reject,
        withdraw=services.proposal_withdraw,
        approved=_("Approved and published."),
    )
    return redirect("directory-proposal", proposal_id=proposal.pk)


@directory_admin_required
def directory_channel(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_for_admin(channel_id=channel_id)
    actor = cast(User, request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    suspend_form = ReasonForm(request.POST if action == "suspend" else None)
    retire_form = RetireForm(
        request.POST if action == "retire" else None,
        replacements=selectors.replacement_choices(channel=channel),
    )
    evidence_form = EvidenceForm(request.POST if action == "evidence" else None, request.FILES or None)
    bound = {"suspend": suspend_form, "retire": retire_form, "evidence": evidence_form}.get(action or "")
    if bound is not None and bound.is_valid():
        try:
            _channel_action(actor, channel, action or "", bound.cleaned_data)
        except ValidationError as exc:
            _form_error(bound, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("directory-channel", channel_id=channel.pk)
    return render(
        request,
        "contacts/directory/channel.html",
        {
            "channel": channel,
            "hours": presenters.hours_lines(channel),
            "suspend_form": suspend_form,
            "retire_form": retire_form,
            "evidence_form": evidence_form,
            "pending": [p for p in channel.proposals.all() if p.status == ProposalStatus.PENDING],
        },
    )


def _channel_action(actor: User, channel: Any, action: str, data: dict[str, Any]) -> None:
    if action == "suspend":
        services.channel_suspend(actor=actor, channel=channel, reason=data["reason"])
    elif action == "retire":
        services.channel_retire(
            actor=actor, channel=channel, reason=data.get("reason", ""), replacement=data.get("replacement")
        )
    else:
        services.evidence_add(
            actor=actor,
            channel=channel,
            item=services.EvidenceInput(
                method=data["method"],
                note=data["evidence_note"],
                url=data.get("url") or "",
                upload=data.get("file"),
            ),
        )


@directory_admin_required
def directory_evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    """Evidence files are for directory admins only; they leave storage as downloads, never inline."""
    evidence = get_object_or_404(ChannelEvidence.objects.exclude(file=""), pk=evidence_id)
    return uploads.private_file_response(
        evidence.file, download_name=evidence.file_name or "evidence", content_type=evidence.content_type
    )


# --- Checker and scam reports ---------------------------------------------------------------------------
# No CSRF token: a check changes nothing, and a page without one can be cached and shared.
@csrf_exempt
def check(request: HttpRequest) -> HttpResponse:
    """Paste a number, link or message; a POST keeps pasted messages out of URLs and server logs."""
    data = request.POST if request.method == "POST" else request.GET if "q" in request.GET else None
    form = CheckForm(data)
    results: list[dict[str, Any]] = []
    problem = ""
    verdict = None
    if form.is_bound and form.is_valid():
        try:
            text = form.cleaned_data["q"] if request.method == "POST" else present.query_from_request(request)
            results = check_json(text)["results"]
            verdict = overall(text, results)
        except checker.InputProblem as exc:
            problem = present.problem_message(exc.code)
    context = {
        "form": form,
        "results": results,
        "problem": problem,
        "checked": form.is_bound and not problem,
        "overall": verdict,
    }
    response = render(request, "contacts/check.html", context, status=400 if problem else 200)
    if problem or not http_cache.is_anonymous_read(request):
        return http_cache.mark_private(response)
    # The answer itself is the validator: it may change by the clock (a report leaving the window).
    etag = http_cache.etag_of(get_language() or "", request.get_full_path(), repr(results))
    if http_cache.matches(request, etag):
        return http_cache.not_modified(etag)
    return http_cache.mark_public(response, etag=etag)


def reporter(request: HttpRequest) -> str:
    """One person: their account, else their network (client_ip honours TRUSTED_PROXY_COUNT); never the
    User-Agent. The same identity counts distinct reporters and limits the rate."""
    return services.reporter_hash(
        user_id=request.user.pk if request.user.is_authenticated else None,
        address=client_ip(request),
    )


def rate_exceeded(reporter: str, *, scope: str = "scam-report") -> bool:
    """SCAM_REPORT_RATE per reporter (the project's one cache counter; the key holds a hash only)."""
    return too_many(scope, reporter, settings.SCAM_REPORT_RATE)


@never_cache  # the form carries a CSRF token and a single-use nonce: never shared
def report_scam(request: HttpRequest) -> HttpResponse:
    initial = {"value": request.GET.get("value", "")[:300], "platform": request.GET.get("platform", "")[:60]}
    form = ScamReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        who = reporter(request)
        if rate_exceeded(who):
            form.add_error(None, _("You have sent many reports in a short time. Please try again later."))
        else:
            data = form.cleaned_data
            try:
                report = services.scam_report_submit(
                    data=services.ReportInput(
                        value=data["value"],
                        found_where=data["found_where"],
                        asked_for=data["asked_for"],
                        platform=data["platform"],
                        details=data["details"],
                        screenshot=data["screenshot"],
                    ),
                    reporter=who,
                    actor=cast(User, request.user) if request.user.is_authenticated else None,
                    nonce=data["nonce"],
                )
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                _report_received(request, report, typed=data["details"])
                return redirect(f"{reverse('check')}?{urlencode({'q': data['value']})}")
    return render(request, "contacts/report.html", {"form": form, "token": report_form_token()})


def _report_received(request: HttpRequest, report: ScamReport, *, typed: str) -> None:
    if report.target.status == ReportStatus.DISPUTED:
        messages.info(
            request,
            _(
                "Thank you. This is listed as official in the directory, so your report goes to the "
                "directory admins to check; until they act, the checker keeps showing what the directory "
                "verified."
            ),
        )
    else:
        messages.success(request, _("Thank you. Your report helps others avoid this scam."))
    if report.details != typed.strip()[:2000]:
        messages.info(
            request, _("We masked what looked like a card number, ID number or code in your description.")
        )


@directory_admin_required
def directory_reports(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ReportStatus.OPEN)
    if status not in ReportStatus.values:
        status = ReportStatus.OPEN
    return render(
        request,
        "contacts/directory/reports.html",
        {
            "values": selectors.report_triage(status=status),
            "status": status,
            "statuses": ReportStatus.choices,
            "threshold": settings.SCAM_REPORT_THRESHOLD,
            "window_days": settings.SCAM_REPORT_WINDOW.days,
        },
    )


@directory_admin_required
def directory_report(request: HttpRequest, value_id: int) -> HttpResponse:
    value = selectors.reported_value_detail(value_id=value_id)
    form = TriageForm(request.POST or None, initial={"platform": value.platform})
    if request.method == "POST" and form.is_valid():
        try:
            _triage(cast(User, request.user), value, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Saved."))
            return redirect("directory-reports")
    return render(
        request,
        "contacts/directory/report.html",
        {"value": value, "form": form, "threshold": settings.SCAM_REPORT_THRESHOLD},
    )


def _triage(actor: User, value: ReportedValue, data: dict[str, Any]) -> None:
    decision, note = data["decision"], data.get("note", "")
    if decision == "confirm":
        services.reported_value_confirm(actor=actor, value=value, platform=data.get("platform"), note=note)
    elif decision == "dismiss":
        services.reported_value_dismiss(actor=actor, value=value, note=note)
    else:
        into = selectors.reported_value_by_text(text=data.get("merge_into", ""))
        if into is None:
            raise ValidationError(_("No reported value matches what you entered to merge into."))
        services.reported_value_merge(actor=actor, value=value, into=into, note=note)


@directory_admin_required
def directory_report_screenshot(request: HttpRequest, report_id: int) -> HttpResponseBase:
    report = get_object_or_404(ScamReport.objects.exclude(screenshot=""), pk=report_id)
    if uploads.is_quarantined(report.screenshot):
        raise Http404
    return uploads.private_file_response(
        report.screenshot, download_name=f"report-{report.pk}", content_type=report.screenshot_type
    )
