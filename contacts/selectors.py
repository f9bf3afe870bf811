"""Reads for the directory. Each list is one query plus a fixed number of prefetches, however long."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contacts.models import (
    PUBLIC_STATES,
    PUBLISHED_STATES,
    Appeal,
    AppealStatus,
    ChannelHistory,
    ChannelKind,
    ChannelProposal,
    ChannelState,
    ContactChannel,
    DomainProposal,
    Platform,
    PlatformStatus,
    ProblemType,
    ProposalStatus,
    ReportedValue,
    ReportStatus,
    ScamReport,
    ServiceWindow,
    platform_search_text,
)

SEARCH_LIMIT = 20


def normalise_query(query: str) -> str:
    """What search compares: lower case, no spaces; Chinese input matches names and aliases directly."""
    return "".join((query or "").lower().split())[:60]


def platform_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Platform]:
    """Platforms whose name, alias, slug or pinyin contains the query; exact and prefix matches first.

    One query. On PostgreSQL a trigram GIN index on ``search_text`` serves the ``LIKE '%…%'``.
    """
    needle = normalise_query(query)
    if not needle:
        return []
    condition = Q(search_text__contains=needle)
    variants = platform_search_text(needle, [], "").split(" ")
    if len(variants) > 1:  # Chinese input: also match its full pinyin, so homophones find the platform
        condition |= Q(search_text__contains=variants[1])
    rank = Case(
        When(name__iexact=query.strip(), then=Value(0)),
        When(search_text__startswith=needle, then=Value(1)),
        When(search_text__contains=" " + needle, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return list(
        Platform.objects.filter(condition)
        .exclude(status=PlatformStatus.CLOSED)
        .annotate(rank=rank)
        .only("id", "name", "slug", "aliases", "status", "legal_name")
        .order_by("rank", "name", "id")[:limit]
    )


def _channel_prefetches() -> list[Prefetch]:
    return [
        Prefetch("windows", queryset=ServiceWindow.objects.order_by("weekday", "start")),
        Prefetch("problem_types", queryset=ProblemType.objects.order_by("sort_order", "id")),
    ]


def public_channels() -> QuerySet[ContactChannel]:
    return (
        ContactChannel.objects.filter(state__in=PUBLIC_STATES)
        .select_related("replacement")
        .prefetch_related(*_channel_prefetches())
        .order_by("sort_order", "id")
    )


def platform_page(*, slug: str) -> Platform:
    """The platform with its domains and public channels (published and retired), in 5 queries.

    A retired channel's replacement is looked up among the same public channels (it belongs to the same
    platform): no self-join, and a replacement that was suspended since is not shown to users.
    """
    channels = (
        ContactChannel.objects.filter(state__in=PUBLIC_STATES)
        .prefetch_related(*_channel_prefetches())
        .order_by("sort_order", "id")
    )
    queryset = Platform.objects.prefetch_related(
        "domains", Prefetch("channels", queryset=channels, to_attr="public_channels")
    )
    platform = get_object_or_404(queryset, slug=slug)
    by_id = {c.pk: c for c in platform.public_channels}  # type: ignore[attr-defined]
    for channel in platform.public_channels:  # type: ignore[attr-defined]
        replacement = by_id.get(channel.replacement_id) if channel.replacement_id else None
        channel.public_replacement = (
            replacement if replacement is not None and replacement.is_published else None
        )
    return platform


def published_channels_of(*, platform: Platform) -> list[ContactChannel]:
    return [c for c in getattr(platform, "public_channels", []) if c.state in PUBLISHED_STATES]


def platform_history(*, platform: Platform, limit: int = 200) -> list[ChannelHistory]:
    return list(ChannelHistory.objects.filter(platform=platform).order_by("-at", "-id")[:limit])


def problem_types() -> list[ProblemType]:
    return list(ProblemType.objects.active().order_by("sort_order", "id"))


def active_platforms(*, limit: int = 100) -> QuerySet[Platform]:
    return (
        Platform.objects.filter(status=PlatformStatus.ACTIVE)
        .only("id", "name", "slug")
        .order_by("name")[:limit]
    )


def pending_proposals() -> QuerySet[ChannelProposal]:
    return (
        ChannelProposal.objects.filter(status=ProposalStatus.PENDING)
        .select_related("platform", "channel", "proposed_by")
        .order_by("proposed_at", "id")
    )


def pending_domain_proposals() -> QuerySet[DomainProposal]:
    return (
        DomainProposal.objects.filter(status=ProposalStatus.PENDING)
        .select_related("platform", "proposed_by")
        .order_by("proposed_at", "id")
    )


def domain_proposal_detail(*, proposal_id: int) -> DomainProposal:
    return get_object_or_404(
        DomainProposal.objects.select_related("platform", "proposed_by", "decided_by"), pk=proposal_id
    )


def domain_proposals_of(*, platform: Platform, limit: int = 50) -> list[DomainProposal]:
    """Pending first, then the latest decisions."""
    return list(
        DomainProposal.objects.filter(platform=platform)
        .select_related("proposed_by", "decided_by")
        .annotate(pending_first=Case(When(status=ProposalStatus.PENDING, then=Value(0)), default=Value(1)))
        .order_by("pending_first", "-proposed_at", "-id")[:limit]
    )


def proposal_detail(*, proposal_id: int) -> ChannelProposal:
    return get_object_or_404(
        ChannelProposal.objects.select_related(
            "platform", "proposed_by", "decided_by", "channel"
        ).prefetch_related(
            "evidence",
            Prefetch("channel__windows", queryset=ServiceWindow.objects.order_by("weekday", "start")),
            "channel__problem_types",
        ),
        pk=proposal_id,
    )


def channel_for_admin(*, channel_id: int) -> ContactChannel:
    return get_object_or_404(
        ContactChannel.objects.select_related("platform", "replacement", "verified_by", "approved_by")
        .prefetch_related(*_channel_prefetches(), "evidence", "proposals")
        .order_by(),
        pk=channel_id,
    )


def channels_for_admin(*, platform: Platform) -> list[ContactChannel]:
    return list(
        ContactChannel.objects.filter(platform=platform)
        .select_related("replacement")
        .prefetch_related(*_channel_prefetches())
        .order_by("sort_order", "id")
    )


def replacement_choices(*, channel: ContactChannel) -> QuerySet[ContactChannel]:
    return ContactChannel.objects.filter(platform_id=channel.platform_id, state__in=PUBLISHED_STATES).exclude(
        pk=channel.pk
    )


def problem_types_by_slug(slugs: Sequence[str]) -> dict[str, ProblemType]:
    return {pt.slug: pt for pt in ProblemType.objects.filter(slug__in=slugs)}


def channels_overdue(*, limit: int = 200) -> list[ContactChannel]:
    return list(
        ContactChannel.objects.filter(state=ChannelState.REVIEW_OVERDUE)
        .select_related("platform")
        .order_by("review_due_at", "id")[:limit]
    )


def callback_numbers(*, platform_ids: Iterable[int]) -> dict[int, str]:
    """Each platform's published call-back line (the number agents call customers from), in one query.

    Only a ``callback_line`` counts: the hotlines are numbers customers call, and the checker tells users
    that an inbound-only number never calls them. A platform without one is missing from the answer;
    a suspended or closed platform's line is not vouched for, so it is missing too."""
    ids = sorted(set(platform_ids))
    if not ids:
        return {}
    rows = (
        ContactChannel.objects.filter(
            platform_id__in=ids,
            kind=ChannelKind.CALLBACK_LINE,
            state__in=PUBLISHED_STATES,
            platform__status=PlatformStatus.ACTIVE,
        )
        .order_by("platform_id", "sort_order", "id")
        .values_list("platform_id", "value")
    )
    numbers: dict[int, str] = {}
    for platform_id, value in rows:
        numbers.setdefault(platform_id, value)
    return numbers


