"""Words for search: jieba segmentation (its dictionary loaded once per process, on first use), pinyin,
and the synonym table that maps how frightened users say it to problem types and keywords."""

from __future__ import annotations

import itertools
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin

_LOCK = threading.Lock()
_TOKENIZER: Any = None
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_KEEP = re.compile(r"^[a-z0-9\u3400-\u4dbf\u4e00-\u9fff]+$")
MAX_QUERY_CHARS = 200

STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "你",
        "他",
        "她",
        "它",
        "在",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "哦",
        "就",
        "也",
        "都",
        "和",
        "与",
        "或",
        "这",
        "那",
        "有",
        "被",
        "把",
        "给",
        "让",
        "着",
        "过",
        "很",
        "还",
        "又",
        "怎么办",
        "怎么",
        "什么",
        "为什么",
        "如何",
        "请问",
        "一下",
        "一个",
        "可以",
        "能",
        "会",
        "要",
        "想",
        "该",
        "您",
        "我们",
        "你们",
        "a",
        "an",
        "the",
        "to",
        "of",
        "and",
        "or",
        "in",
        "on",
        "for",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "my",
        "i",
        "me",
        "it",
        "its",
        "this",
        "that",
        "with",
        "at",
        "by",
        "do",
        "does",
        "did",
        "how",
        "what",
        "why",
        "can",
        "could",
        "should",
        "will",
        "would",
        "not",
        "no",
        "you",
        "your",
        "our",
        "we",
        "they",
        "from",
        "as",
        "if",
    ]
)
# Words jieba must keep whole: the platform world's vocabulary.
DOMAIN_WORDS = (
    "卡密",
    "到账",
    "没到账",
    "未到账",
    "充值",
    "盗号",
    "被盗",
    "冻结",
    "解冻",
    "封号",
    "跑路",
    "发货",
    "重复扣款",
    "扣款",
    "退款",
    "会员",
    "权益",
    "客服",
    "热线",
    "官方",
    "订单号",
    "卡盟",
    "盗刷",
    "诈骗",
    "假客服",
    "申诉",
)


@dataclass(frozen=True)
class Synonym:
    phrases: tuple[str, ...]
    problem_type: str
    keywords: tuple[str, ...] = ()


