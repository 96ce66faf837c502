"""Feedback during the workshop and the agencies' written contributions before it, and the
listings that the feedback page and the summary read.

Both close at the workshop's `feedback_closes_at`, set by the organizer: after it the summary
can be written knowing that nothing more comes in.
"""
from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from .. import audit
from ..collation import vietnamese_key
from ..extensions import db
from ..models import (
    CATEGORY_LABELS,
    FEEDBACK_CATEGORIES,
    KIND_LABELS,
    ORGANIZATION_KINDS,
    Contribution,
    Feedback,
    Invitation,
    Organization,
    User,
    Workshop,
    WorkshopSession,
)
from ..timeutil import as_local, utcnow

MAX_FEEDBACK_LENGTH = 2000
MAX_CONTRIBUTION_LENGTH = 20000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A contribution's four parts are the four feedback categories, written before the workshop.
CONTRIBUTION_FIELDS = {
    "results": "result",
    "obstacles": "obstacle",
    "lessons": "lesson",
    "recommendations": "recommendation",
}
SOURCES = ("contribution", "feedback")


class FeedbackError(ValueError):
    """A refused feedback or contribution. `field` names the input at fault (a 422); without
    it `code` says why: `closed` (409) or `other_workshop` (403)."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# --- closing ----------------------------------------------------------------------------------


def feedback_open(workshop: Workshop, now: datetime | None = None) -> bool:
    closes_at = workshop.feedback_closes_at
    return closes_at is None or (now or utcnow()) < closes_at


def _check_open(workshop: Workshop, now: datetime | None) -> None:
    if not feedback_open(workshop, now):
        raise FeedbackError(
            _("Đã hết thời gian nhận góp ý và báo cáo tham luận (hạn cuối %(time)s). "
              "Trân trọng cảm ơn ông/bà đã quan tâm.",
              time=as_local(workshop.feedback_closes_at).strftime("%H:%M %d/%m/%Y")),
            code="closed",
        )


def set_feedback_closes_at(workshop: Workshop, closes_at: datetime | None, *,
                           actor: User | None = None) -> None:
    """When feedback and contributions stop being accepted; None keeps them open."""
    workshop.feedback_closes_at = closes_at
    audit.log("feedback.set_closing", workshop=workshop, actor=actor)
    db.session.commit()


# --- feedback ---------------------------------------------------------------------------------


def _clean(text: str | None, field: str, limit: int, required: bool) -> str | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise FeedbackError(_("Vui lòng nhập nội dung góp ý."), field)
        return None
    if len(text) > limit:
        raise FeedbackError(_("Nội dung dài tối đa %(max)d ký tự.", max=limit), field)
    return text


def _check_invitation(workshop: Workshop, invitation: Invitation) -> None:
    if invitation.workshop_id != workshop.id:
        raise FeedbackError(_("Giấy mời của ông/bà không thuộc hội thảo này."),
                            code="other_workshop")


def add_feedback(
    workshop: Workshop,
    invitation: Invitation,
    category: str,
    text: str,
    session_id: int | None = None,
    rating: int | None = None,
    now: datetime | None = None,
) -> Feedback:
    """One item of feedback, optionally about one session of this workshop and rating it 1–5;
    refused once feedback has closed."""
    _check_invitation(workshop, invitation)
    _check_open(workshop, now)
    if category not in FEEDBACK_CATEGORIES:
        raise FeedbackError(_("Vui lòng chọn nhóm góp ý."), "category")
    text = _clean(text, "text", MAX_FEEDBACK_LENGTH, required=True)
    if session_id is not None:
        session = db.session.get(WorkshopSession, session_id)
        if session is None or session.workshop_id != workshop.id:
            raise FeedbackError(_("Phiên không thuộc hội thảo này."), "session_id")
    if rating is not None and not 1 <= rating <= 5:
        raise FeedbackError(_("Điểm đánh giá từ 1 đến 5."), "rating")
    feedback = Feedback(workshop_id=workshop.id, invitation_id=invitation.id, session_id=session_id,
                        category=category, text=text, rating=rating, created_at=now or utcnow())
    db.session.add(feedback)
    db.session.commit()
    return feedback


def feedback_of(invitation: Invitation) -> list[Feedback]:
    """What this attendee has sent, the latest first (for their own page)."""
    return list(db.session.scalars(
        select(Feedback).options(selectinload(Feedback.session))
        .where(Feedback.invitation_id == invitation.id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    ))


# --- contributions ----------------------------------------------------------------------------


def attachment_type(filename: str, data: bytes) -> str:
    """PDF or DOCX as the file's own first bytes say, with the matching extension; the type the
    browser claimed is not trusted. Anything else is refused."""
    if not data:
        raise FeedbackError(_("Tệp đính kèm rỗng."), "attachment")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise FeedbackError(
            _("Tệp đính kèm tối đa %(size)d MB.", size=MAX_ATTACHMENT_BYTES // (1024 * 1024)),
            "attachment")
    extension = PurePosixPath(filename.lower()).suffix
    if extension == ".pdf" and b"%PDF-" in data[:1024]:
        return PDF_TYPE
    if extension == ".docx" and _is_docx(data):
        return DOCX_TYPE
    raise FeedbackError(
        _("Chỉ nhận tệp PDF (.pdf) hoặc Word (.docx); tệp gửi lên không đúng định dạng đó."),
        "attachment")


def _is_docx(data: bytes) -> bool:
    """A DOCX is a ZIP holding the Word document part; reading the directory is enough."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


