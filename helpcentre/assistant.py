"""The assistant: a guided conversation (platform → problem → order number → answer), kept in the session.
It answers with the best article, the platform's claim rule and the recommended official channel open now;
when that does not solve it, it hands over to a claim form pre-filled with what was said."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contacts.models import Platform, ProblemType
from helpcentre import presenters, selectors, services, text
from helpcentre.forms import AssistantForm
from helpcentre.models import OutcomeKind, OutcomeSource, current_language
from tickets.claims.selectors import policy_for

_KEY = "help_assistant"
# The claim form reads this once (tickets.claims.views._initial): the conversation, pre-filled for the
# customer to check, and so for the agent who works the claim.
PREFILL_KEY = "claim_prefill"


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(_KEY)
    return state if isinstance(state, dict) else {}


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[_KEY] = state


def _platform(state: dict[str, Any]) -> Platform | None:
    slug = state.get("platform")
    return Platform.objects.filter(slug=slug).first() if slug else None


def _problem(state: dict[str, Any]) -> ProblemType | None:
    slug = state.get("problem")
    return ProblemType.objects.filter(slug=slug, is_active=True).first() if slug else None


def _step(state: dict[str, Any]) -> str:
    if "platform" not in state:
        return "platform"
    if "problem" not in state:
        return "problem"
    if "order" not in state:
        return "order"
    return "answer"


@never_cache
def assistant(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if request.method == "POST":
        return _answer_step(request, state)
    if request.GET.get("platform") and "platform" not in state:  # from an article's "did not help"
        form = AssistantForm({"platform": request.GET["platform"][:60]})
        if form.is_valid() and form.cleaned_data["platform"]:
            state = {"platform": form.cleaned_data["platform"].slug, "said": []}
            _save(request, state)
    step = _step(state)
    context: dict[str, Any] = {
        "step": step,
        "form": AssistantForm(),
        "platform": _platform(state),
        "problem": _problem(state),
        "state": state,
    }
    if step == "answer":
        context.update(_answer(state))
    template = "helpcentre/_assistant_step.html" if request.htmx else "helpcentre/assistant.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _answer_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "restart":
        request.session.pop(_KEY, None)
        return redirect("helpcentre:assistant")
    if action == "solved":
        services.outcome_record(
            kind=OutcomeKind.SOLVED,
            source=OutcomeSource.ASSISTANT,
            platform=_platform(state),
            problem_type=_problem(state),
        )
        request.session.pop(_KEY, None)
        messages.success(request, _("Glad it helped. Thank you for telling us."))
        return redirect("helpcentre:home")
    if action == "handover":
        return _hand_over(request, state)
    form = AssistantForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "helpcentre/assistant.html",
            {"step": _step(state), "form": form, "state": state},
            status=400,
        )
    said: list[str] = list(state.get("said", []))
    step = _step(state)
    data = form.cleaned_data
    if step == "platform":
        if data["platform"] is None:
            form.add_error("platform", _("Choose the platform."))
            return render(
                request, "helpcentre/assistant.html", {"step": step, "form": form, "state": state}, status=400
            )
        state["platform"] = data["platform"].slug
        said.append(_("Platform: %(name)s") % {"name": data["platform"].name})
    elif step == "problem":
        problem = data["problem"]
        words = data["words"].strip()
        if problem is None and words:
            intents = text.synonym_intents(text.normalise(words))
            problem = ProblemType.objects.filter(slug=intents[0][0].problem_type).first() if intents else None
        if problem is None:
            form.add_error("problem", _("Choose what went wrong, or say it in a few words."))
            return render(
                request,
                "helpcentre/assistant.html",
                {"step": step, "form": form, "state": state, "platform": _platform(state)},
                status=400,
            )
        state["problem"] = problem.slug
        state["words"] = words
        said.append(_("Problem: %(name)s") % {"name": problem.name} + (f" ({words})" if words else ""))
    elif step == "order":
        state["order"] = data["order_number"].strip()
        if state["order"]:
            said.append(_("Order number: %(order)s") % {"order": state["order"]})
    state["said"] = said[-10:]
    _save(request, state)
    return redirect("helpcentre:assistant")


def _answer(state: dict[str, Any]) -> dict[str, Any]:
    platform = _platform(state)
    problem = _problem(state)
    if platform is None or problem is None:
        return {}
    hits = selectors.search(
        query=state.get("words", ""),
        language=current_language(),
        platform=platform,
        problem_type=problem,
        limit=1,
    )
    policy = policy_for(platform, problem)
    channels = presenters.recommended_channels(platform, problem)
    return {
        "hit": hits[0] if hits else None,
        "rule": policy.rule if policy else "",
        "recommended": channels[0] if channels else None,
    }


def _hand_over(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    platform = _platform(state)
    problem = _problem(state)
    if platform is None or problem is None:
        return redirect("helpcentre:assistant")
    lines = [_("What I told the help assistant:"), *state.get("said", [])]
    answer = _answer(state)
    if answer.get("hit"):
        lines.append(_("Article suggested: %(title)s (it did not solve it)") % {"title": answer["hit"].title})
    request.session[PREFILL_KEY] = {
        "platform": platform.pk,
        "problem_type": problem.pk,
        "order_number": state.get("order", "")[:64],
        "description": "\n".join(lines)[:5000],
    }
    services.outcome_record(
        kind=OutcomeKind.HANDED_OVER, source=OutcomeSource.ASSISTANT, platform=platform, problem_type=problem
    )
    request.session.pop(_KEY, None)
    messages.info(request, _("Check what we filled in, add what is missing, and file the claim."))
    return redirect(reverse("tickets:new"))
