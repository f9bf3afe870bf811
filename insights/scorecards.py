"""Public platform scorecards: the last 90 days of a platform's claims, from the daily roll-up, stored as a
snapshot each time the roll-up runs. A figure is published only where at least ``SCORECARD_MIN_CLAIMS``
claims back it; below that the snapshot stores ``None`` and the page says there are too few claims.

The median first response over 90 days is the median of the daily medians weighted by each day's number of
first responses (medians cannot be added up; this is the roll-up's best estimate and is labelled so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from contacts.models import Platform, PlatformStatus, ProblemType
from insights.models import DailyRollup, Grain, ScorecardResponse, ScorecardSnapshot

PERIOD_DAYS = 90
TOP_PROBLEM_TYPES = 3


def weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    """Median of values each counted ``weight`` times."""
    pairs = sorted((value, weight) for value, weight in pairs if weight > 0)
    total = sum(weight for _value, weight in pairs)
    if not total:
        return None
    half, running = total / 2, 0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


def scorecards_refresh(*, today: date | None = None) -> int:
    """Recompute every active platform's snapshot from the roll-up (a few grouped queries)."""
    today = today or timezone.localdate()
    start = today - timedelta(days=PERIOD_DAYS - 1)
    minimum = settings.SCORECARD_MIN_CLAIMS
    rows = DailyRollup.objects.filter(grain=Grain.PLATFORM, day__gte=start, day__lte=today)
    sums = {
        row["platform_id"]: row
        for row in rows.values("platform_id").annotate(
            filed=Sum("filed"),
            first=Sum("first_responses"),
            res_total=Sum("sla_resolution_total"),
            res_met=Sum("sla_resolution_met"),
            rated=Sum("rated"),
            rating_sum=Sum("rating_sum"),
        )
    }
    medians: dict[Any, list[tuple[float, int]]] = {}
    for platform_id, median, weight in rows.exclude(median_first_response_s=None).values_list(
        "platform_id", "median_first_response_s", "first_responses"
    ):
        medians.setdefault(platform_id, []).append((float(median or 0), weight))
    problems: dict[Any, list[tuple[Any, int]]] = {}
    for platform_id, problem_id, filed in (
        DailyRollup.objects.filter(grain=Grain.PLATFORM_PROBLEM, day__gte=start, day__lte=today)
        .values("platform_id", "problem_type_id")
        .annotate(filed=Sum("filed"))
        .values_list("platform_id", "problem_type_id", "filed")
    ):
        if filed:
            problems.setdefault(platform_id, []).append((problem_id, filed))
    names = {p.pk: p for p in ProblemType.objects.all()}
    count = 0
    refreshed: list[str] = []
    with transaction.atomic():
        for platform_id in Platform.objects.filter(status=PlatformStatus.ACTIVE).values_list("pk", flat=True):
            row: dict[str, Any] = dict(sums.get(platform_id) or {})
            filed = row.get("filed") or 0
            first = row.get("first") or 0
            res_total = row.get("res_total") or 0
            rated = row.get("rated") or 0
            top = sorted(problems.get(platform_id, []), key=lambda item: -item[1])[:TOP_PROBLEM_TYPES]
            ScorecardSnapshot.objects.update_or_create(
                platform_id=platform_id,
                defaults={
                    "period_start": start,
                    "period_end": today,
                    "claims": filed,
                    "first_response_sample": first,
                    "median_first_response_s": (
                        weighted_median(medians.get(platform_id, [])) if first >= minimum else None
                    ),
                    "promise_sample": res_total,
                    "resolved_within_promise": (row["res_met"] / res_total) if res_total >= minimum else None,
                    "csat_sample": rated,
                    "csat": (row["rating_sum"] / rated) if rated >= minimum else None,
                    "top_problem_types": (
                        [
                            {
                                "slug": names[pid].slug,
                                "name_zh": names[pid].name_zh,
                                "name_en": names[pid].name_en,
                                "claims": n,
                            }
                            for pid, n in top
                            if pid in names
                        ]
                        if filed >= minimum
                        else []
                    ),
                    "computed_at": timezone.now(),
                },
            )
            count += 1
            refreshed.append(_headline_key(platform_id))
    from django.core.cache import cache

    cache.delete_many(refreshed)
    return count


