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


# --- what a text field may hold (CONTRACT.md "Text input") ------------------------------------

# C0 control characters. Multi-line text (a question, an answer, feedback) keeps tab and line
# breaks; a single-line one (a name, a title) keeps none of them.
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_SINGLE_LINE = re.compile("[\x00-\x1f]")
# Characters a spreadsheet or a Word file cannot hold (XML 1.0): taken out when writing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Letters that draw nothing although Unicode does not call them spaces or format characters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a C0 control character (tab and line breaks allowed if multiline)."""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL_SINGLE_LINE).search(value))


def is_blank(value: str) -> bool:
    """Whether `value` draws nothing: only spaces (NBSP included) and invisible characters
    (zero-width space, ZWNJ/ZWJ, word joiner, BOM, …)."""
    return all(ch.isspace() or ch in _BLANK_LETTERS
               or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") for ch in value)


def text_problem(value: str, *, multiline: bool = False, label: str | None = None) -> str | None:
    """Why `value` cannot be stored as user text, in the user's language, else None. An empty
    text is no problem here: whether a field is required is the form's rule."""
    from flask_babel import gettext as _

    if has_control(value, multiline=multiline):
        if not multiline and ("\n" in value or "\r" in value):
            return (_("“%(field)s” phải viết trên một dòng (không xuống dòng).", field=label)
                    if label else _("Phải viết trên một dòng (không xuống dòng)."))
        return (_("“%(field)s” có ký tự điều khiển không hợp lệ; vui lòng gõ lại.", field=label)
                if label else _("Có ký tự điều khiển không hợp lệ; vui lòng gõ lại."))
    if value and is_blank(value):
        return (_("“%(field)s” chỉ có khoảng trắng hoặc ký tự vô hình.", field=label)
                if label else _("Chỉ có khoảng trắng hoặc ký tự vô hình."))
    return None


def writable(value: str) -> str:
    """`value` without the characters that an XLSX or DOCX file cannot hold."""
    return _NOT_XML.sub("", value)
