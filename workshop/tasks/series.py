"""A series of editions: a workshop that follows an earlier one (`previous_code`) opens with
the earlier edition's tasks and their states, and its lessons and recommendations stand beside
the earlier ones, those raised again marked.

"Raised again" is decided with workshop/similar.py, without any outside service: both texts
accent-folded, their words compared as sets (Jaccard) and their letters as sequences; either
measure above its threshold marks the pair.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Workshop
from ..similar import jaccard, letters
from .services import counts, tasks_of

# Categories whose repetition matters: a lesson or a recommendation made again means it was
# not acted on.
SERIES_CATEGORIES = ("lesson", "recommendation")
WORDS_THRESHOLD = 0.5
LETTERS_THRESHOLD = 0.75


def previous_of(workshop: Workshop) -> Workshop | None:
    if not workshop.previous_code:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.code == workshop.previous_code))


def previous_data(workshop: Workshop) -> dict | None:
    """CONTRACT.md "Series": `{code, tasks: {open, reported, done, overdue}}` of the edition
    this one follows; None when it follows none."""
    earlier = previous_of(workshop)
    if earlier is None:
        return None
    return {"code": earlier.code, "title": earlier.title, "tasks": counts(tasks_of(earlier))}


def _measures(one: str, other: str) -> tuple[float, float]:
    """(shared words / all words, letters alike) of two accent-folded texts, each 0 to 1."""
    return jaccard(one, other), letters(one, other)


def raised_again(one: str, other: str) -> bool:
    """Whether `one` says again what `other` said: enough words in common, or nearly the same
    letters (a text retyped with or without accents, a word changed)."""
    words_alike, letters_alike = _measures(one, other)
    return words_alike >= WORDS_THRESHOLD or letters_alike >= LETTERS_THRESHOLD


def similarity(one: str, other: str) -> float:
    return max(_measures(one, other))


@dataclass(frozen=True)
class Repeat:
    category: str
    text: str  # this edition's
    earlier: str  # the previous edition's, the most alike
    agency: str | None


def repeats(workshop: Workshop) -> list[Repeat]:
    """This edition's lessons and recommendations raised again from the previous edition."""
    from ..feedback.services import remarks

    earlier = previous_of(workshop)
    if earlier is None:
        return []
    before = [remark for remark in remarks(earlier) if remark.category in SERIES_CATEGORIES]
    found = []
    for remark in remarks(workshop):
        if remark.category not in SERIES_CATEGORIES:
            continue
        alike = [old for old in before
                 if old.category == remark.category and raised_again(remark.text, old.text)]
        if alike:
            best = max(alike, key=lambda old: similarity(remark.text, old.text))
            found.append(Repeat(remark.category, remark.text, best.text, remark.agency))
    return found


def earlier_remarks(workshop: Workshop) -> dict[str, list[str]]:
    """The previous edition's lessons and recommendations, to stand beside this edition's."""
    from ..feedback.services import remarks

    earlier = previous_of(workshop)
    grouped: dict[str, list[str]] = {category: [] for category in SERIES_CATEGORIES}
    if earlier is not None:
        for remark in remarks(earlier):
            if remark.category in grouped:
                grouped[remark.category].append(remark.text)
    return grouped


@dataclass(frozen=True)
class SeriesView:
    """What the dashboard and the summary page of a later edition open with."""

    previous: Workshop
    counts: dict[str, int]
    tasks: list  # the previous edition's tasks, by agency
    repeats: list[Repeat]
    earlier: dict[str, list[str]]

    @property
    def repeated_texts(self) -> set[str]:
        return {repeat.text for repeat in self.repeats}


def series_view(workshop: Workshop) -> SeriesView | None:
    earlier = previous_of(workshop)
    if earlier is None:
        return None
    tasks = tasks_of(earlier)
    return SeriesView(earlier, counts(tasks), tasks, repeats(workshop), earlier_remarks(workshop))


def series_context(workshop: Workshop) -> dict:
    """The template values of templates/tasks/_previous.html."""
    from ..models import CATEGORY_LABELS, TASK_STATUS_LABELS
    from .services import today

    return {"series": series_view(workshop), "task_labels": TASK_STATUS_LABELS,
            "series_categories": CATEGORY_LABELS, "today": today()}
