"""Help centre pages: browse and search, an article, the editors' pages, claim-form suggestions, the
deflection figures and the assistant."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.models import ProblemType
from helpcentre import content, presenters, selectors, services
from helpcentre.forms import ArticleForm, SearchForm, SuggestForm
from helpcentre.models import Article, OutcomeKind, OutcomeSource, current_language
from helpdesk.models import User
from tickets.claims import drafts

ViewFunc = Callable[..., HttpResponseBase]
_FEEDBACK_KEY = "help_feedback"
_SHOWN_KEY = "help_suggestions_shown"
_SOLVED_KEY = "help_suggestions_solved"


def editor_required(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.can_edit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Public ------------------------------------------------------------------------------------------
def help_home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data: dict[str, Any] = (
        form.cleaned_data if form.is_valid() else {"q": "", "platform": None, "problem": None}
    )
    hits = None
    if data["q"]:
        hits = selectors.search(
            query=data["q"],
            language=current_language(),
            platform=data["platform"],
            problem_type=data["problem"],
        )
    articles = (
        selectors.browse(platform=data["platform"], problem_type=data["problem"]) if hits is None else []
    )
    return render(
        request,
        "helpcentre/home.html",
        {
            "form": form,
            "hits": hits,
            "articles": articles,
            "language": current_language(),
            "platforms": selectors.platforms_with_articles(),
            "problem_types": ProblemType.objects.active(),
            "current_platform": data["platform"],
            "current_problem": data["problem"],
        },
    )


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.published_article(slug=slug)
    if article is None:
        raise Http404
    language = current_language()
    revision = article.current
    assert revision is not None
    withheld = bool(selectors.no_longer_official(revision))
    return render(
        request,
        "helpcentre/article.html",
        {
            "article": article,
            "revision": revision,
            "title": revision.title(language),
            "withheld": withheld,
            "blocks": presenters.withheld_blocks(article)
            if withheld
            else presenters.article_blocks(article, language),
            "answered": str(article.pk) in request.session.get(_FEEDBACK_KEY, {}),
        },
    )


@require_POST
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Did this solve it?": counted once per browser session and article."""
    article = selectors.published_article(slug=slug)
    if article is None:
        raise Http404
    answered: dict[str, str] = request.session.get(_FEEDBACK_KEY, {})
    solved = request.POST.get("solved") == "yes"
    if str(article.pk) not in answered:
        services.outcome_record(
            kind=OutcomeKind.SOLVED if solved else OutcomeKind.NOT_SOLVED,
            source=OutcomeSource.ARTICLE,
            article=article,
            platform=article.platform,
            problem_type=next(iter(article.problem_types.all()), None),
        )
        answered[str(article.pk)] = "yes" if solved else "no"
        request.session[_FEEDBACK_KEY] = dict(list(answered.items())[-50:])
    if solved:
        messages.success(request, _("Glad it helped. Thank you for telling us."))
        return redirect("helpcentre:article", slug=slug)
    messages.info(request, _("Sorry it did not help. The assistant can hand you over to a person."))
    query = f"?platform={article.platform.slug}" if article.platform else ""
    return redirect(reverse("helpcentre:assistant") + query)


# --- Claim-form suggestions (deflection) ----------------------------------------------------------------
@require_POST
def claim_suggestions(request: HttpRequest) -> HttpResponse:
    """The three best articles for what the claim form has so far (htmx swaps this fragment in).

    POST, not GET: the description may hold personal details, which must not land in URLs and access logs.
    """
    form = SuggestForm(request.POST)
    if not form.is_valid():
        return render(request, "helpcentre/_suggestions.html", {"hits": []})
    platform = form.cleaned_data["platform"]
    problem_type = form.cleaned_data["problem_type"]
    description = form.cleaned_data["description"]
    if problem_type is None and len(description.strip()) < 4:
        return render(request, "helpcentre/_suggestions.html", {"hits": []})
    hits = selectors.search(
        query=description, language=current_language(), platform=platform, problem_type=problem_type, limit=3
    )
    if hits:
        shown: list[str] = request.session.get(_SHOWN_KEY, [])
        key = str(problem_type.pk if problem_type else "")
        if key not in shown:  # one flow per problem type and session, however often the user types
            services.outcome_record(
                kind=OutcomeKind.SHOWN,
                source=OutcomeSource.CLAIM_FORM,
                platform=platform,
                problem_type=problem_type,
            )
            request.session[_SHOWN_KEY] = [*shown, key][-20:]
    return render(
        request,
        "helpcentre/_suggestions.html",
        {"hits": hits, "platform": platform, "problem_type": problem_type},
    )