def contribution_of(invitation: Invitation) -> Contribution | None:
    return db.session.scalar(
        select(Contribution).options(defer(Contribution.attachment))
        .where(Contribution.invitation_id == invitation.id)
    )


def save_contribution(
    invitation: Invitation,
    results: str | None,
    obstacles: str | None,
    lessons: str | None,
    recommendations: str | None,
    attachment: tuple[str, str | None, bytes] | None = None,
    now: datetime | None = None,
) -> Contribution:
    """Write (or rewrite) the agency's contribution. `attachment` is (filename, content type,
    bytes); without one a file sent earlier is kept. Every check runs before anything is saved."""
    _check_open(invitation.workshop, now)
    texts = {
        name: _clean(value, name, MAX_CONTRIBUTION_LENGTH, required=False)
        for name, value in zip(CONTRIBUTION_FIELDS,
                               (results, obstacles, lessons, recommendations), strict=True)
    }
    file = None
    if attachment is not None:
        filename, _claimed, data = attachment
        name = PurePosixPath(filename.replace("\\", "/")).name[-255:]
        file = (name, attachment_type(name, data), data)
    contribution = contribution_of(invitation)
    has_file = file is not None or (contribution is not None and contribution.attachment_name)
    if not any(texts.values()) and not has_file:
        raise FeedbackError(_("Vui lòng nhập ít nhất một nội dung hoặc đính kèm báo cáo."), "results")
    if contribution is None:
        contribution = Contribution(invitation_id=invitation.id)
        db.session.add(contribution)
    for name, value in texts.items():
        setattr(contribution, name, value)
    if file is not None:
        contribution.attachment_name, contribution.attachment_type, contribution.attachment = file
    contribution.updated_at = now or utcnow()
    db.session.commit()
    return contribution


def list_contributions(workshop: Workshop) -> list[Contribution]:
    """The workshop's contributions with their agencies, without loading the attached files."""
    return list(db.session.scalars(
        select(Contribution)
        .join(Invitation, Contribution.invitation_id == Invitation.id)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .options(defer(Contribution.attachment),
                 joinedload(Contribution.invitation).joinedload(Invitation.organization))
        .where(Invitation.workshop_id == workshop.id)
        .order_by(Organization.kind, Organization.name, Invitation.name)
    ))


def attachment_of(workshop: Workshop, contribution_id: int) -> Contribution | None:
    """A contribution with its file, if it belongs to this workshop and has one."""
    contribution = db.session.get(Contribution, contribution_id)
    if (contribution is None or contribution.invitation.workshop_id != workshop.id
            or contribution.attachment is None):
        return None
    return contribution


# --- what was said, for the feedback page and the summary -------------------------------------


class Remark(NamedTuple):
    """One thing an agency said in one of the four categories: a feedback item, or one part of
    its written contribution (`source` tells which). A named tuple, not a frozen dataclass: a
    summary makes thousands, and a frozen dataclass's each took four times as long to make
    (3.4 against 0.9 µs, a twelfth of the summary page's CPU)."""

    category: str
    text: str
    source: str
    kind: str  # the agency's kind; "other" without an agency
    agency: str | None = None
    person: str | None = None
    session_id: int | None = None
    session_title: str | None = None
    rating: int | None = None
    created_at: datetime | None = None

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS[self.category])

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def source_label(self) -> str:
        return _("Báo cáo tham luận") if self.source == "contribution" else _("Góp ý tại hội thảo")