# How users say it → the problem type it means (and words the articles use). Phrases are matched on the
# query without spaces, and again by pinyin so a homophone typo (冲值没到帐) still matches.
SYNONYMS: tuple[Synonym, ...] = (
    Synonym(
        (
            "钱扣了没到账",
            "扣了钱没到账",
            "扣钱了没到账",
            "扣款了没到账",
            "充值没到账",
            "充值未到账",
            "充值不到账",
            "充了没到账",
            "充了没反应",
            "充值失败",
            "余额没变",
            "钱没到",
            "没到账",
            "没有到账",
            "未到账",
            "top up not received",
            "top-up not credited",
            "topup missing",
            "recharge failed",
            "money not arrived",
            "balance not updated",
            "paid but nothing",
        ),
        "topup-not-credited",
        ("充值", "到账", "top", "credited"),
    ),
    Synonym(
        (
            "卡密用不了",
            "卡密不能用",
            "卡密无效",
            "卡密错误",
            "卡密已被使用",
            "卡密被用了",
            "卡密显示已使用",
            "卡号用不了",
            "兑换失败",
            "兑换不了",
            "激活码用不了",
            "code does not work",
            "code doesn't work",
            "code not working",
            "invalid code",
            "code already used",
            "redeem failed",
        ),
        "card-code-invalid",
        ("卡密", "无效", "code", "invalid"),
    ),
    Synonym(
        (
            "号被盗了",
            "号被盗",
            "账号被盗",
            "帐号被盗",
            "被盗号",
            "盗号",
            "号没了",
            "密码被改了",
            "密码被改",
            "登不上去",
            "账号被别人登录",
            "account hacked",
            "hacked",
            "stolen account",
            "account stolen",
            "password changed",
        ),
        "account-stolen",
        ("被盗", "账号", "stolen", "account"),
    ),
    Synonym(
        (
            "账号被冻结",
            "号被冻结",
            "号被封",
            "被封号",
            "封号",
            "冻结",
            "账号被锁",
            "account frozen",
            "frozen",
            "banned",
            "account locked",
        ),
        "account-frozen",
        ("冻结", "解冻", "frozen"),
    ),
    Synonym(
        (
            "被骗了",
            "被骗",
            "诈骗",
            "盗刷",
            "骗子",
            "假客服",
            "不是我买的",
            "不是我充的",
            "scam",
            "scammed",
            "fraud",
            "unauthorised charge",
            "unauthorized charge",
        ),
        "fraud",
        ("诈骗", "盗刷", "fraud", "scam"),
    ),
    Synonym(
        (
            "商家跑路",
            "卖家跑路",
            "跑路了",
            "不发货",
            "没发货",
            "一直不发货",
            "商家联系不上",
            "not delivered",
            "never delivered",
            "seller disappeared",
            "merchant vanished",
        ),
        "merchant-vanished",
        ("跑路", "发货", "merchant", "delivered"),
    ),
    Synonym(
        (
            "扣了两次",
            "扣两次钱",
            "扣了两笔",
            "重复扣款",
            "多扣了钱",
            "多扣钱",
            "重复扣费",
            "charged twice",
            "double charge",
            "double charged",
            "duplicate charge",
        ),
        "duplicate-charge",
        ("重复扣款", "扣款", "duplicate", "charge"),
    ),
    Synonym(
        (
            "会员没生效",
            "会员没到账",
            "会员不生效",
            "会员权益",
            "vip没生效",
            "vip没到",
            "特权没有",
            "membership not applied",
            "membership",
            "vip not working",
        ),
        "membership-benefit",
        ("会员", "权益", "membership"),
    ),
    Synonym(
        (
            "退款",
            "要退款",
            "退钱",
            "不给退款",
            "交易纠纷",
            "商家不认账",
            "refund",
            "dispute",
            "money back",
        ),
        "trade-dispute",
        ("退款", "纠纷", "refund", "dispute"),
    ),
    Synonym(
        (
            "怎么用",
            "怎么使用",
            "使用方法",
            "怎么兑换",
            "教程",
            "how to use",
            "how do i",
            "instructions",
        ),
        "how-to",
        ("使用", "how"),
    ),
)


def _tokenizer() -> Any:
    """jieba's dictionary takes about a second to load: once per process, on the first search."""
    global _TOKENIZER
    if _TOKENIZER is None:
        with _LOCK:
            if _TOKENIZER is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in DOMAIN_WORDS:
                    tokenizer.add_word(word, freq=20000)
                for synonym in SYNONYMS:
                    for phrase in synonym.phrases:
                        if _CJK.search(phrase) and " " not in phrase:
                            tokenizer.add_word(phrase, freq=2000)
                _TOKENIZER = tokenizer
    return _TOKENIZER


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


@lru_cache(maxsize=4096)
def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


def _stem(word: str) -> str:
    """A light English stem so "refunds" finds "refund" and "credited" finds "credit"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Segmented words of ``text`` (both languages), without stop words or punctuation."""
    text = normalise(text)
    out: list[str] = []
    raw = _tokenizer().cut_for_search(text) if _CJK.search(text) else _LATIN_WORD.findall(text)
    for word in raw:
        word = word.strip()
        if not word or word in STOPWORDS or not _KEEP.match(word):
            continue
        if not _CJK.search(word):
            if len(word) < 2 and not word.isdigit():
                continue
            word = _stem(word)
        out.append(word)
    return out


def problem_type_marker(slug: str) -> str:
    return "pt" + re.sub(r"[^a-z0-9]", "", slug.lower())


def document_tokens(text: str) -> list[str]:
    """What a search document stores: the words, plus the pinyin of each Chinese word."""
    tokens = words(text)
    extra = [pinyin(t) for t in tokens if _CJK.search(t) and len(t) > 1]
    return tokens + extra


