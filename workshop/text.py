"""Vietnamese-aware text helpers shared by search in every feature."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case text without Vietnamese accents, so that "pho yen" matches "Phổ Yên".

    NFD splits a letter from its tone and vowel marks; "đ" has no decomposition and is
    mapped by hand.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def search_pattern(query: str) -> str:
    """A LIKE pattern for a folded column; `%` and `_` typed by the user match themselves."""
    escaped = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
