"""An article's text: Markdown rendered and sanitised, channel shortcodes, and the publishing check that
refuses any number, link or e-mail the checker does not call ``official``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from contacts import checker
from contacts.checker.engine import MAX_ITEMS
from contacts.models import ChannelKind

# [[channels]]: the platform's published channels, best first for the article's problem.
# [[channel:claims_hotline]]: its published channels of one kind. Never typed: read from the directory.
SHORTCODE = re.compile(r"\[\[\s*(channels|channel\s*:\s*([a-z_]+))\s*\]\]")
_SHORTCODE_IN_HTML = re.compile(r"(?:<p>\s*)?\[\[\s*(channels|channel\s*:\s*([a-z_]+))\s*\]\](?:\s*</p>)?")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code", "pre", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_HREF = re.compile(r'href="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_CHUNK_CHARS = 1500
_CHUNK_ITEMS = 20


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Raw HTML off: what an editor types is text; links and emphasis come from Markdown only.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(source: str) -> str:
    """Markdown → HTML, sanitised by nh3 (an allow-list of tags; links get rel=noopener noreferrer)."""
    raw = _markdown().render(source)
    return nh3.clean(
        raw,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


@dataclass(frozen=True)
class Segment:
    """A piece of a rendered article: sanitised HTML, or a place where the directory's channels go."""

    html: str = ""
    channels: bool = False
    kind: str = ""  # "" = every published channel, best first


def segments(source: str) -> list[Segment]:
    rendered = render_markdown(source)
    out: list[Segment] = []
    position = 0
    for match in _SHORTCODE_IN_HTML.finditer(rendered):
        if match.start() > position:
            out.append(Segment(html=rendered[position : match.start()]))
        out.append(Segment(channels=True, kind=match.group(2) or ""))
        position = match.end()
    if position < len(rendered):
        out.append(Segment(html=rendered[position:]))
    return out


def plain_text(source: str) -> str:
    """The rendered text without tags or shortcodes: for search documents, snippets and the check."""
    text = _TAG.sub(" ", render_markdown(SHORTCODE.sub(" ", source)))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def shortcode_problems(source: str, *, has_platform: bool) -> list[str]:
    problems = []
    kinds = {k.value for k in ChannelKind}
    for match in SHORTCODE.finditer(source):
        kind = match.group(2)
        if kind and kind not in kinds:
            problems.append(_("Unknown channel kind in %(code)s.") % {"code": match.group(0)})
        elif not has_platform:
            problems.append(
                _("%(code)s needs a platform: a general article cannot embed a platform's channels.")
                % {"code": match.group(0)}
            )
    return problems


# --- The publishing check -------------------------------------------------------------------------------
def _texts_to_check(source: str) -> list[str]:
    """The source as typed, and what the rendered page will show and link to (entities decoded)."""
    without_codes = SHORTCODE.sub(" ", source)
    rendered = render_markdown(without_codes)
    hrefs = [html.unescape(h) for h in _HREF.findall(rendered)]
    return [without_codes, plain_text(without_codes), *hrefs]


def _chunks(text: str) -> Iterable[str]:
    """Pieces the checker accepts (at most MAX_QUERY_CHARS, few items each), split at line ends."""
    lines: list[str] = []
    for line in text.splitlines():
        while len(line) > _CHUNK_CHARS:
            cut = line.rfind(" ", 0, _CHUNK_CHARS)
            cut = cut if cut > 0 else _CHUNK_CHARS
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    chunk: list[str] = []
    size = items = 0
    for line in lines:
        count = _item_count(line)
        if chunk and (size + len(line) + 1 > _CHUNK_CHARS or items + count > _CHUNK_ITEMS):
            yield "\n".join(chunk)
            chunk, size, items = [], 0, 0
        chunk.append(line)
        size += len(line) + 1
        items += count
    if chunk:
        yield "\n".join(chunk)


def _item_count(line: str) -> int:
    try:
        return len(checker.extract(checker.normalise(line)))
    except checker.InputProblem:
        return 0


@dataclass(frozen=True)
class Refusal:
    text: str
    verdict: str
    reason: str


def unofficial_items(sources: Iterable[str]) -> list[Refusal]:
    """Every number, link, e-mail or id in ``sources`` whose verdict is not ``official``, once each."""
    refused: dict[str, Refusal] = {}
    for source in sources:
        for text in _texts_to_check(source):
            for chunk in _chunks(text):
                try:
                    outcome = checker.check(chunk)
                except checker.InputProblem as exc:
                    if exc.code == "empty":
                        continue
                    refused[f"!{exc.code}"] = Refusal(text="", verdict=exc.code, reason=_problem(exc.code))
                    continue
                if len(outcome.results) >= MAX_ITEMS:
                    refused["!too_many"] = Refusal(
                        text="", verdict="too_many", reason=_("Too many numbers or links in one line.")
                    )
                for result in outcome.results:
                    if result.verdict != checker.OFFICIAL:
                        key = result.canonical or result.input
                        refused.setdefault(key, Refusal(result.input, result.verdict, result.reason))
    return list(refused.values())


def _problem(code: str) -> str:
    if code == "control_characters":
        return _("The text contains invisible control characters, which can hide a different number or link.")
    return _("Part of the text could not be checked.")
