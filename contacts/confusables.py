"""A small bundled confusables map (after Unicode TR 39), enough to see through look-alike domains.

``skeleton("хingyunka")`` (Cyrillic х) and ``skeleton("xingyunka")`` are equal; so are ``rn``/``m`` and
``0``/``o`` spellings. Only letters that scammers actually use in domain names are listed: Cyrillic and
Greek look-alikes of Latin letters, digits that pass for letters, and Latin letters with marks.
"""

from __future__ import annotations

import unicodedata

_SINGLE = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t",
    "у": "y", "ԝ": "w", "х": "x", "ү": "y", "ь": "b", "п": "n",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    # Digits and Latin letters that pass for others
    "0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "ı": "l", "ɡ": "g", "ǀ": "l",
}  # fmt: skip
_MULTI = (("rn", "m"), ("vv", "w"), ("cl", "d"))


def skeleton(text: str) -> str:
    """A comparison form: marks stripped, look-alike letters folded onto one Latin letter."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = "".join(_SINGLE.get(_SINGLE.get(ch, ch), _SINGLE.get(ch, ch)) for ch in base)
    for pair, single in _MULTI:
        folded = folded.replace(pair, single)
    return folded


def has_confusable(text: str) -> bool:
    """Letters outside ASCII that fold onto ASCII ones: the mark of a homoglyph domain."""
    return any(ord(ch) > 127 and ch in _SINGLE for ch in text.lower()) or any(
        unicodedata.combining(ch) for ch in unicodedata.normalize("NFKD", text)
    )
