"""Finding the numbers, links, addresses and ids in what a user pasted. Pure: no database, no network.

Links and e-mail addresses are taken out of the text as it was pasted, before any normalisation, because
a browser sees exactly those characters: NFKC would turn ``／`` ``＠`` ``＃`` into delimiters that the
browser does not see, and so move the host. What a token is, is decided here; which site it opens is
decided by the WHATWG parser (``contacts.canonical.browser_url``). The token rules:

- a link starts at a scheme (``http:``, ``https:``, ``javascript:``, ``data:``…; tabs and newlines inside
  ``http`` are dropped, as WHATWG drops them) or, scheme-less, at a Latin, Greek or Cyrillic letter or digit;
  the token is read from there (``官网xingyunka.cn`` is ``xingyunka.cn``), but when Chinese (or any other
  letter or digit) is glued to it with no white space or punctuation between, that run is kept as
  ``Found.glued``: a phone's linkifier or a browser given the whole string opens ``官网xingyunka.cn``, a
  different domain, and the engine may not call it official unless that longer reading is official too.
  So is a host-like word with ``/`` or ``\\`` written right before it (``user\\@kf.example.cn。kf…``, also
  across one tab, which WHATWG drops): the whole string opens that word's host;
- the authority runs to ``/`` ``\\`` ``?`` ``#`` or white space, and everything up to its LAST ``@`` is user
  info; ``。`` ``｡`` ``．`` are dots of the host and never end it;
- the host may end in prose: a last label that turns into Chinese (``cn谢谢``) or that follows an ideographic
  full stop and is Chinese but not a top-level domain, or digits (``xingyunka.cn。400-612-3456``), is cut
  off: such a reading names no site that anyone could register. A tab or line break inside a link is
  dropped (WHATWG) when the next line continues the host: next to a dot, ``@``, ``/`` or ``\\``, or when the
  joined host ends in a real top-level domain.

Then the rest of the text is NFKC-normalised (full-width digits and punctuation fold) and WeChat and QQ ids
named as such and phone numbers are found: runs of digits with the separators people write (spaces, dashes,
dots, brackets), an extension (转, 分机, ext, #) and an IVR hint (“按1”) after them; brackets, colons and
opening hours next to a number are not part of it (``400-612-3456（9:00-21:00）``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

MAX_QUERY_CHARS = 2000

_WECHAT = re.compile(
    r"(?:微信号?|公众号|vx|wx|weixin|wechat)\s*(?:号)?\s*[:：]?\s*([a-z][-_a-z0-9]{5,19})(?![-_a-z0-9])",
    re.IGNORECASE,
)
_QQ = re.compile(r"(?:qq|扣扣)\s*(?:号|群)?\s*[:：]?\s*([1-9]\d{4,11})(?!\d)", re.IGNORECASE)
# Digits with the separators people write between them; at most two separator characters in a row.
_PHONE_RUN = re.compile(r"(?:\+|\b00)?\(?\d(?:[\s\-–—.()]{0,2}\+?\d){2,24}")
_EXTENSION = re.compile(
    r"^\s*[(\[]?\s*(?:转|分机号?|ext\.?|extension|x|#)\s*[:：]?\s*(\d{1,6})", re.IGNORECASE
)
_IVR = re.compile(r"^[^\d\n]{0,12}?(?:按|选择?|press)\s*(\d{1,2})\s*(?:号键|键)?", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"-。｡．"
_FORBIDDEN_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)

# --- Link tokens -------------------------------------------------------------------------------------------
_DOTS = ".\u3002\uff61\uff0e"  # . 。 ｡ ． : all dots to a browser's host parser (UTS-46)
_IDEOGRAPHIC_STOPS = "\u3002\uff61\uff0e"
_LINE_BREAKS = "\t\n\r"  # WHATWG removes them anywhere in a URL
_AUTHORITY_END = "/\\?#"
# Chinese punctuation: prose, it ends a host (a host cannot contain it), but not the user info before an "@".
_CJK_PUNCTUATION = frozenset("，、；：！？（）【】「」『』《》〈〉“”‘’…—·～")
_PROSE_PUNCTUATION = _CJK_PUNCTUATION | frozenset(",;")
_IDEOGRAPH = re.compile(
    "[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]"
)
# Where a scheme-less link may start: a Latin (with marks), Greek or Cyrillic letter, a digit, their
# full-width forms, "%" (a percent-encoded host), "[" (an IPv6 literal) or a quote (a quoted local part).
_START = re.compile(
    r"[A-Za-z0-9%\[\"\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)
_BREAKS = r"[\t\n\r]*"
# Up to white space or Chinese punctuation: a scheme-less link needs a dot-like or "@" in there (a cheap test
# that spares reading every word of a message as a link).
_WORD = re.compile(r"[^\s，、；！？（）【】「」『』《》]*")
_LINK_MARKS = frozenset(".。｡．@%")
_SOURCE_ROUTE = re.compile(r"@[^\s@:/\\]+:[^\s@]+@")  # @relay:name@host, an old way to route mail
_SCHEME = re.compile(
    "(?<![A-Za-z0-9+.-])(?:"
    + "|".join(
        _BREAKS.join(name + ":")
        for name in ("https", "http", "javascript", "vbscript", "mailto", "data", "file", "ftp", "wss", "ws")
    )
    + "|blob:|about:|intent:|view-source:|chrome:|jar:)",
    re.IGNORECASE,
)
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local", "onion", "internal"})


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False)  # bundled list, no network


def _is_tld(label: str) -> bool:
    """A label that exists as a top-level domain (or is reserved for examples and tests)."""
    label = unicodedata.normalize("NFKC", label).lower()
    if not label or label in _RESERVED_TLDS:
        return bool(label)
    try:
        label = label.encode("idna").decode("ascii") if not label.isascii() else label
    except UnicodeError:
        return False
    return _suffixes().is_public(label)


class InputProblem(ValueError):
    """The query cannot be checked; ``code`` says why (empty, too_long, control_characters)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Found:
    kind: str  # "phone" | "url" | "email" | "wechat" | "qq"
    text: str  # links and e-mails as pasted (tabs and line breaks inside dropped); the rest NFKC-normalised
    extension: str = ""
    ivr: str = ""
    # A scheme-less link only: the letters glued before it with no separator ("官网" in "官网xingyunka.cn").
    # A linkifier reads them as part of the host; the engine judges that reading too. Never shown.
    glued: str = ""


