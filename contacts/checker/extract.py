"""Finding the numbers, links, addresses and ids in what a user pasted. Pure: no database, no network.

The text is normalised first (NFKC folds full-width digits and punctuation, ideographic full stops between
letters become dots), then links and email addresses are taken out, then WeChat and QQ ids named as such,
then phone numbers: runs of digits with the separators people write (spaces, dashes, dots, brackets),
an extension (转, 分机, ext, #) and an IVR hint (“按1”) after them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 2000

# A host label: ASCII letters and digits plus the Latin, Greek and Cyrillic letters homoglyph domains use.
_LETTER = r"a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_LABEL = rf"[{_LETTER}](?:[{_LETTER}-]{{0,61}}[{_LETTER}])?"
_TLD = r"(?:[a-z]{2,24}|xn--[a-z0-9-]{2,30})"
_HOST = rf"(?:{_LABEL}\.)+{_TLD}"
_TAIL = r"[^\s<>\"'\u3000-\u303f\u4e00-\u9fff\uff00-\uffef，。！？；：、）】」』]*"
_URL = re.compile(rf"(?<![a-z0-9])(?:https?://|www\.){_TAIL}", re.IGNORECASE)
_EMAIL = re.compile(rf"[a-z0-9._%+-]{{1,64}}@{_HOST}\b", re.IGNORECASE)
_BARE = re.compile(rf"(?<![@a-z0-9.-]){_HOST}(?::\d{{2,5}})?(?:/{_TAIL})?", re.IGNORECASE)
_WECHAT = re.compile(
    r"(?:微信号?|公众号|vx|wx|weixin|wechat)\s*(?:号)?\s*[:：]?\s*([a-z][-_a-z0-9]{5,19})(?![-_a-z0-9])",
    re.IGNORECASE,
)
_QQ = re.compile(r"(?:qq|扣扣)\s*(?:号|群)?\s*[:：]?\s*([1-9]\d{4,11})(?!\d)", re.IGNORECASE)
# Digits with the separators people write between them; at most two separator characters in a row.
_PHONE_RUN = re.compile(r"(?:\+|\b00)?\(?\d(?:[\s\-–—.()]{0,2}\+?\d){2,24}")
_EXTENSION = re.compile(r"^\s*(?:转|分机号?|ext\.?|extension|x|#)\s*[:：]?\s*(\d{1,6})", re.IGNORECASE)
_IVR = re.compile(r"^[^\d\n]{0,12}?(?:按|选择?|press)\s*(\d{1,2})\s*(?:号键|键)?", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"-"
_FORBIDDEN_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


class InputProblem(ValueError):
    """The query cannot be checked; ``code`` says why (empty, too_long, control_characters)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Found:
    kind: str  # "phone" | "url" | "email" | "wechat" | "qq"
    text: str  # as it appears in the normalised text
    extension: str = ""
    ivr: str = ""


def normalise(raw: str) -> str:
    """NFKC, then refuse what cannot be a pasted message: nothing, too much, or hidden control characters.

    Zero-width and bidirectional controls are refused too: they hide a different number or host behind
    the one the user sees.
    """
    if len(raw) > MAX_QUERY_CHARS * 2:
        raise InputProblem("too_long")
    text = unicodedata.normalize("NFKC", raw)
    if _FORBIDDEN_CONTROL.search(text):
        raise InputProblem("control_characters")
    text = text.strip()
    if not text:
        raise InputProblem("empty")
    if len(text) > MAX_QUERY_CHARS:
        raise InputProblem("too_long")
    # 。 and ｡ between letters are dots to a browser (UTS-46): "xingyunka。cn" is xingyunka.cn.
    return re.sub(r"(?<=[a-z0-9])[。｡](?=[a-z])", ".", text, flags=re.IGNORECASE)


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _trim(fragment: str) -> str:
    while fragment and fragment[-1] in _TRAILING:
        if fragment[-1] == ")" and fragment.count("(") >= fragment.count(")"):
            break
        fragment = fragment[:-1]
    return fragment


def extract(text: str) -> list[Found]:
    """Every item in ``text`` (already normalised), in the order they appear."""
    found: list[tuple[int, Found]] = []
    work = text
    for pattern, kind in ((_URL, "url"), (_EMAIL, "email"), (_BARE, "url")):
        for match in pattern.finditer(work):
            fragment = _trim(match.group(0))
            if not fragment or (kind == "url" and not re.search(r"[a-z]", fragment, re.IGNORECASE)):
                continue
            if kind == "url" and pattern is _BARE and "." not in fragment.split("/")[0]:
                continue
            found.append((match.start(), Found(kind, fragment)))
            work = _mask(work, match.start(), match.start() + len(fragment))
    for pattern, kind in ((_WECHAT, "wechat"), (_QQ, "qq")):
        for match in pattern.finditer(work):
            found.append((match.start(1), Found(kind, match.group(1))))
            work = _mask(work, match.start(1), match.end(1))
    for match in _PHONE_RUN.finditer(work):
        for start, number in _split_run(match.group(0), match.start()):
            rest = work[start + len(number) :]
            extension = ivr = ""
            ext = _EXTENSION.match(rest)
            if ext:
                extension = ext.group(1)
                rest = rest[ext.end() :]
            hint = _IVR.match(rest)
            if hint:
                ivr = hint.group(1)
            found.append((start, Found("phone", number, extension, ivr)))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def _digits(fragment: str) -> str:
    return "".join(ch for ch in fragment if ch.isdigit())


def _split_run(run: str, offset: int) -> list[tuple[int, str]]:
    """A run can hold several numbers separated by spaces ("400-612-3456 95105888"): split it into groups
    at whitespace and join neighbouring groups only while they make one plausible number."""
    from contacts.checker.numbers import phone_score

    groups = [(m.start(), m.group(0)) for m in re.finditer(r"\S+", run)]
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(groups):
        best: tuple[int, int, str] | None = None  # (score, groups taken, text)
        for j in range(min(len(groups), i + 6), i, -1):
            start = groups[i][0]
            end = groups[j - 1][0] + len(groups[j - 1][1])
            candidate = run[start:end].rstrip(".-–—(")
            score = phone_score(candidate)
            if score and (best is None or score > best[0]):
                best = (score, j - i, candidate)
        if best is None:
            i += 1
            continue
        out.append((offset + groups[i][0], best[2]))
        i += best[1]
    return out
