"""The long lists of the summary page, its questions and its remarks, written here as HTML.

A workshop leaves thousands of them (the bench compiles 2,000 questions and 5,000 feedback
items): in the template, every row's attribute lookups, escapes and concatenations of Markup
cost more than the rest of the page together. Here a row is one f-string; every value from the
database goes through `_escape`, which replaces exactly what Jinja's autoescape replaces, and
the phrases repeated on every row are translated once per page, not once per row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from ..feedback.services import Remark
from ..models import CATEGORY_LABELS
from ..timeutil import local_datetime
from .services import QuestionLine, Summary


def _escape(value: object) -> str:
    """`value` as HTML text, as markupsafe escapes it (&, <, >, " and ')."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


@dataclass(frozen=True)
class _Phrases:
    """The words of every row, in the page's language."""

    anonymous: str
    unanswered: str
    no_agency: str
    votes: str
    assigned: str
    rating: str
    sources: dict[str, str]
    repeated: str

    @classmethod
    def translated(cls) -> _Phrases:
        return cls(
            anonymous=_("Ẩn danh"), unanswered=_("Chưa trả lời"), no_agency=_("Không rõ cơ quan"),
            votes=_("%(n)d bình chọn"), assigned=_("Giao: %(name)s"), rating=_("%(n)s/5 điểm"),
            sources={"contribution": _("Báo cáo tham luận"), "feedback": _("Góp ý tại hội thảo")},
            repeated=_("Đã nêu tại kỳ trước"))


def _line(lines: dict, key: tuple, parts: Callable[[], list]) -> str:
    """The parts that are given, escaped and joined by " · ": the line under a row (who, which
    session, votes or rating), written once per page for each `key`, the values it is made
    of. Thousands of rows come from a few dozen agencies and askers."""
    line = lines.get(key)
    if line is None:
        line = lines[key] = " · ".join([_escape(part) for part in parts() if part])
    return line


def _question(question: QuestionLine, words: _Phrases, lines: dict) -> str:
    asker, agency, votes, assigned_to = key = (question.asker, question.agency, question.votes,
                                               question.assigned_to)
    about = _line(lines, key, lambda: [
        asker or words.anonymous, agency, words.votes % {"n": votes},
        assigned_to and words.assigned % {"name": assigned_to}])
    if question.answer:
        answered = _escape(question.answered_by or "")
        if question.answered_at:
            answered += f" · {_escape(local_datetime(question.answered_at))}"
        outcome = (f'<div class="answer">\n<p class="pre-line">{_escape(question.answer)}</p>\n'
                   f'<small class="muted">{answered}</small>\n</div>')
    else:
        outcome = f'<p class="unanswered">{_escape(words.unanswered)}</p>'
    return (f'<li>\n<p class="question-text pre-line">{_escape(question.text)}</p>\n'
            f'<small class="muted">{about}</small>\n{outcome}\n</li>\n')


def _remark(remark: Remark, words: _Phrases, repeated: frozenset[str], lines: dict) -> str:
    agency, session, rating, source = key = (remark.agency, remark.session_title, remark.rating,
                                             remark.source)
    about = _line(lines, key, lambda: [
        agency or words.no_agency, session, rating and words.rating % {"n": rating},
        words.sources[source]])
    tag = (f'\n<span class="tag repeated">{_escape(words.repeated)}</span>'
           if remark.text in repeated else "")
    return (f'<li>\n<p class="pre-line">{_escape(remark.text)}</p>{tag}\n'
            f'<small class="muted">{about}</small>\n</li>\n')


@dataclass(frozen=True)
class RemarkGroup:
    """One agency kind's remarks in one category, its rows written."""

    kind: str
    label: str
    rows: Markup


@dataclass(frozen=True)
class Rows:
    """The rows of the page's lists: each session's questions (by session id) and each
    category's remarks by agency kind, kinds in directory order (by category)."""

    questions: dict[int, Markup]
    remarks: dict[str, list[RemarkGroup]]


def rows(summary: Summary, repeated: frozenset[str] = frozenset()) -> Rows:
    """The rows of `summary`'s page; the remarks in `repeated` are marked as raised again from
    the previous edition of the series."""
    words = _Phrases.translated()
    question_lines: dict = {}  # see _line
    remark_lines: dict = {}
    # Every value is escaped above, the markup around it is this module's own.
    questions = {session.id: Markup("".join(  # nosec B704
        [_question(question, words, question_lines) for question in session.questions]))
        for session in summary.sessions}
    remarks = {category: [RemarkGroup(kind, label, Markup("".join(  # nosec B704
        [_remark(remark, words, repeated, remark_lines) for remark in items])))
        for kind, label, items in summary.feedback_groups(category)]
        for category in CATEGORY_LABELS}
    return Rows(questions, remarks)