def normalise(raw: str) -> str:
    """Refuse what cannot be a pasted message: nothing, too much, or hidden control characters; return the
    text stripped, otherwise as pasted (``extract`` reads links from it as the browser would).

    Zero-width and bidirectional controls are refused: they hide a different number or host behind the one
    the user sees. Tabs and line breaks are text.
    """
    if len(raw) > MAX_QUERY_CHARS * 2:
        raise InputProblem("too_long")
    if _FORBIDDEN_CONTROL.search(unicodedata.normalize("NFKC", raw)):
        raise InputProblem("control_characters")
    text = raw.strip()
    if not text:
        raise InputProblem("empty")
    if len(unicodedata.normalize("NFKC", text)) > MAX_QUERY_CHARS:
        raise InputProblem("too_long")
    return text


def _trim(fragment: str) -> str:
    while fragment and fragment[-1] in _TRAILING:
        if fragment.endswith(".."):
            break  # "host..": not a full stop but an empty label, which no browser opens as "host"
        if fragment[-1] == ")" and fragment.count("(") >= fragment.count(")"):
            break
        if fragment[-1] == "]" and fragment.count("[") >= fragment.count("]"):
            break
        fragment = fragment[:-1]
    return fragment


# --- Scanning links and e-mail addresses ---------------------------------------------------------------
def _joins(text: str, start: int, gap: int, after: int) -> bool | None:
    """Does the tab/line break at text[gap:after] sit inside the link that begins at ``start``? True: yes;
    False: no; None: only if the joined host ends in a real top-level domain."""
    if after >= len(text) or text[after].isspace():
        return False
    tab = set(text[gap:after]) == {"\t"}  # a browser drops a tab; a line break ends the line
    word = text[after:].split(maxsplit=1)[0]  # the word after the gap (text[after] is no space)
    if _IDEOGRAPH.match(text[after]):
        # Chinese after a line break is the next sentence; after a TAB it is read on when the word it starts
        # still holds a host's or user info's mark ("\t星云.com@evil.example").
        return tab and any(ch in _DOTS + "@/\\:" for ch in word.rstrip(_TRAILING))
    if _SCHEME.match(text, after) or text[after : after + 4].lower() == "www.":
        return False
    glue = _DOTS + "@/\\%:[]"
    if text[after] in glue:
        return True
    if tab and "@" in word:
        # A browser drops the tab, so what follows is still this link's user info ("kf.example.cn:4\t43@
        # evil.example" opens evil.example, or nothing): the link is read whole, never cut at the tab.
        return True
    if gap > 0 and text[gap - 1] in glue:
        # A sentence that ends with a full stop before a line break ("within 1 hour.\n1. Open…") is prose:
        # a lone word before the stop joins the next line only where it already holds a link's mark.
        lone_word = not any(ch in glue for ch in text[start : gap - 1])
        return not (text[gap - 1] in _DOTS and lone_word)
    return None


