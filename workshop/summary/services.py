"""The summary of a workshop, compiled in one place that the page, the API, the DOCX, the XLSX and
the attendees' published view all read; and the chair's conclusions, every save a new version.

Compiling runs a fixed number of grouped queries whatever the size of the workshop (no query per
question or feedback item): the bench compiles 1,000 invitations, 2,000 questions and 5,000
feedback items.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..attendance import Attendance, Counts, attendance, invited_agencies
from ..extensions import db
from ..feedback.services import (
    Rating,
    Remark,
    by_category,
    counts_by_kind,
    list_contributions,
    ratings,
    remarks,
)
from ..models import (
    KIND_LABELS,
    ORGANIZATION_KINDS,
    Invitation,
    Organization,
    Question,
    SummaryVersion,
    User,
    Workshop,
)
from ..refusals import Refusal
from ..tasks.series import previous_data
from ..timeutil import as_local, isoformat

if TYPE_CHECKING:
    from ..invitations.page import PageWorkshop

MAX_CONCLUSIONS_LENGTH = 50000
MAX_REPORT_NUMBER_LENGTH = 40


class QuestionLine(NamedTuple):
    """A visible question as the report shows it; the asker stays unnamed when anonymous. A
    named tuple, as feedback.services.Remark, for the thousands a summary makes."""

    id: int
    text: str
    votes: int
    asker: str | None
    agency: str | None
    assigned_to: str | None
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None


@dataclass
class SessionSummary:
    id: int
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    presenter: str | None
    chair: str | None = None  # "Nguyễn Hữu Phúc, Phó Giám đốc Sở …": the session's chair
    questions: list[QuestionLine] = field(default_factory=list)
    rating: Rating | None = None

    @property
    def answered(self) -> int:
        return sum(1 for question in self.questions if question.answer)


@dataclass
class Summary:
    workshop: Workshop
    attendance: Attendance
    by_kind: list[Counts]  # the numbers of each agency kind, as attendance() counts them
    sessions: list[SessionSummary]
    # The four categories in order, each with feedback items and contribution parts, ordered by
    # agency kind and agency.
    feedback: dict[str, list[Remark]]
    feedback_by_kind: dict[str, dict[str, int]]
    overall_rating: Rating | None  # ratings given without naming a session
    version: SummaryVersion | None  # the version whose conclusions this summary carries
    versions: list[SummaryVersion]  # newest first
    agencies_invited: int = 0  # invited agencies; `absent` are those without anyone
    contributors: list[str] = field(default_factory=list)  # who sent a báo cáo tham luận

    @property
    def absent(self) -> list[Organization]:
        """The invited agencies without anyone (workshop/attendance.py)."""
        return self.attendance.absent

    @property
    def conclusions(self) -> str:
        return self.version.conclusions if self.version else ""

    @property
    def proposals(self) -> str:
        """The host's own recommendations to the province (section IV of the report)."""
        return self.version.proposals if self.version else ""

    @property
    def report_number(self) -> str:
        return (self.version.report_number if self.version else None) or ""

    @property
    def report_date(self) -> date:
        """The date the organizer gives the report; by default the last day of the workshop."""
        chosen = self.version.report_date if self.version else None
        return chosen or default_report_date(self.workshop)

    @property
    def status(self) -> str | None:
        return self.version.status if self.version else None

    @property
    def is_final(self) -> bool:
        return self.status == "final"

    @property
    def published(self) -> SummaryVersion | None:
        """The newest final version: what attendees read."""
        return next((version for version in self.versions if version.status == "final"), None)

    @property
    def question_count(self) -> int:
        return sum(len(session.questions) for session in self.sessions)

    @property
    def answered_count(self) -> int:
        return sum(session.answered for session in self.sessions)

    def feedback_groups(self, category: str) -> list[tuple[str, str, list[Remark]]]:
        """One category's remarks by agency kind: (kind, label, remarks), kinds in order."""
        groups: dict[str, list[Remark]] = defaultdict(list)
        for remark in self.feedback[category]:
            groups[remark.kind].append(remark)
        return [(kind, str(KIND_LABELS[kind]), groups[kind])
                for kind in ORGANIZATION_KINDS if kind in groups]

    @cached_property
    def attendees(self) -> list[Invitation]:
        """Every invitation with its agency and check-in, for the attendance sheet; loaded only
        when an export asks for it."""
        return list(db.session.scalars(
            select(Invitation)
            .outerjoin(Organization, Invitation.organization_id == Organization.id)
            .options(joinedload(Invitation.organization), joinedload(Invitation.checkin))
            .where(Invitation.workshop_id == self.workshop.id)
            .order_by(Invitation.walk_in, Organization.kind, Organization.name,
                      Invitation.letter_number, Invitation.name, Invitation.id)
        ).unique())


