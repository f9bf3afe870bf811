"""The customer's claim pages: file, list, track, answer. Views authorize, parse, call one service, render."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contacts.selectors import official_callback_number
from helpdesk.forms import RegistrationForm
from helpdesk.models import User
from helpdesk.ratelimit import parse_rate
from helpdesk.uploads import CleanUpload
from helpdesk.views import register_customer
from tickets.callbacks.selectors import verified_phone
from tickets.callbacks.services import callback_request
from tickets.claims import drafts, selectors, services
from tickets.claims.forms import (
    ACCESS_LOSS_TYPES,
    DEFAULT_EVIDENCE_HINT,
    EVIDENCE_HINTS,
    CallbackRequestForm,
    ClaimForm,
    RatingForm,
    ReopenForm,
    ReplyForm,
    WithdrawForm,
)
from tickets.claims.notices import masking_messages
from tickets.evidence.selectors import claim_evidence
from tickets.evidence.serving import evidence_pending_page, serve_evidence
from tickets.evidence.uploads import clean_files
from tickets.models import CallbackStatus, Claim, EventKind, Evidence
from tickets.promises import CALLBACK, NEEDS_PHONE, customer_promises, latest_callback, promise_event_text

_TOKENS = "claim_form_tokens"


def _customer(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if user.is_staff_role:
        raise PermissionDenied  # staff work claims in the agent workspace, not as customers
    return user


def _get_claim(request: HttpRequest, reference: str) -> Claim:
    return selectors.claim_for_customer(customer=_customer(request), reference=reference)


def tell_about_files_and_masking(request: HttpRequest, rejected: list[tuple[str, str]], kinds: Any) -> None:
    for _name, reason in rejected:
        messages.warning(request, _("Not attached: %(reason)s") % {"reason": reason})
    for message in masking_messages(kinds):
        messages.info(request, message)


def _form_context(
    form: ClaimForm, token: str, kept: list[dict[str, Any]], rejected: list[Any]
) -> dict[str, Any]:
    return {
        "form": form,
        "form_token": token,
        "kept_files": kept,
        "rejected_files": rejected,
        "policies": selectors.active_policies(),
        "evidence_hints": EVIDENCE_HINTS,
        "default_evidence_hint": DEFAULT_EVIDENCE_HINT,
        "access_loss_types": " ".join(sorted(ACCESS_LOSS_TYPES)),
        "max_files": settings.EVIDENCE_MAX_FILES,
        "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }


def _new_token(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(16)
    tokens: dict[str, str] = request.session.get(_TOKENS, {})
    tokens = dict(list(tokens.items())[-19:])
    tokens[token] = ""
    request.session[_TOKENS] = tokens
    return token


@never_cache
def claim_new(request: HttpRequest) -> HttpResponse:
    """One adaptive form for everyone; guests create their account at the end without retyping."""
    if request.user.is_authenticated:
        _customer(request)
    if request.method != "POST":
        draft = drafts.load(request)
        form = ClaimForm(initial=_initial(request)) if draft is None else ClaimForm(data=draft["data"])
        kept = draft["files"] if draft else []
        return render(request, "tickets/claim_new.html", _form_context(form, _new_token(request), kept, []))

    token = request.POST.get("form_token", "")
    done = request.session.get(_TOKENS, {}).get(token)
    if done:  # the same form submitted twice (double click, back button, flaky network)
        messages.info(request, _("This claim was already filed. Here it is."))
        return redirect("tickets:detail", reference=done)

    form = ClaimForm(request.POST)
    kept = drafts.kept_files(request)
    accepted, rejected = clean_files(
        request.FILES.getlist("evidence"), settings.EVIDENCE_MAX_FILES - len(kept)
    )
    if not form.is_valid() or not request.user.is_authenticated:
        # Keep everything the user typed; files only within the visitor's hourly allowance (disk is not free).
        accepted, refused = drafts.within_quota(request, accepted, form_valid=form.is_valid())
        rejected += refused
        kept = drafts.save(request, data=request.POST, files=accepted)
        if form.is_valid():
            tell_about_files_and_masking(request, rejected, ())
            return redirect("tickets:new_account")
        return render(
            request,
            "tickets/claim_new.html",
            _form_context(form, _new_token(request), kept, rejected),
            status=400,
        )
    return _file_claim(request, form, accepted + drafts.take_files(request), rejected, token)


def _filing_too_fast(customer: User) -> bool:
    """The web form honours the same per-account rate as the API (API_THROTTLE_CLAIMS, e.g. 30/hour)."""
    rates = cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    rate = rates.get("claims")
    if not rate:
        return False
    count, seconds = parse_rate(rate)
    since = timezone.now() - timedelta(seconds=seconds)
    return Claim.objects.filter(customer=customer, created_at__gte=since).count() >= count


def _initial(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    initial: dict[str, Any] = {"currency": "CNY"}
    if user.is_authenticated:
        initial["contact_phone"] = cast(User, user).phone
    # A link may pre-fill the form (the platform's page, a proactive outreach): initial values only,
    # every one is validated when the form is sent.
    for name in _PREFILLABLE:
        value = request.GET.get(name, "").strip()
        if value:
            initial[name] = value[:500]
    # The help assistant's hand-over (helpcentre.assistant.PREFILL_KEY): what the user told it, once.
    prefill = request.session.pop("claim_prefill", None)
    if isinstance(prefill, dict):
        for name in ("platform", "problem_type", "order_number", "description"):
            if prefill.get(name):
                initial[name] = str(prefill[name])[:5000]
    return initial


_PREFILLABLE = ("platform", "problem_type", "order_number", "product", "amount", "paid_at", "description")


def _file_claim(
    request: HttpRequest, form: ClaimForm, files: list[CleanUpload], rejected: list[Any], token: str
) -> HttpResponse:
    customer = _customer(request)
    if _filing_too_fast(customer):
        form.add_error(
            None, _("You have filed many claims in a short time. Please wait a while and try again.")
        )
        context = _form_context(
            form, _new_token(request), drafts.save(request, data=request.POST, files=files), []
        )
        return render(request, "tickets/claim_new.html", context, status=429)
    data = services.ClaimInput(**form.cleaned_data)
    try:
        claim = services.claim_create(customer=customer, data=data, evidence=files)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        context = _form_context(form, _new_token(request), drafts.kept_files(request), rejected)
        return render(request, "tickets/claim_new.html", context, status=400)
    except services.DuplicateOpenClaim as exc:
        drafts.clear(request)
        if files:
            try:
                services.claim_add_evidence(claim=exc.claim, actor=customer, files=files)
            except ValidationError as error:
                rejected += [(f.original_name, " ".join(error.messages)) for f in files]
        messages.info(
            request,
            _("You already have an open claim for this order (%(reference)s): add to it here.")
            % {"reference": exc.claim.reference},
        )
        tell_about_files_and_masking(request, rejected, ())
        return redirect("tickets:detail", reference=exc.claim.reference)
    drafts.clear(request)
    tokens = request.session.get(_TOKENS, {})
    if token in tokens:
        tokens[token] = claim.reference
        request.session[_TOKENS] = tokens
    messages.success(request, _("Your claim %(reference)s is filed.") % {"reference": claim.reference})
    tell_about_files_and_masking(request, rejected, claim.redacted_kinds)
    return redirect("tickets:detail", reference=claim.reference)


@never_cache
def claim_new_account(request: HttpRequest) -> HttpResponse:
    """Last step for a guest: create the account (or sign in) and the claim is filed from the draft."""
    if drafts.load(request) is None:
        return redirect("tickets:new")
    if request.user.is_authenticated:
        return redirect("tickets:new_finish")
    draft = drafts.load(request) or {}
    phone = draft.get("data", {}).get("contact_phone", "")
    form = RegistrationForm(request.POST or None, initial={"phone": phone})
    login_url = f"{reverse('login')}?next={reverse('tickets:new_finish')}"
    if request.method == "POST" and form.is_valid():
        # Every address gets "check your e-mail": a new one a confirmation link, an existing one's owner a
        # sign-in link, both back here; the draft stays in this session until they sign in.
        return register_customer(
            request,
            form,
            next_url=reverse("tickets:new_finish"),
            template_name="tickets/claim_new_account.html",
            context={"login_url": login_url},
        )
    return render(request, "tickets/claim_new_account.html", {"form": form, "login_url": login_url})


@login_required
@never_cache
def claim_new_finish(request: HttpRequest) -> HttpResponse:
    draft = drafts.load(request)
    if draft is None:
        return redirect("tickets:new")
    form = ClaimForm(data=draft["data"])
    if not form.is_valid():
        return redirect("tickets:new")
    return _file_claim(request, form, drafts.take_files(request), [], draft["data"].get("form_token", ""))


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    claims = list(selectors.claims_for_customer(customer=_customer(request))[:200])
    return render(request, "tickets/claim_list.html", {"claims": claims})


def _render_detail(request: HttpRequest, claim: Claim, status: int = 200, **forms: Any) -> HttpResponse:
    policy = selectors.policy_for(claim.platform_id, claim.problem_type_id)
    now = timezone.now()
    escalation_at = selectors.escalation_due_at(claim, policy)
    last_callback = latest_callback(claim)
    callback = (
        last_callback
        if claim.is_open and last_callback and last_callback.status == CallbackStatus.PENDING
        else None
    )
    promises = customer_promises(claim, callback=last_callback, now=now)
    events = selectors.public_timeline(claim)
    for event in events:
        if event.kind == EventKind.SLA_PROMISE:
            event.promise_text = promise_event_text(event.data)  # type: ignore[attr-defined]
    context = {
        "claim": claim,
        "promises": promises,
        "callback_promise": promises.get(CALLBACK),
        "clock_promises": [p for key, p in promises.items() if key != CALLBACK],
        "needs_phone": CALLBACK in promises and promises[CALLBACK].state == NEEDS_PHONE,
        "events": events,
        "evidence": claim_evidence(claim),
        "policy": policy,
        "show_12315": claim.is_open and now >= escalation_at,
        "escalation_at": escalation_at,
        "can_reopen": selectors.can_reopen(claim, now),
        "reopen_deadline": selectors.reopen_deadline(claim),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "rating_form": forms.get("rating_form") or RatingForm(),
        "callback": callback,
        "callback_form": forms.get("callback_form")
        or CallbackRequestForm(initial={"phone": verified_phone(cast(User, request.user))}),
        # Only with a call-back pending: the platform's published call-back line, the one number the
        # customer may expect the call from ("" when it has none: the page then names no number).
        "callback_number": official_callback_number(platform_id=claim.platform_id) if callback else "",
        "evidence_errors": forms.get("evidence_errors", []),
        # A refused action (e.g. reopening after the window) is explained at the top of the actions.
        "action_errors": [
            error
            for key in ("withdraw_form", "reopen_form", "rating_form")
            if forms.get(key) is not None
            for error in forms[key].non_field_errors()
        ],
        "max_files": settings.EVIDENCE_MAX_FILES,
        "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "tickets/claim_detail.html", context, status=status)


@login_required
@require_GET
def claim_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_detail(request, _get_claim(request, reference))


def _action(
    request: HttpRequest, reference: str, form_class: type[Any], form_key: str, act: Any, done: str
) -> HttpResponse:
    claim = _get_claim(request, reference)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = act(claim, form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, done)
            for message in masking_messages(getattr(result, "redacted_kinds", ())):
                messages.info(request, message)
            return redirect("tickets:detail", reference=claim.reference)
    return _render_detail(request, claim, status=400, **{form_key: form})


@login_required
@require_POST
def claim_reply(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    return _action(
        request,
        reference,
        ReplyForm,
        "reply_form",
        lambda claim, data: services.claim_reply(claim=claim, author=user, body=data["body"]),
        _("Your message was added."),
    )


@login_required
@require_POST
def claim_callback(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    return _action(
        request,
        reference,
        CallbackRequestForm,
        "callback_form",
        lambda claim, data: callback_request(
            claim=claim,
            customer=user,
            phone=data["phone"],
            window_start=data.get("window_start"),
            window_end=data.get("window_end"),
        ),
        _("We will call you back. How to recognise our call is shown below."),
    )


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    return _action(
        request,
        reference,
        WithdrawForm,
        "withdraw_form",
        lambda claim, data: services.claim_withdraw(claim=claim, actor=user, reason=data["reason"]),
        _("Your claim was withdrawn."),
    )


@login_required
@require_POST
def claim_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    claim = _get_claim(request, reference)
    try:
        services.claim_confirm_resolved(claim=claim, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you. The claim is marked as resolved."))
    return redirect("tickets:detail", reference=claim.reference)


@login_required
@require_POST
def claim_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    return _action(
        request,
        reference,
        ReopenForm,
        "reopen_form",
        lambda claim, data: services.claim_reopen(claim=claim, actor=user, reason=data["reason"]),
        _("Your claim is open again."),
    )


@login_required
@require_POST
def claim_rate(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    return _action(
        request,
        reference,
        RatingForm,
        "rating_form",
        lambda claim, data: services.claim_rate(
            claim=claim, actor=user, rating=data["rating"], comment=data["comment"]
        ),
        _("Thank you for your rating."),
    )


@login_required
@require_POST
def claim_add_evidence(request: HttpRequest, reference: str) -> HttpResponse:
    user = _customer(request)
    claim = _get_claim(request, reference)
    files = request.FILES.getlist("evidence")
    if not files:
        return _render_detail(request, claim, status=400, evidence_errors=[_("Choose at least one file.")])
    room = settings.EVIDENCE_MAX_FILES - Evidence.objects.filter(claim=claim).count()
    accepted, rejected = clean_files(files, max(room, 0))
    errors = [_("Not attached: %(reason)s") % {"reason": reason} for _name, reason in rejected]
    if accepted:
        try:
            services.claim_add_evidence(claim=claim, actor=user, files=accepted)
        except ValidationError as exc:
            errors += exc.messages
        else:
            messages.success(request, _("Your files were added."))
    if errors:
        return _render_detail(request, claim, status=400, evidence_errors=errors)
    return redirect("tickets:detail", reference=claim.reference)


@login_required
@require_GET
def evidence_download(request: HttpRequest, reference: str, evidence_id: int) -> HttpResponseBase:
    claim = _get_claim(request, reference)
    back = reverse("tickets:detail", args=[claim.reference])
    return serve_evidence(
        claim=claim, evidence_id=evidence_id, not_ready=lambda: evidence_pending_page(request, back_url=back)
    )


@login_required
@require_GET
def claim_export(request: HttpRequest, reference: str) -> HttpResponse:
    """The claim record as a printable page (print to PDF in the browser) to bring to 12315."""
    claim = _get_claim(request, reference)
    context = {
        "claim": claim,
        "events": selectors.public_timeline(claim),
        "evidence": claim_evidence(claim),
        "exported_at": timezone.now(),
    }
    response = render(request, "tickets/claim_export.html", context)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="claim-{claim.reference}.html"'
    return response