@dataclass(frozen=True)
class Scorecard:
    platform: Platform
    snapshot: ScorecardSnapshot | None
    responses: list[ScorecardResponse]
    minimum: int

    @property
    def claims_shown(self) -> bool:
        return self.snapshot is not None and self.snapshot.claims >= self.minimum

    @property
    def median_first_response_hours(self) -> float | None:
        s = self.snapshot
        return (
            round(s.median_first_response_s / 3600, 1)
            if s and s.median_first_response_s is not None
            else None
        )

    @property
    def resolved_within_promise_percent(self) -> int | None:
        s = self.snapshot
        return round(s.resolved_within_promise * 100) if s and s.resolved_within_promise is not None else None

    @property
    def csat(self) -> float | None:
        s = self.snapshot
        return round(s.csat, 1) if s and s.csat is not None else None

    def as_json(self) -> dict[str, Any]:
        s = self.snapshot
        return {
            "platform": self.platform.slug,
            "period_start": s.period_start.isoformat() if s else None,
            "period_end": s.period_end.isoformat() if s else None,
            "minimum_claims": self.minimum,
            "claims": s.claims if self.claims_shown and s else None,
            "median_first_response_hours": self.median_first_response_hours,
            "resolved_within_promise_percent": self.resolved_within_promise_percent,
            "csat": self.csat,
            "top_problem_types": [
                {"slug": p["slug"], "name_zh": p["name_zh"], "name_en": p["name_en"], "claims": p["claims"]}
                for p in (s.top_problem_types if s else [])
            ],
            "computed_at": s.computed_at.isoformat() if s else None,
            "responses": [
                {"quarter": r.quarter, "body": r.body, "created_at": r.created_at.isoformat()}
                for r in self.responses
            ],
        }


HEADLINE_TTL = 900  # seconds; the snapshot changes when the roll-up runs (every 15 min), which clears it


def _headline_key(platform_id: int) -> str:
    return f"insights:scorecard:{platform_id}"


def headline_for(platform: Platform) -> Scorecard:
    """The platform page's headline: the snapshot from the cache (the page keeps its query budget)."""
    from django.core.cache import cache

    key = _headline_key(platform.pk)
    snapshot = cache.get(key)
    if snapshot is None:
        snapshot = ScorecardSnapshot.objects.filter(platform=platform).first() or False
        cache.set(key, snapshot, HEADLINE_TTL)
    return Scorecard(
        platform=platform, snapshot=snapshot or None, responses=[], minimum=settings.SCORECARD_MIN_CLAIMS
    )


def scorecard_for(platform: Platform) -> Scorecard:
    return Scorecard(
        platform=platform,
        snapshot=ScorecardSnapshot.objects.filter(platform=platform).first(),
        responses=list(ScorecardResponse.objects.filter(platform=platform).order_by("-quarter")[:4]),
        minimum=settings.SCORECARD_MIN_CLAIMS,
    )


def current_quarter(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def scorecard_response_add(
    *, platform: Platform, body: str, actor: Any = None, platform_key: Any = None
) -> ScorecardResponse:
    """The platform's public response for the current quarter (one per quarter): entered by a directory
    admin on the platform's behalf, or sent by the platform itself with its own platform API key."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from helpdesk.audit import audit_record

    by_admin = bool(getattr(actor, "is_directory_admin", False))
    by_platform = platform_key is not None and platform_key.platform_id == platform.pk
    if not (by_admin or by_platform):
        raise PermissionDenied
    text = body.strip()
    if not text:
        raise ValidationError(_("Write the response first."), code="empty")
    quarter = current_quarter()
    with transaction.atomic():
        Platform.objects.select_for_update().filter(pk=platform.pk).first()  # one response per quarter
        if ScorecardResponse.objects.filter(platform=platform, quarter=quarter).exists():
            raise ValidationError(
                _("The platform has already responded this quarter (%(quarter)s).") % {"quarter": quarter},
                code="one_per_quarter",
            )
        response = ScorecardResponse.objects.create(
            platform=platform, quarter=quarter, body=text[:2000], entered_by=actor if by_admin else None
        )
        audit_record(
            actor=actor if by_admin else None,
            action="scorecard.response_added",
            obj=response,
            after={"quarter": quarter},
            reason="" if by_admin else f"platform key {platform_key.prefix}",
        )
    return response