def _questions(workshop: Workshop) -> dict[int, list[QuestionLine]]:
    """The visible questions of every session, most votes first, in one query; hidden, merged
    and still pending ones are not part of the record. Core rows, read one at a time (see
    feedback.services.remarks), after flushing the session as the ORM would."""
    db.session.flush()
    rows = db.session.connection().execute(
        select(Question.id, Question.session_id, Question.text, Question.votes, Question.anonymous,
               Question.assigned_to, Question.answer, Question.answered_by, Question.answered_at,
               Invitation.attendee_name, Organization.name)
        .outerjoin(Invitation, Question.invitation_id == Invitation.id)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .where(Question.workshop_id == workshop.id, Question.status == "visible")
        .order_by(Question.votes.desc(), Question.created_at, Question.id)
    )
    by_session: dict[int, list[QuestionLine]] = defaultdict(list)
    for (question_id, session_id, text, votes, anonymous, assigned_to, answer, answered_by,
         answered_at, person, agency) in rows:
        asker = None if anonymous else person
        by_session[session_id].append(QuestionLine(
            question_id, text, votes, asker, None if anonymous else agency, assigned_to, answer,
            answered_by, answered_at))
    return by_session


def versions(workshop: Workshop) -> list[SummaryVersion]:
    """Every saved version of the conclusions, newest first, with their authors."""
    return list(db.session.scalars(
        select(SummaryVersion).options(selectinload(SummaryVersion.author))
        .where(SummaryVersion.workshop_id == workshop.id)
        .order_by(SummaryVersion.version.desc())
    ))


def default_report_date(workshop: Workshop) -> date:
    """The last day of the workshop, in Vietnam time: a report is dated when the work it reports
    on ended, never on the day someone opens an old record."""
    return as_local(workshop.ends_at or workshop.starts_at).date()