@require_POST
def claim_solved(request: HttpRequest) -> HttpResponse:
    """ "This solved it" on the claim form: the flow ends here, counted for the problem type."""
    article = get_object_or_404(selectors.published_articles(), slug=request.POST.get("article", "")[:80])
    form = SuggestForm(request.POST)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    problem_type = data.get("problem_type")
    platform = data.get("platform")
    solved: list[str] = request.session.get(_SOLVED_KEY, [])
    key = str(problem_type.pk if problem_type else "")
    if key not in solved:  # the back button and a second click count once
        services.outcome_record(
            kind=OutcomeKind.SOLVED,
            source=OutcomeSource.CLAIM_FORM,
            article=article,
            platform=platform,
            problem_type=problem_type,
        )
        request.session[_SOLVED_KEY] = [*solved, key][-20:]
    drafts.clear(request)  # the flow ends here: no half-filled claim waits in the session
    return render(request, "helpcentre/solved.html", {"article": article})


def deflection_report(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = cast(User, request.user)
    if not (user.is_supervisor or user.is_directory_admin):
        raise PermissionDenied
    return render(request, "helpcentre/deflection.html", {"rows": selectors.deflection_by_problem_type()})


# --- Editors ------------------------------------------------------------------------------------------
@editor_required
def editor_list(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.select_related("platform", "current").order_by("status", "sort_order", "id")
    return render(request, "helpcentre/editor_list.html", {"articles": articles})


@editor_required
def editor_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug) if slug else None
    form = ArticleForm(request.POST or None, instance=article)
    preview = None
    status = 200
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        if action == "preview":
            preview = {
                "zh": content.render_markdown(form.cleaned_data["body_zh"]),
                "en": content.render_markdown(form.cleaned_data["body_en"]),
                "problems": _preview_problems(form),
            }
        else:
            actor = cast(User, request.user)
            data = services.ArticleInput(
                slug=form.cleaned_data["slug"],
                title_zh=form.cleaned_data["title_zh"],
                title_en=form.cleaned_data["title_en"],
                body_zh=form.cleaned_data["body_zh"],
                body_en=form.cleaned_data["body_en"],
                platform=form.cleaned_data["platform"],
                problem_types=list(form.cleaned_data["problem_types"]),
                sort_order=form.cleaned_data["sort_order"],
            )
            try:
                saved = services.article_save(actor=actor, data=data, article=article)
            except ValidationError as exc:
                return _refused(request, form, article, exc)
            if action != "publish":
                messages.success(request, _("Saved as a draft. Users still see the published version."))
                return redirect("helpcentre:editor-edit", slug=saved.slug)
            try:
                services.article_publish(actor=actor, article=saved, note=request.POST.get("note", ""))
            except ValidationError as exc:
                # Kept as a draft: the form now edits the saved article, so sending it again cannot
                # create a second one.
                return _refused(request, form, saved, exc)
            messages.success(request, _("Published."))
            return redirect("helpcentre:editor-edit", slug=saved.slug)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "helpcentre/editor_edit.html",
        {"form": form, "article": article, "preview": preview},
        status=status,
    )


def _refused(
    request: HttpRequest, form: ArticleForm, article: Article | None, exc: ValidationError
) -> HttpResponse:
    for message in exc.messages:
        form.add_error(None, message)
    context = {"form": form, "article": article, "preview": None}
    return render(request, "helpcentre/editor_edit.html", context, status=400)


def _preview_problems(form: ArticleForm) -> list[str]:
    draft = Article(
        platform=form.cleaned_data["platform"],
        title_zh=form.cleaned_data["title_zh"],
        title_en=form.cleaned_data["title_en"],
        body_zh=form.cleaned_data["body_zh"],
        body_en=form.cleaned_data["body_en"],
    )
    return services.publish_problems(draft)


@editor_required
def editor_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    return render(
        request,
        "helpcentre/editor_history.html",
        {"article": article, "revisions": article.revisions.select_related("published_by")},
    )


@editor_required
@require_POST
def editor_archive(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    services.article_archive(actor=cast(User, request.user), article=article)
    messages.success(request, _("Archived: the article is no longer shown."))
    return redirect("helpcentre:editor-list")