def official_callback_number(*, platform_id: int) -> str:
    """The number a call-back to a customer of this platform comes from: its published call-back line,
    or "" when it has none (never the inbound hotline, which "never calls you")."""
    return callback_numbers(platform_ids=[platform_id]).get(platform_id, "")


# --- Scam reports -------------------------------------------------------------------------------------
def _recent_reporters() -> Count:
    since = timezone.now() - settings.SCAM_REPORT_WINDOW
    return Count("reports__reporter_hash", filter=Q(reports__created_at__gte=since), distinct=True)


def _official_now(values: Sequence[ReportedValue]) -> set[str]:
    """Which of these reported values the directory vouches for now: read-time guard, 2-3 queries."""
    from contacts.checker import official_report_keys

    return official_report_keys([(v.kind, v.canonical_value) for v in values]) if values else set()


def report_triage(*, status: str = ReportStatus.OPEN, limit: int = 100) -> list[ReportedValue]:
    """Reported values with their counts, most-reported first: one query, plus the official-now guard
    (``is_official``: listed as official in the directory, so never shown as a fake)."""
    values: list[ReportedValue] = list(
        ReportedValue.objects.filter(status=status)
        .select_related("platform")
        .annotate(
            report_count=Count("reports", distinct=True),
            reporter_count=Count("reports__reporter_hash", distinct=True),
            recent_reporters=_recent_reporters(),
        )
        .order_by("-recent_reporters", "-last_reported_at", "-id")[:limit]
    )
    official = _official_now(values)
    for value in values:
        value.is_official = value.canonical_value in official  # type: ignore[attr-defined]
    return values


