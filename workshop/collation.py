"""Vietnamese alphabetical order, in one place: every sorted list of people or agencies (the
exports, the directory, the invitations, the check-in search, the sign-in sheet) sorts with
`vietnamese_key`.

The order is the one of CLDR's Vietnamese collation (common/collation/vi.xml, as ICU ships it:
"&̀<<̉<<̃<<́<<̣ &a<ă<â &d<đ &e<ê &o<ô<ơ &u<ư"), which is also the order of the Vietnamese
dictionaries (Hoàng Phê, Từ điển tiếng Việt):

- letters first: a < ă < â < b < c < d < đ < e < ê < g < h < i < k < l < m < n < o < ô < ơ < p < q
  < r < s < t < u < ư < v < x < y (f, j, w, z of foreign words in their Latin places), without
  regard to case;
- then the tone, as a second level: no tone (ngang) < huyền < hỏi < ngã < sắc < nặng;
- syllable by syllable, as a dictionary lists "ba", "ba ba", "bà", "bà con": each word is compared
  by its letters, then its tone, before the next word is looked at.

PyICU would give the same letters but needs a compiled ICU library on every server and in CI;
this small key needs nothing and orders the names an office writes (agencies, people) the way
its clerks do. Punctuation and symbols are not compared (as ICU's "alternate shifted"), except
to break a final tie, so the order is total and stable.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from .models.organizations import ORGANIZATION_KINDS

if TYPE_CHECKING:
    from .models import Invitation, Organization

# Marks that make another letter of the alphabet (NFD splits them from their base letter).
BREVE, CIRCUMFLEX, HORN = "\u0306", "\u0302", "\u031b"
# The five tone marks, in dictionary order; no mark (thanh ngang) comes before all of them.
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

ALPHABET = ("a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
            "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z")
# Digits sort before letters; each letter's rank follows them.
_RANK = {letter: 10 + position for position, letter in enumerate(ALPHABET)}
_RANK.update({str(digit): digit for digit in range(10)})
# A letter with its vowel mark, written as its base letter and the combining mark.
_MARKED = {("a", BREVE): "ă", ("a", CIRCUMFLEX): "â", ("e", CIRCUMFLEX): "ê",
           ("o", CIRCUMFLEX): "ô", ("o", HORN): "ơ", ("u", HORN): "ư"}
# The Icelandic eth, which looks like "đ" and turns up in old files typed for it.
_D_WITH_STROKE = {"ð": "đ"}
# Letters outside the alphabet and digits (ß, ø, other scripts) come after "z", by code point.
_OTHER = 10 + len(ALPHABET)


def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """(letters, tones) of one word, or None when it has no letter or digit."""
    letters: list[int] = []
    tones: list[int] = []
    characters = unicodedata.normalize("NFD", word.lower())
    index = 0
    while index < len(characters):
        character = _D_WITH_STROKE.get(characters[index], characters[index])
        index += 1
        if unicodedata.combining(character):
            if character in TONES:
                tones.append(TONES[character])
            continue  # a mark on a letter outside the alphabet (é is e with sắc, above)
        if not character.isalnum():
            continue  # punctuation and symbols are not compared
        while index < len(characters) and unicodedata.combining(characters[index]):
            mark = characters[index]
            if (character, mark) in _MARKED:
                character = _MARKED[(character, mark)]
            elif mark in TONES:
                tones.append(TONES[mark])
            index += 1
        rank = _RANK.get(character)
        letters.append(rank if rank is not None else _OTHER + ord(character))
    if not letters:
        return None
    return tuple(letters), tuple(tones) or (0,)


def vietnamese_key(text: str | None) -> tuple:
    """A sort key putting `text` in Vietnamese alphabetical order: "Anh" < "Ấp" < "Âu" <
    "Dũng" < "Đông", "Sở Kế hoạch" < "Sở Khoa học", "UBND huyện Đại Từ" < "UBND huyện Võ
    Nhai". Empty text sorts first; texts that differ only by case or punctuation are ordered by
    their code points, so that the order never depends on the order of the input."""
    text = text or ""
    words = tuple(key for word in text.split() if (key := _word_key(word)) is not None)
    return words, text


# --- the orders of the lists built on it ------------------------------------------------------


def agency_key(organization: Organization | None) -> tuple:
    """Directory order: by kind (ORGANIZATION_KINDS), then by name; no agency comes last, with
    the kind "other"."""
    if organization is None:
        return len(ORGANIZATION_KINDS) - 1, 1, vietnamese_key("")
    kind = organization.kind
    rank = ORGANIZATION_KINDS.index(kind) if kind in ORGANIZATION_KINDS else len(ORGANIZATION_KINDS)
    return rank, 0, vietnamese_key(organization.name)


def invitation_key(invitation: Invitation, *, attendee: bool = False) -> tuple:
    """Invitations in directory order of their agency, then by person (`attendee`: the one
    expected at the door, the deputy when one was sent); walk-ins last."""
    person = invitation.attendee_name if attendee else invitation.name
    return bool(invitation.walk_in), agency_key(invitation.organization), vietnamese_key(person)
