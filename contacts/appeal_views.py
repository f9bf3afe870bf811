"""Appeals against scam reports: the public form, and the directory admins' list and decision.

Thin: the work is done by contacts.services.appeals (audited); the bot check and the per-person rate limit
are the report form's (contacts.forms.BotCheckedForm, contacts.views.reporter / rate_exceeded).
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contacts import selectors, services
from contacts.forms import AppealDecisionForm, AppealForm, report_form_token
from contacts.models import AppealStatus
from contacts.views import directory_admin_required, rate_exceeded, reporter
from helpdesk.models import User


@never_cache  # the form carries a CSRF token and a single-use nonce: never shared
def appeal(request: HttpRequest) -> HttpResponse:
    form = AppealForm(request.POST or None, initial={"value": request.GET.get("value", "")[:300]})
    if request.method == "POST" and form.is_valid():
        who = reporter(request)
        if rate_exceeded(who, scope="appeal"):
            form.add_error(None, _("You have sent many requests in a short time. Please try again later."))
        else:
            data = form.cleaned_data
            try:
                services.appeal_submit(
                    data=services.AppealInput(
                        value=data["value"],
                        appellant_name=data["appellant_name"],
                        appellant_role=data["appellant_role"],
                        contact=data["contact"],
                        explanation=data["explanation"],
                    ),
                    submitter=who,
                    nonce=data["nonce"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)  # field errors land on their fields (all are on this form)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Directory admins will look at the reports and your explanation, and "
                        "may contact you to verify that the number or address is yours."
                    ),
                )
                return redirect("check")
    return render(request, "contacts/appeal.html", {"form": form, "token": report_form_token("appeal")})


@directory_admin_required
def directory_appeals(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AppealStatus.OPEN)
    if status not in AppealStatus.values:
        status = AppealStatus.OPEN
    return render(
        request,
        "contacts/directory/appeals.html",
        {"appeals": selectors.appeal_list(status=status), "status": status, "statuses": AppealStatus.choices},
    )


@directory_admin_required
def directory_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    item = selectors.appeal_detail(appeal_id=appeal_id)
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_decide(
                actor=cast(User, request.user),
                appeal=item,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Saved."))
            return redirect("directory-appeals")
    return render(request, "contacts/directory/appeal.html", {"appeal": item, "form": form})