def _authority_end(
    text: str, start: int, *, join_words: bool, bare: bool
) -> tuple[int, list[tuple[int, int]]]:
    """Where the authority (user info and host) that begins at ``start`` ends, and the tab/line-break gaps
    inside it that WHATWG drops. Scheme-less, Chinese in the first label is prose (``100元xingyunka.cn``)."""
    i, gaps, prose, first_label = start, [], False, bare
    if i < len(text) and text[i] == '"':  # a quoted local part: "kefu@xingyunka.cn"@evil.example
        close = text.find('"', i + 1, i + 66)
        if close > 0 and "\n" not in text[i:close]:
            i = close + 1
    while i < len(text):
        ch = text[i]
        if ch == '"' and i > start and text[i - 1] == "@":  # a quoted domain: kefu@"xingyunka.cn"
            close = text.find('"', i + 1, i + 256)
            if close > 0 and "\n" not in text[i:close]:
                i = close + 1
                continue
        if ch in _LINE_BREAKS:
            after = i
            while after < len(text) and text[after] in _LINE_BREAKS:
                after += 1
            decision = _joins(text, start, i, after)
            if decision is False or (decision is None and not join_words):
                break
            gaps.append((i, after))
            i = after
            continue
        if ch.isspace() or ch in '<>"' or ch in _AUTHORITY_END:
            break
        if ch in _DOTS or ch == "@":
            first_label = False
        if ch == "@":
            prose = False  # punctuation in user info says nothing of the host after it ("a;@b.星云.com")
        if ch in _PROSE_PUNCTUATION:
            prose = True
        elif (prose or first_label) and _IDEOGRAPH.match(ch):
            break  # "https://kf.example.cn，举报邮箱abuse@x.cn": the sentence went on
        i += 1
    return i, gaps


def _host_end(text: str, start: int, end: int) -> int:
    """Cut a host that ran into prose: ``cn谢谢``, ``cn。谢谢您``, ``cn。400-612-3456``."""
    while end > start:
        host = text[start:end]
        separator = max(host.rfind(dot) for dot in _DOTS)
        label = host[separator + 1 :]
        dot = host[separator] if separator >= 0 else "?"
        if not label:
            if dot in _IDEOGRAPHIC_STOPS and (end >= len(text) or text[end] not in ":/\\?#@"):
                end -= 1  # a full stop that ends the sentence
                continue
            return end
        ideographic = [bool(_IDEOGRAPH.match(ch)) for ch in label]
        if any(ideographic) and not all(ideographic):
            turn = next((k for k in range(1, len(label)) if ideographic[k] and not ideographic[k - 1]), 0)
            if turn and not any(ideographic[:turn]) and separator >= 0:
                end = start + separator + 1 + turn
                continue
            return end
        if dot in _IDEOGRAPHIC_STOPS and (
            (all(ideographic) and not _is_tld(label)) or re.fullmatch(r"[\d\-–—]+", label)
        ):
            end = start + separator
            continue
        return end
    return end


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str
    text: str
    glued: str = ""


@lru_cache(maxsize=4096)
def _ignored(ch: str) -> bool:
    """A code point IDNA (UTS-46) deletes from a host: soft hyphen, joiners, variation selectors, fillers.
    Invisible, and no separator to a browser: ``官网\u00adxingyunka.cn`` opens ``官网xingyunka.cn``."""
    if ch.isascii() or ch.isspace():
        return False
    try:
        return idna.uts46_remap(ch, std3_rules=False, transitional=False) == ""
    except idna.IDNAError:
        return False