def _chairs(workshop: Workshop) -> dict[int, str]:
    """Each chair of a session as the report names them ("name, title"), in one query."""
    ids = {session.chair_id for session in workshop.sessions if session.chair_id}
    if not ids:
        return {}
    return {user.id: f"{user.name}, {user.title}" if user.title else user.name
            for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _contributors(workshop: Workshop) -> list[str]:
    names: list[str] = []
    for contribution in list_contributions(workshop):
        invitation = contribution.invitation
        name = invitation.organization.name if invitation.organization else invitation.name
        if name not in names:
            names.append(name)
    return names


def compile_summary(workshop: Workshop, version: SummaryVersion | None = None) -> Summary:
    """Everything that happened at `workshop`, with the conclusions of `version` (by default
    the newest one)."""
    present = attendance(workshop)
    questions = _questions(workshop)
    session_ratings = ratings(workshop)
    items = remarks(workshop)
    history = versions(workshop)
    chairs = _chairs(workshop)
    sessions = [
        SessionSummary(session.id, session.title, session.starts_at, session.ends_at,
                       session.presenter, chairs.get(session.chair_id), questions.get(session.id, []),
                       session_ratings.get(session.id))
        for session in workshop.sessions
    ]
    return Summary(
        workshop=workshop,
        attendance=present,
        by_kind=list(present.kinds.values()),
        sessions=sessions,
        feedback=by_category(items),
        feedback_by_kind=counts_by_kind(items),
        overall_rating=session_ratings.get(None),
        version=version or (history[0] if history else None),
        versions=history,
        agencies_invited=invited_agencies(workshop),
        contributors=_contributors(workshop),
    )


# --- the summary as data: the API's answer, and what a published version freezes --------------


def _rating(rating: Rating | None) -> dict | None:
    return {"average": rating.average, "count": rating.count} if rating else None


def _question(question: QuestionLine) -> dict:
    return {
        "id": question.id,
        "text": question.text,
        "votes": question.votes,
        "asker": question.asker,
        "organization": question.agency,
        "assigned_to": question.assigned_to,
        "answer": question.answer,
        "answered_by": question.answered_by,
        "answered_at": isoformat(question.answered_at),
    }


def _remark(remark: Remark) -> dict:
    return {
        "text": remark.text,
        "source": remark.source,
        "organization": remark.agency,
        "kind": remark.kind,
        "person": remark.person,
        "session_id": remark.session_id,
        "rating": remark.rating,
        "created_at": isoformat(remark.created_at),
    }


def summary_data(summary: Summary) -> dict[str, Any]:
    """Everything the summary says but the workshop itself, as JSON values (CONTRACT.md
    "Summary"): the API's answer, and the snapshot a published version keeps."""
    numbers = summary.attendance
    version = summary.version
    return {
        "attendance": {
            **numbers.as_dict(),
            "by_kind": numbers.by_kind,
            "absent": [{"id": o.id, "name": o.name, "kind": o.kind} for o in summary.absent],
            "agencies_invited": summary.agencies_invited,
        },
        "sessions": [
            {"id": session.id, "title": session.title, "rating": _rating(session.rating),
             "questions": [_question(question) for question in session.questions]}
            for session in summary.sessions
        ],
        "feedback": {category: [_remark(remark) for remark in items]
                     for category, items in summary.feedback.items()},
        "contributors": summary.contributors,
        "overall_rating": _rating(summary.overall_rating),
        "conclusions": summary.conclusions,
        "proposals": summary.proposals,
        "report_number": summary.report_number or None,
        "report_date": summary.report_date.isoformat(),
        "status": summary.status,
        "version": version.version if version else None,
        "updated_at": isoformat(version.created_at) if version else None,
        "published_version": summary.published.version if summary.published else None,
        # CONTRACT.md "Series": the previous edition's tasks, by state (null: none).
        "previous": previous_data(summary.workshop),
    }


def freeze(summary: Summary) -> dict[str, Any]:
    """The snapshot of a published version: the summary's data and every line of its report,
    as they stand now; later check-ins, questions and feedback never change it."""
    from .report import build_report, report_data  # the report is written from a Summary

    return {"summary": summary_data(summary), "report": report_data(build_report(summary))}


# What tells two snapshots apart besides the version that carries them.
_VERSION_KEYS = ("version", "updated_at", "published_version", "status")


def _record(snapshot: dict) -> dict:
    return {key: value for key, value in snapshot["summary"].items() if key not in _VERSION_KEYS}


def _same_record(one: dict | None, other: dict) -> bool:
    return bool(one) and _record(one) == _record(other)


@dataclass
class Published:
    """A published version as attendees read it, from its frozen snapshot."""

    version: SummaryVersion
    data: dict[str, Any]

    @property
    def conclusions(self) -> str:
        return self.data["conclusions"]

    @property
    def attendance(self) -> dict[str, Any]:
        return self.data["attendance"]

    @property
    def sessions(self) -> list[dict[str, Any]]:
        return self.data["sessions"]

    @property
    def feedback(self) -> dict[str, list[dict[str, Any]]]:
        return self.data["feedback"]

    @property
    def answered_count(self) -> int:
        return sum(1 for session in self.sessions for question in session["questions"]
                   if question["answer"])


def snapshot_of(workshop: Workshop | None, version: SummaryVersion) -> dict[str, Any]:
    """The frozen snapshot of a final version (a version published before snapshots were kept
    is frozen the first time it is read, from `workshop`; None: the version's, loaded then)."""
    if version.snapshot is None:
        version.snapshot = freeze(compile_summary(workshop or version.workshop, version))
        db.session.commit()
    return version.snapshot


def published_summary(workshop: Workshop | PageWorkshop) -> Published | None:
    """The summary as attendees may read it: the newest published version as it was frozen, or
    None while nothing has been published. Only the workshop's id is read (the personal page
    gives its plain row of it)."""
    final = db.session.scalar(
        select(SummaryVersion)
        .where(SummaryVersion.workshop_id == workshop.id, SummaryVersion.status == "final")
        .order_by(SummaryVersion.version.desc()).limit(1)
    )
    return Published(final, snapshot_of(None, final)["summary"]) if final else None


def get_version(workshop: Workshop, number: int) -> SummaryVersion | None:
    return db.session.scalar(
        select(SummaryVersion).options(selectinload(SummaryVersion.author))
        .where(SummaryVersion.workshop_id == workshop.id, SummaryVersion.version == number)
    )


# --- the conclusions --------------------------------------------------------------------------


class SummaryError(Refusal):
    """A refused save of the conclusions (`code` is `invalid` or `conflict`)."""


def _newest(workshop: Workshop) -> SummaryVersion | None:
    return db.session.scalar(
        select(SummaryVersion).where(SummaryVersion.workshop_id == workshop.id)
        .order_by(SummaryVersion.version.desc()).limit(1)
    )


def save_conclusions(
    workshop: Workshop,
    conclusions: str | None,
    author: User | None,
    final: bool = False,
    base_version: int | None = None,
    *,
    proposals: str | None = None,
    report_number: str | None = None,
    report_date: date | None = None,
    actor: User | None = None,
) -> SummaryVersion:
    """Save the conclusions as a new version (a draft, or final: published, frozen as it stands).

    `proposals` (the host's recommendations), `report_number` and `report_date` are kept from
    the previous version when None; "" clears them. `base_version` is the version the writer
    started from (0: none yet): if someone saved in between, nothing is saved and the writer is
    told, so no one overwrites another unseen. Saving the same content again adds no version.
    """
    text = (conclusions or "").strip()
    if len(text) > MAX_CONCLUSIONS_LENGTH:
        raise SummaryError(_("Kết luận dài tối đa %(max)d ký tự.", max=MAX_CONCLUSIONS_LENGTH),
                           "conclusions")
    if proposals is not None and len(proposals.strip()) > MAX_CONCLUSIONS_LENGTH:
        raise SummaryError(_("Kiến nghị dài tối đa %(max)d ký tự.", max=MAX_CONCLUSIONS_LENGTH),
                           "proposals")
    if report_number is not None and len(report_number.strip()) > MAX_REPORT_NUMBER_LENGTH:
        raise SummaryError(_("Số báo cáo dài tối đa %(max)d ký tự.", max=MAX_REPORT_NUMBER_LENGTH),
                           "report_number")
    if final and not text:
        raise SummaryError(_("Vui lòng viết kết luận trước khi hoàn thành báo cáo."), "conclusions")
    current = _newest(workshop)
    if base_version is not None and (current.version if current else 0) != base_version:
        raise SummaryError(_conflict_message(current), code="conflict")
    content = {
        "conclusions": text,
        "proposals": proposals.strip() if proposals is not None
        else (current.proposals if current else ""),
        "report_number": (report_number.strip() or None) if report_number is not None
        else (current.report_number if current else None),
        "report_date": report_date if report_date is not None
        else (current.report_date if current else None),
        "status": "final" if final else "draft",
    }
    if current is not None and all(getattr(current, key) == value for key, value in content.items()):
        return current
    return _add_version(workshop, current, author, content,
                        action="summary.publish" if final else "summary.save", actor=actor)


def _add_version(workshop: Workshop, current: SummaryVersion | None, author: User | None,
                 content: dict[str, Any], *, action: str, actor: User | None = None
                 ) -> SummaryVersion:
    """The next version with `content`; a final one is frozen with the summary as it stands."""
    version = SummaryVersion(workshop_id=workshop.id, version=(current.version if current else 0) + 1,
                             author_id=author.id if author else None, **content)
    db.session.add(version)
    try:
        db.session.flush()
        if version.status == "final":
            version.snapshot = freeze(compile_summary(workshop, version))
        audit.log(action, workshop=workshop, actor=actor,
                  detail=_("Phiên bản %(number)d", number=version.version))
        db.session.commit()
    except IntegrityError:  # another save took this number at the same moment
        db.session.rollback()
        raise SummaryError(_conflict_message(_newest(workshop)), code="conflict") from None
    return version


def _conflict_message(current: SummaryVersion | None) -> str:
    who = current.author.name if current and current.author else _("người khác")
    return _("Kết luận vừa được %(who)s lưu thành phiên bản %(number)s. Nội dung ông/bà nhập vẫn "
             "còn bên dưới: vui lòng xem lại phiên bản mới rồi lưu lại.",
             who=who, number=current.version if current else 0)


def publish(workshop: Workshop, author: User | None, *, actor: User | None = None) -> SummaryVersion:
    """"Công bố": the current conclusions become final, as a new version that freezes the
    summary as it stands; attendees read that version from then on. Already published and
    nothing happened since: nothing changes."""
    current = _newest(workshop)
    if current is None or not current.conclusions:
        raise SummaryError(_("Vui lòng viết kết luận trước khi hoàn thành báo cáo."), "conclusions")
    if current.status == "final" and _same_record(
            current.snapshot, {"summary": summary_data(compile_summary(workshop, current))}):
        return current
    return _add_version(workshop, current, author, {
        "conclusions": current.conclusions, "proposals": current.proposals,
        "report_number": current.report_number, "report_date": current.report_date,
        "status": "final"}, action="summary.publish", actor=actor)