def reported_value_detail(*, value_id: int) -> ReportedValue:
    value = get_object_or_404(
        ReportedValue.objects.select_related("platform", "merged_into", "decided_by")
        .annotate(
            recent_reporters=_recent_reporters(),
            reporter_count=Count("reports__reporter_hash", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "reports", queryset=ScamReport.objects.select_related("platform").order_by("-created_at")
            ),
            Prefetch("appeals", queryset=Appeal.objects.order_by("-created_at", "-id")),
        ),
        pk=value_id,
    )
    value.is_official = bool(_official_now([value]))  # type: ignore[attr-defined]
    return value


def known_fakes(*, platform: Platform, limit: int = 50) -> list[ReportedValue]:
    """Fakes impersonating ``platform`` that the checker calls ``reported``: confirmed, or reported by
    enough distinct people within the window. Disputed values are never listed, and neither is anything
    the directory vouches for now (published after it was reported): reports never brand it a fake."""
    candidates: list[ReportedValue] = list(
        ReportedValue.objects.filter(
            platform=platform, status__in=(ReportStatus.OPEN, ReportStatus.CONFIRMED)
        )
        .annotate(recent_reporters=_recent_reporters())
        .filter(Q(status=ReportStatus.CONFIRMED) | Q(recent_reporters__gte=settings.SCAM_REPORT_THRESHOLD))
        .order_by("-last_reported_at", "-id")[:limit]
    )
    official = _official_now(candidates)
    return [value for value in candidates if value.canonical_value not in official]


def reported_value_by_text(*, text: str) -> ReportedValue | None:
    """The reported value an admin typed (as a user would: any formatting), for a merge."""
    from contacts.checker import InputProblem, extract, normalise, report_key

    try:
        items = extract(normalise(text))
    except InputProblem:
        return None
    keys = [report_key(items[0])] if items else []
    keys.append(text.strip())
    return ReportedValue.objects.filter(canonical_value__in=keys).order_by("id").first()


# --- Appeals ------------------------------------------------------------------------------------------
def appeal_list(*, status: str = AppealStatus.OPEN, limit: int = 100) -> list[Appeal]:
    return list(
        Appeal.objects.filter(status=status)
        .select_related("reported_value", "decided_by")
        .order_by("created_at", "id")[:limit]
    )


def appeal_detail(*, appeal_id: int) -> Appeal:
    return get_object_or_404(
        Appeal.objects.select_related("reported_value", "reported_value__platform", "decided_by"),
        pk=appeal_id,
    )