def _in_sender_order(senders) -> list[tuple[str, str | None]]:
    """The (agency kind, agency) pairs in order: kinds in directory order, within a kind the
    agencies in Vietnamese order, remarks without an agency after them. Thousands of remarks
    come from a few dozen agencies: each name is collated once."""
    return sorted(senders, key=lambda sender: (ORGANIZATION_KINDS.index(sender[0]),
                                               sender[1] is None, vietnamese_key(sender[1])))


def remarks(workshop: Workshop) -> list[Remark]:
    """Every feedback item and every contribution part of the workshop, in three queries,
    ordered by agency kind, agency, contributions before feedback, then time.

    The rows are read as Core rows, one at a time (the ORM would hold thousands of them at once
    for nothing to map); Core does not flush the session first, so this does. Each remark goes
    straight into its agency's list of its source as it is read, in time order: the lists are
    then joined in the agencies' order, rather than thousands of remarks sorted by a key made
    for each (a tenth of the summary page's CPU)."""
    db.session.flush()
    # (kind, agency) -> source -> its remarks, in time order.
    lists: dict[tuple[str, str | None], dict[str, list[Remark]]] = {}

    def sender(person: str | None, agency: str | None, kind: str):
        into = lists.setdefault((kind, agency), {source: [] for source in SOURCES})
        return person, agency, kind, into

    # Who sent them: each invitation read once rather than joined to every feedback item (the
    # workshop's, and any other a feedback item names, so that none is ever missing).
    senders = {None: sender(None, None, "other")}
    named = select(Feedback.invitation_id).where(Feedback.workshop_id == workshop.id)
    senders.update((invitation_id, sender(person, agency, kind)) for invitation_id, person, agency, kind
                   in db.session.connection().execute(
        select(Invitation.id, Invitation.attendee_name, Organization.name, Invitation.agency_kind)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .where(or_(Invitation.workshop_id == workshop.id, Invitation.id.in_(named)))))
    rows = db.session.connection().execute(
        select(Feedback.invitation_id, Feedback.category, Feedback.text, Feedback.session_id,
               WorkshopSession.title, Feedback.rating, Feedback.created_at)
        .outerjoin(WorkshopSession, Feedback.session_id == WorkshopSession.id)
        .where(Feedback.workshop_id == workshop.id)
        .order_by(Feedback.created_at, Feedback.id))
    for invitation_id, category, text, session_id, title, rating, created_at in rows:
        person, agency, kind, into = senders[invitation_id]
        into["feedback"].append(Remark(category, text, "feedback", kind, agency, person,
                                       session_id, title, rating, created_at))
    for row in db.session.connection().execute(
        select(Contribution.invitation_id, Contribution.updated_at,
               *(getattr(Contribution, name) for name in CONTRIBUTION_FIELDS))
        .join(Invitation, Contribution.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop.id)
        .order_by(Contribution.updated_at, Contribution.id)
    ):
        person, agency, kind, into = senders[row[0]]
        for category, text in zip(CONTRIBUTION_FIELDS.values(), row[2:], strict=True):
            if text:
                into["contribution"].append(Remark(category, text, "contribution", kind, agency,
                                                   person, created_at=row[1]))
    said = {key: by_source for key, by_source in lists.items() if any(by_source.values())}
    found: list[Remark] = []
    for key in _in_sender_order(said):
        for source in SOURCES:
            found.extend(said[key][source])
    return found


def by_category(items: list[Remark]) -> dict[str, list[Remark]]:
    """The four categories, in their order, each with its remarks (empty lists included)."""
    grouped: dict[str, list[Remark]] = {category: [] for category in FEEDBACK_CATEGORIES}
    for remark in items:
        grouped[remark.category].append(remark)
    return grouped


def counts_by_kind(items: list[Remark]) -> dict[str, dict[str, int]]:
    """How many remarks of each category each agency kind made, the kinds in directory order."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FEEDBACK_CATEGORIES, 0))
    for remark in items:
        counts[remark.kind][remark.category] += 1
    return {kind: counts[kind] for kind in ORGANIZATION_KINDS if kind in counts}


@dataclass(frozen=True)
class Rating:
    average: float
    count: int


def ratings(workshop: Workshop) -> dict[int | None, Rating]:
    """The average 1–5 rating per session (None: feedback tied to no session), one query."""
    rows = db.session.execute(
        select(Feedback.session_id, func.avg(Feedback.rating), func.count(Feedback.rating))
        .where(Feedback.workshop_id == workshop.id, Feedback.rating.is_not(None))
        .group_by(Feedback.session_id)
    )
    return {session_id: Rating(round(float(average), 1), count)
            for session_id, average, count in rows}
