"""The canonical spelling of the names people sign in with (no model imports: models use it too)."""

from __future__ import annotations

import unicodedata


def canonical_email(raw: str) -> str:
    """The one spelling of an e-mail address we store, look up and lock on: NFKC, then case-folded.

    NFKC folds compatibility characters (full-width letters, ``ſ`` for ``s``, the Kelvin sign) that a
    database's case-insensitive match would otherwise treat as the same address behind our back.
    """
    text = unicodedata.normalize("NFKC", (raw or "").strip())
    return unicodedata.normalize("NFKC", text.casefold())