@lru_cache(maxsize=4096)
def _delimiter_form(ch: str) -> bool:
    """A compatibility form of a URL delimiter (``＠`` ``﹫`` ``／`` ``＼`` ``＃`` ``﹕`` ``％``…): no
    delimiter to the URL parser, which keeps it in the host, where UTS-46 maps it to the ASCII one, a
    forbidden host code point, and the browser refuses the whole link. Chinese prose punctuation (``：``
    ``？``) stays prose."""
    if ch.isascii() or ch in _PROSE_PUNCTUATION:
        return False
    folded = unicodedata.normalize("NFKC", ch)
    if folded in ("@", ":", "/", "\\", "?", "#", "%", "[", "]"):
        return True
    # A dot UTS-46 does not map to "." but refuses (``﹒`` ``․``): the browser refuses the whole host too.
    if folded == ".":
        try:
            idna.uts46_remap(ch, std3_rules=False, transitional=False)
        except idna.IDNAError:
            return True
    return False


def _glued(text: str, start: int) -> str:
    """The run of letters and digits (ideographs, kana, hangul, any script) and hyphens written directly
    before ``start`` with no white space or punctuation between: what a linkifier that accepts IRI
    characters in a domain label (Android's ``Patterns.AUTOLINK_WEB_URL``, a browser given the whole string)
    reads as the start of the first label. Code points IDNA deletes are no separator. Empty when a
    separator comes first."""
    i = start
    while i > 0:
        ch = text[i - 1]
        mark = unicodedata.category(ch).startswith("M")
        if not (ch.isalnum() or ch == "-" or mark or _IDEOGRAPH.match(ch) or _ignored(ch)):
            break
        i -= 1
    delimited = _word_with_delimiter_form(text, start)
    if delimited:
        return delimited
    run = text[i:start].lstrip("-")
    if run and not run.isascii():
        return run
    return _word_before(text, start)


def _word_with_delimiter_form(text: str, start: int) -> str:
    """The word written before ``start`` when it ends in a compatibility form of a URL delimiter (tabs and
    line breaks, which WHATWG drops, and code points IDNA deletes in between):
    ``user:pass<tab>＠kf.example.cn`` is no link to ``kf.example.cn`` for a browser,
    which reads ``user:pass＠kf.example.cn`` and refuses it (``＠`` becomes a forbidden
    ``@`` in the host). Empty otherwise."""
    i = start
    while i > 0 and (text[i - 1] in _LINE_BREAKS or _ignored(text[i - 1])):
        i -= 1  # a line break after "＠" joins, as after "@" (``_joins``)
    if i == 0 or not _delimiter_form(text[i - 1]):
        return ""
    while (
        i > 0 and text[i - 1] not in _PROSE_PUNCTUATION and (text[i - 1] == "\t" or not text[i - 1].isspace())
    ):
        i -= 1
    return re.sub(r"[\t\n\r]", "", text[i:start])


_HOST_THEN_SLASH = re.compile(r"[A-Za-z0-9%\[\]\-_.:@]+[/\\]")


def _word_before(text: str, start: int) -> str:
    """The word written before ``start`` (a tab right before it is dropped, as WHATWG drops it) when it starts
    like a host and then ``/`` or ``\\``: a browser given the whole string (``user\\@kf.example.cn。kf…``,
    ``user\\@k<tab>f.example.cn``) opens that first host, not the link found after it, or refuses the whole
    (``user:pass\\@…``); either way the link found after it is not what opens. Empty otherwise, as prose:
    ``官网<tab>xingyunka.cn`` (a pasted table), ``客服/官网：xingyunka.cn``, ``…/，xingyunka.cn``."""
    end = start - 1 if start >= 2 and text[start - 1] == "\t" else start
    i = end
    while i > 0 and not text[i - 1].isspace() and text[i - 1] not in _PROSE_PUNCTUATION:
        i -= 1
    run = text[i:end]
    return run if _HOST_THEN_SLASH.match(run) else ""


def _clean(text: str, start: int, end: int, gaps: list[tuple[int, int]]) -> str:
    return "".join(ch for i, ch in enumerate(text[start:end], start) if not any(a <= i < b for a, b in gaps))


def _tail_end(text: str, i: int) -> int:
    """The path, query and fragment: up to white space, quotes or Chinese punctuation (Chinese text glued
    to a path stays in the path: it cannot change the host)."""
    while i < len(text):
        ch = text[i]
        if ch == "\t" and i + 1 < len(text) and not text[i + 1].isspace():
            i += 1  # WHATWG drops a tab; a line break still ends the line
            continue
        if ch.isspace() or ch in '<>"' or ch in _CJK_PUNCTUATION:
            break
        i += 1
    return i