@dataclass(frozen=True)
class Query:
    text: str
    terms: dict[str, float]  # term → weight
    intents: tuple[str, ...]  # problem type slugs the wording points to, strongest first


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def synonym_intents(text: str) -> list[tuple[Synonym, float]]:
    """Which synonyms the text says, by phrase or by the phrase's pinyin (homophone typos)."""
    compact = _compact(text)
    spaced = " " + re.sub(r"[^a-z0-9]+", " ", text) + " "
    compact_pinyin = pinyin(compact) if _CJK.search(compact) else ""
    found: dict[str, tuple[Synonym, float]] = {}
    for synonym in SYNONYMS:
        best = 0.0
        for phrase in synonym.phrases:
            if _CJK.search(phrase):
                if phrase in compact:
                    best = max(best, 1.0 + len(phrase) / 10)
                elif compact_pinyin and len(phrase) >= 2 and pinyin(phrase) in compact_pinyin:
                    best = max(best, 0.8 + len(phrase) / 10)
            elif " " + phrase.replace("-", " ") + " " in spaced:
                best = max(best, 1.0 + len(phrase) / 30)
        if best and (synonym.problem_type not in found or found[synonym.problem_type][1] < best):
            found[synonym.problem_type] = (synonym, best)
    return sorted(found.values(), key=lambda item: -item[1])


def parse_query(raw: str) -> Query:
    text = normalise(raw)[:MAX_QUERY_CHARS]
    terms: dict[str, float] = {}
    for word in words(text):
        terms[word] = max(terms.get(word, 0.0), 1.0)
        if _CJK.search(word) and len(word) > 1:
            terms.setdefault(pinyin(word), 0.6)
    # Homophone typos: the pinyin of every 2- and 3-character window of a Chinese run ("冲值" → chongzhi).
    for run in _CJK_RUN.findall(text):
        for size in (2, 3):
            for start in range(len(run) - size + 1):
                terms.setdefault(pinyin(run[start : start + size]), 0.5)
    # Pinyin typed with spaces ("chong zhi"): adjacent Latin words joined.
    latin = _LATIN_WORD.findall(text)
    for first, second in itertools.pairwise(latin):
        terms.setdefault(first + second, 0.5)
    intents = synonym_intents(text)
    for synonym, strength in intents:
        for keyword in synonym.keywords:
            key = keyword if _CJK.search(keyword) else _stem(keyword)
            terms[key] = max(terms.get(key, 0.0), 0.7 * min(strength, 1.5))
    return Query(text=text, terms=terms, intents=tuple(s.problem_type for s, _w in intents))


# --- Typo tolerance for Latin words (English, pinyin) ----------------------------------------------------
_VOCABULARY_KEY = "helpcentre:vocabulary-generation"
_vocabulary: dict[str, tuple[int, frozenset[str]]] = {}


def vocabulary_changed() -> None:
    """Called after a publish or archive: every process re-reads the vocabulary on its next search."""
    from django.core.cache import cache

    try:
        cache.incr(_VOCABULARY_KEY)
    except ValueError:
        cache.set(_VOCABULARY_KEY, 1, None)


def _generation() -> int:
    from django.core.cache import cache

    return int(cache.get(_VOCABULARY_KEY) or 0)


def latin_vocabulary(language: str) -> frozenset[str]:
    """Latin words of the published documents and the synonym table, cached per process and generation."""
    generation = _generation()
    cached = _vocabulary.get(language)
    if cached is not None and cached[0] == generation:
        return cached[1]
    from helpcentre.models import SearchDocument

    words_seen: set[str] = set()
    for synonym in SYNONYMS:
        for phrase in synonym.phrases:
            words_seen.update(_stem(w) for w in _LATIN_WORD.findall(phrase) if len(w) > 3)
    for tokens in (
        SearchDocument.objects.filter(language=language).values_list("tokens", flat=True).iterator()
    ):
        words_seen.update(t for t in tokens.split() if t.isascii() and len(t) > 3 and not t.startswith("pt"))
    vocabulary = frozenset(words_seen)
    _vocabulary[language] = (generation, vocabulary)
    return vocabulary


def corrected(query: Query, language: str) -> Query:
    """Latin words nobody wrote ("refnud", "chongzi") are replaced by their nearest known words."""
    import difflib

    vocabulary = latin_vocabulary(language)
    terms = dict(query.terms)
    for term, weight in query.terms.items():
        if weight < 1.0 or not term.isascii() or len(term) < 4 or term in vocabulary or term.isdigit():
            continue
        for match in difflib.get_close_matches(term, vocabulary, n=2, cutoff=0.75):
            terms[match] = max(terms.get(match, 0.0), 0.8 * weight)
    return Query(text=query.text, terms=terms, intents=query.intents)
