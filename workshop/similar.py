"""How alike two Vietnamese texts are, without any outside service: the one home of that rule,
used for duplicate questions from the floor and for recommendations raised again in a series.

Both texts are accent-folded (workshop/text.py `fold`), so a text typed without diacritics
matches the same text with them. Vietnamese writes one syllable per token and most words are
two syllables ("tài liệu", "cập nhật"), so a text is taken as its content syllables plus the
pairs of neighbouring ones: the syllables make the comparison blind to word order, the pairs
weigh a shared two-syllable word more than two syllables that happen to occur apart. Words too
common to tell two texts apart ("của", "và", "các", "những", "được", …) are left out. Among
questions, a feature weighs by how rare it is in the questions compared (`weights`).
"""
from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Generic, TypeVar

from .text import fold

_WORD = re.compile(r"\w+")
# Words too common in these texts (questions, lessons, recommendations) to tell two apart:
# function words, and the formulas every question or proposal opens with. They are matched
# with their marks: folded, "tại" would take "tài" (tài liệu) with it, "cần" "cán" (cán bộ),
# "từ" "tư" (tư vấn).
STOP_WORDS = frozenset(unicodedata.normalize("NFC", word) for word in (
    "các", "của", "và", "cho", "trong", "với", "được", "để", "tại", "theo", "cần", "có", "là",
    "những", "việc", "đã", "đề", "nghị", "cơ", "quan", "thì", "mà", "này", "đó", "khi", "về",
    "như", "nào", "hay", "không", "xin", "hỏi", "biết", "ra", "sao", "gì", "bị", "một", "nên",
    "vì", "từ", "đến", "hoặc", "thế", "ở", "sẽ", "đang", "rồi", "cũng", "còn", "ạ"))
# The same words typed without marks, when they seldom mean anything else bare ("cua" is
# "của", while "tai" may be "tài" and "quan" "quản").
BARE_STOP_WORDS = frozenset(fold(word) for word in (
    "các", "của", "và", "cho", "trong", "với", "được", "theo", "có", "là", "những", "việc",
    "đã", "nghị", "này", "nào", "khi", "về", "như", "hay", "không", "xin", "biết", "ra", "sao",
    "gì", "một", "hoặc", "đến", "sẽ", "rồi", "ạ"))

# A suggested duplicate question: at least this much alike (see README, "Duplicate questions",
# for how it was chosen on the demo's questions).
QUESTION_THRESHOLD = 0.36
# How many similar questions a page shows at most.
SUGGESTIONS = 3


def _common(word: str) -> bool:
    return word in STOP_WORDS or word in BARE_STOP_WORDS


def words(text: str) -> list[str]:
    """The content syllables of `text`, folded, in order."""
    found = _WORD.findall(unicodedata.normalize("NFC", (text or "").lower()))
    return [folded for folded in (fold(word) for word in found if not _common(word))
            if len(folded) > 1]


def features(text: str) -> frozenset[str]:
    """The syllables of `text` and the pairs of neighbouring ones ("tai lieu")."""
    found = words(text)
    return frozenset(found) | frozenset(f"{one} {two}" for one, two in itertools.pairwise(found))


def jaccard(one: str, other: str) -> float:
    """Shared content syllables over all of them, 0 to 1 (word order ignored)."""
    mine, theirs = set(words(one)), set(words(other))
    return len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0


def letters(one: str, other: str) -> float:
    """How alike the folded letters are as sequences, 0 to 1 (a word retyped or changed)."""
    return SequenceMatcher(None, fold(one), fold(other), autojunk=False).ratio()


def weights(texts: Iterable[frozenset[str]]) -> Callable[[str], float]:
    """How much each feature tells, from the texts compared (smoothed inverse document
    frequency): in a session on ISO, "iso" and "chat luong" are in every question and weigh
    little; a word that only two questions share weighs much."""
    sets = list(texts)
    seen = Counter(feature for found in sets for feature in found)
    count = len(sets)
    return lambda feature: math.log((1 + count) / (1 + seen[feature])) + 1


def question_score(one: frozenset[str], other: frozenset[str],
                   weight: Callable[[str], float] = lambda feature: 1.0) -> float:
    """How alike two questions' features are, 0 to 1: the mean of (weighted) Dice, shared
    over both, and overlap, shared over the smaller. Dice alone misses a short question asking
    again what a long one asked; overlap alone takes a few words as a duplicate of every long
    question that uses them."""
    return _score(sum(map(weight, one & other)), sum(map(weight, one)), sum(map(weight, other)))


def _score(shared: float, mine: float, theirs: float) -> float:
    if not mine or not theirs:
        return 0.0
    return (2 * shared / (mine + theirs) + shared / min(mine, theirs)) / 2


T = TypeVar("T")


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    score: float


def most_alike(text: str, candidates: Iterable[T], text_of: Callable[[T], str], *,
               threshold: float = QUESTION_THRESHOLD, limit: int = SUGGESTIONS) -> list[Match[T]]:
    """The candidates most like `text` (`text_of(candidate)` gives each one's text), most alike
    first, at least `threshold` alike, at most `limit`."""
    mine = features(text)
    if not mine:
        return []
    found = [(candidate, features(text_of(candidate))) for candidate in candidates]
    weight = weights([mine, *(theirs for _, theirs in found)])
    scored = [Match(candidate, round(question_score(mine, theirs, weight), 3))
              for candidate, theirs in found]
    return sorted((m for m in scored if m.score >= threshold), key=lambda m: -m.score)[:limit]


def alike_pairs(texts: Sequence[str], *, threshold: float = QUESTION_THRESHOLD
                ) -> dict[int, list[tuple[int, float]]]:
    """For each text (by index), the other texts at least `threshold` alike, most alike first.
    A console polls this for every question of a session against every other: each text's
    features and weight are worked out once, a pair costs one intersection."""
    found = [features(text) for text in texts]
    weight = weights(found)
    weighed = [{feature: weight(feature) for feature in one} for one in found]
    totals = [sum(one.values()) for one in weighed]
    pairs: dict[int, list[tuple[int, float]]] = {index: [] for index in range(len(texts))}
    for one in range(len(found)):
        mine, mine_weight = found[one], weighed[one]
        for other in range(one + 1, len(found)):
            shared = sum(mine_weight[feature] for feature in mine & found[other])
            score = round(_score(shared, totals[one], totals[other]), 3)
            if score >= threshold:
                pairs[one].append((other, score))
                pairs[other].append((one, score))
    for alike in pairs.values():
        alike.sort(key=lambda pair: -pair[1])
    return pairs
