"""Help for the home page's platform search: send numbers and links to the checker, tolerate typos.

- ``checkable``: the query is a phone number, link or e-mail address (the checker's own extraction
  decides), so the checker, not the platform search, should answer it.
- ``platform_suggestions``: when the ordinary search (``selectors.platform_search``: names, aliases, pinyin)
  finds nothing, the platforms whose name, alias or pinyin is within a small edit distance of the query
  ("xinyun" → 星云卡盟, "星云卡蒙" → 星云卡盟). One query over the search texts; the distance is bounded.
"""

from __future__ import annotations

from contacts.checker.extract import InputProblem, extract, normalise
from contacts.models import Platform, PlatformStatus, platform_search_text
from contacts.selectors import normalise_query

CHECKABLE_KINDS = frozenset({"phone", "url", "email"})
MAX_CANDIDATES = 5000  # platforms compared on a typo fallback (the directory is far smaller)


def checkable(query: str) -> bool:
    try:
        found = extract(normalise(query))
    except InputProblem:
        return False
    return any(item.kind in CHECKABLE_KINDS for item in found)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _limit(needle: str) -> int:
    if not needle.isascii():
        return 1  # Chinese: one wrong character in a short name
    return 1 if len(needle) <= 5 else 2


def platform_suggestions(query: str, *, limit: int = 5) -> list[Platform]:
    needle = normalise_query(query)
    if len(needle) < (2 if not needle.isascii() else 3):
        return []
    needles = {needle, *platform_search_text(needle, [], "").split(" ")}
    needles.discard("")
    scored: list[tuple[int, int]] = []
    rows = (
        Platform.objects.exclude(status=PlatformStatus.CLOSED)
        .order_by("id")
        .values_list("pk", "search_text")[:MAX_CANDIDATES]
    )
    for pk, text in rows:
        best = None
        for token in (text or "").split(" "):
            for candidate in needles:
                bound = _limit(candidate)
                prefix = token[: len(candidate)] if len(token) > len(candidate) + bound else token
                d = _distance(candidate, prefix, bound)
                if d <= bound and (best is None or d < best):
                    best = d
        if best is not None:
            scored.append((best, pk))
    ids = [pk for _d, pk in sorted(scored)[:limit]]
    found = Platform.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