def _read_link(text: str, start: int, body: int, scheme: str) -> _Token | None:
    """The link or e-mail token whose scheme (if any) starts at ``start`` and whose authority at ``body``."""
    if scheme == "mailto":
        end = _tail_end(text, body)
        return _Token(start, end, "email", _trim(text[start:end]))
    if scheme and scheme not in ("http", "https"):
        end = body
        while end < len(text) and text[end] not in "\n\r":
            end += 1  # javascript:, data:…: the rest of the line is code or content, none of it a host
        return _Token(start, end, "url", _trim(text[start:end].rstrip()))
    token = None
    for join_words in (True, False):
        token = _read_authority(text, start, body, scheme, join_words=join_words)
        if token is None or token[1] is None:
            return token[0] if token else None
        if token[1]:  # the joined reading ends in a real top-level domain
            return token[0]
    return token[0] if token else None


def _read_authority(
    text: str, start: int, body: int, scheme: str, *, join_words: bool
) -> tuple[_Token | None, bool | None] | None:
    """(token, None) when no word was joined across a line break; (token, joined host ends in a real TLD)
    otherwise."""
    end, gaps = _authority_end(text, body, join_words=join_words, bare=not scheme)
    at = text.rfind("@", body, end)
    userinfo = text[body:at] if at >= 0 else ""
    host_start = at + 1 if at >= 0 else body
    host_stop = host_start
    brackets = False
    while host_stop < end:
        ch = text[host_stop]
        if ch == "[":
            brackets = True
        elif ch == "]":
            brackets = False
        elif (ch == ":" and not brackets) or ch in _CJK_PUNCTUATION:
            break
        host_stop += 1
    cut = _host_end(text, host_start, host_stop)
    token_end = end
    if cut < host_stop or (host_stop < end and text[host_stop] in _CJK_PUNCTUATION):
        token_end = cut
    elif (
        scheme != "mailto"
        and (scheme or kind_is_url(userinfo, at))
        and token_end < len(text)
        and text[token_end] in _AUTHORITY_END
    ):
        token_end = _tail_end(text, token_end)
    kind = "url"
    # Scheme-less "name@host" is an e-mail address, and so is a source route "@relay:name@host";
    # "user:password@host" is a link with user info.
    if not scheme and not kind_is_url(userinfo, at):
        kind = "email"
        token_end = min(token_end, cut)
    cleaned = _clean(text, start, token_end, gaps)
    raw = _trim(cleaned)
    token_end -= len(cleaned) - len(raw)
    if not raw:
        return None
    token = _Token(start, token_end, kind, raw)
    word_joins = [
        (a, b) for a, b in gaps if a < token_end and a > 0 and text[a - 1].isalnum() and text[b].isalnum()
    ]
    if not word_joins:
        return token, None
    # Judge the join by the whole joined authority: its last label must be a real top-level domain.
    authority = re.split(r":\d*$", _clean(text, body, end, gaps).rstrip(_DOTS))[0].rstrip(_DOTS)
    return token, _is_tld(re.split(f"[{_DOTS}]", authority)[-1])


def kind_is_url(userinfo: str, at: int) -> bool:
    """Scheme-less, only "user:password@host" is a link with user info; anything else with "@" is an
    e-mail address (including source routes and quoted or doubled local parts)."""
    return at < 0 or (":" in userinfo and not set(userinfo) & set('@["'))


def _plausible(token: _Token, bare: bool) -> bool:
    """A scheme-less token is a link only when its host looks like a domain name (a letter, and a last label
    shaped like a top-level domain) or an IPv4 address in four parts, or an IPv6 literal."""
    if not bare:
        return True
    from contacts.canonical import browser_url, mail_address

    if token.kind == "email":
        return "." in mail_address(token.text).domain or bool(
            re.search(r"[.。｡．%!]", token.text.rpartition("@")[2])
        )
    address = browser_url(token.text)
    if address is None:
        authority = re.split(r"[/\\?#]", token.text, maxsplit=1)[0]
        host = authority.rpartition("@")[2]
        return bool(re.search(f"[{_DOTS}]", host)) and bool(re.search(r"[^\W\d_]", host))
    host = address.site
    if address.is_ip:
        return host.startswith("[") or bool(re.match(r"^\d{1,3}(?:[.。｡．]\d{1,3}){3}(?![\d.])", token.text))
    last = host.rsplit(".", 1)[-1]
    return "." in host and (bool(re.fullmatch(r"[a-z]{2,63}", last)) or _is_tld(last))


def _dialled(text: str, token: _Token) -> bool:
    """A dotted quad written after a country code ("+86 95.10.58.88") is a phone number, not an address."""
    return bool(
        re.fullmatch(r"\d{1,3}(?:[.。｡．]\d{1,3}){3}", token.text)
        and re.search(r"(?:[+＋]|00)\s*86[\s\-－]*$", text[: token.start])
    )


def links(text: str) -> list[_Token]:
    """The link and e-mail tokens of ``text`` (as pasted), in order."""
    out: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        match = _SCHEME.match(text, i)
        if match:
            scheme = re.sub(r"[\t\n\r]", "", match.group(0))[:-1].lower()
            body = match.end()
            if scheme in ("http", "https"):
                while body < n and text[body] in "/\\\t\n\r":
                    body += 1  # any number of slashes and backslashes: special schemes ignore them
            token = _read_link(text, i, body, scheme)
            if token is not None and token.end > i:
                out.append(token)
                i = token.end
                continue
        ch = text[i]
        previous = text[i - 1] if i else " "
        route = ch == "@" and _SOURCE_ROUTE.match(text, i) is not None
        # "kefu@evil.example/kf.example.cn": what follows a slash glued to the token before is that token's
        # path (a browser opens evil.example), never a link of its own.
        path = previous in "/\\" and bool(out) and out[-1].end == i - 1
        if route or (
            _START.match(ch)
            and not (_START.match(previous) and previous not in '"[')
            and previous not in "@.-_"
            and not path
        ):
            word = _WORD.match(text, i)
            linkish = word is not None and any(c in _LINK_MARKS for c in word.group(0))
            token = _read_link(text, i, i, "") if linkish else None
            if token is not None and _plausible(token, bare=True) and not _dialled(text, token):
                if token.kind == "url":
                    glued = _glued(text, i)
                    if glued:
                        token = _Token(token.start, token.end, token.kind, token.text, glued)
                out.append(token)
                i = max(token.end, i + 1)
                continue
            i += 1
            while i < n and _START.match(text[i]):
                i += 1
            continue
        i += 1
    return out


def extract(text: str) -> list[Found]:
    """Every item in ``text`` (as returned by ``normalise``), in the order they appear."""
    found: list[tuple[int, Found]] = []
    masked = list(text)
    for token in links(text):
        found.append((token.start, Found(token.kind, token.text, glued=token.glued)))
        masked[token.start : token.end] = " " * (token.end - token.start)
    # Everything else is read NFKC-normalised (full-width digits, brackets and colons fold); one character
    # at a time, so that positions map back to the pasted text for ordering.
    positions: list[int] = []
    pieces: list[str] = []
    for index, ch in enumerate(masked):
        folded = unicodedata.normalize("NFKC", ch)
        pieces.append(folded)
        positions.extend([index] * len(folded))
    work = "".join(pieces)
    for pattern, kind in ((_WECHAT, "wechat"), (_QQ, "qq")):
        for match in pattern.finditer(work):
            found.append((positions[match.start(1)], Found(kind, match.group(1))))
            work = work[: match.start(1)] + " " * (match.end(1) - match.start(1)) + work[match.end(1) :]
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
            found.append((positions[start], Found("phone", number, extension, ivr)))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def _digits(fragment: str) -> str:
    return "".join(ch for ch in fragment if ch.isdigit())


def _split_run(run: str, offset: int) -> list[tuple[int, str]]:
    """A run can hold several numbers separated by spaces ("400-612-3456 95105888"): split it into groups
    at whitespace and join neighbouring groups only while they make one plausible number."""
    from contacts.checker.numbers import phone_score

    # Groups end at white space and at brackets: "400-612-3456(9:00" is a number, then opening hours.
    groups = [(m.start(), m.group(0)) for m in re.finditer(r"\(?[^\s()]+\)?|[()]", run)]
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(groups):
        best: tuple[int, int, str] | None = None  # (score, groups taken, text)
        # A bracket after the digits opens a note (hours, an extension), never more of the number.
        last = next((k for k in range(i + 1, len(groups)) if groups[k][1].startswith("(")), len(groups))
        for j in range(min(last, i + 6), i, -1):
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
