"""Questions from the floor: ask, vote, moderate, merge, assign, answer.

Every change bumps the workshop's `live_version`; the live pages poll with it as their ETag, so
several server processes on one database stay in step without any shared memory.
"""
from __future__ import annotations

import threading
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import audit, autocommit, live
from ..extensions import db
from ..models import (
    MAX_QUESTION_LENGTH,
    Invitation,
    Organization,
    Question,
    QuestionVote,
    User,
    Workshop,
    WorkshopSession,
)
from ..phases import has_ended
from ..similar import SUGGESTIONS, Match, alike_pairs, most_alike
from ..statements import built_once
from ..timeutil import utcnow


class QuestionError(ValueError):
    """A refused question operation; `field` names the input at fault, if any; `code` names a
    refusal by the workshop's state (the API's error code)."""

    def __init__(self, message: str, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def bump_version(workshop_id: int) -> None:
    """Tell every live page that something changed (in the caller's transaction): the one place
    `live_version` is raised. With REDIS_URL, the new version is copied to Redis once that
    transaction commits; else, on PostgreSQL, the same statement NOTIFYs every server process,
    which PostgreSQL delivers when that transaction commits (workshop/live.py)."""
    code, version, *_notified = db.session.execute(
        update(Workshop).where(Workshop.id == workshop_id)
        .values(live_version=Workshop.live_version + 1)
        .returning(Workshop.code, Workshop.live_version, *live.announcement(current_app))
    ).one()
    live.raised(db.session(), code, version)


def live_version(workshop_id: int) -> int:
    """The counter read fresh from the database (the cheap query behind a 304)."""
    return db.session.scalar(select(Workshop.live_version).where(Workshop.id == workshop_id))


def list_etag(version: int, session_id: int | None, invitation_id: int | None,
              statuses: tuple[str, ...] | list[str], order: str) -> str:
    """The ETag of a question list as one caller sees it: the API view and the poll gate
    (workshop/polls.py, which answers 304 before Flask) must build the very same string."""
    return "-".join(str(part) for part in (
        version, session_id, invitation_id if invitation_id is not None else "s",
        ",".join(statuses), order))


def clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise QuestionError(_("Vui lòng nhập nội dung câu hỏi."), "text")
    if len(text) > MAX_QUESTION_LENGTH:
        raise QuestionError(
            _("Câu hỏi dài tối đa %(max)d ký tự.", max=MAX_QUESTION_LENGTH), "text"
        )
    return text


def session_of(workshop: Workshop, session_id: int | None) -> WorkshopSession:
    session = db.session.get(WorkshopSession, session_id) if session_id else None
    if session is None or session.workshop_id != workshop.id:
        raise QuestionError(_("Phiên không thuộc hội thảo này."), "session_id")
    return session


def ask(
    workshop: Workshop,
    session_id: int | None,
    invitation: Invitation | None,
    text: str,
    anonymous: bool = False,
    now: datetime | None = None,
) -> Question:
    """A new question: shown at once, or pending when the session is moderated; none once
    the workshop has ended."""
    if has_ended(workshop, now):
        raise QuestionError(_("Hội thảo đã kết thúc nên không nhận thêm câu hỏi."),
                            code="workshop_ended")
    session = session_of(workshop, session_id)
    text = clean_text(text)
    if anonymous and not workshop.allow_anonymous_questions:
        raise QuestionError(_("Hội thảo này không nhận câu hỏi ẩn danh."), "anonymous")
    question = Question(
        workshop_id=workshop.id, session_id=session.id,
        invitation_id=invitation.id if invitation else None, text=text, anonymous=anonymous,
        status="pending" if session.moderated else "visible",
    )
    db.session.add(question)
    bump_version(workshop.id)
    db.session.commit()
    return question


def vote(question: Question, invitation: Invitation) -> int:
    """One vote per attendee and question; a repeat changes nothing. Returns the count."""
    if question.status != "visible":
        raise QuestionError(_("Chỉ bình chọn được câu hỏi đang hiển thị."))
    question_id, workshop_id = question.id, question.workshop_id
    db.session.add(QuestionVote(question_id=question_id, invitation_id=invitation.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
    else:
        db.session.execute(
            update(Question).where(Question.id == question_id).values(votes=Question.votes + 1)
        )
        bump_version(workshop_id)
        db.session.commit()
    return db.session.scalar(select(Question.votes).where(Question.id == question_id))


def set_status(question: Question, status: str, *, actor: User | None = None) -> Question:
    """Approve (visible) or hide a question."""
    if status not in ("visible", "hidden"):
        raise QuestionError(_("Trạng thái phải là visible hoặc hidden."), "status")
    if question.status == "merged":
        raise QuestionError(_("Câu hỏi đã được gộp vào câu hỏi khác."), "status")
    question.status = status
    bump_version(question.workshop_id)
    audit.log("questions.set_status", workshop=question.workshop_id, detail=question.text,
              actor=actor)
    db.session.commit()
    return question


def merge(duplicate: Question, target: Question, *, actor: User | None = None) -> Question:
    """Fold a duplicate into another question of the same session: its votes and its asker
    carry over (each attendee still counts once)."""
    if duplicate.id == target.id or duplicate.session_id != target.session_id:
        raise QuestionError(_("Chỉ gộp được vào một câu hỏi khác của cùng phiên."), "target")
    if target.status == "merged":
        raise QuestionError(_("Không gộp vào một câu hỏi đã được gộp."), "target")
    voters = set(db.session.scalars(
        select(QuestionVote.invitation_id).where(QuestionVote.question_id == duplicate.id)))
    if duplicate.invitation_id:
        voters.add(duplicate.invitation_id)  # asking the same thing is a vote for it
    already = set(db.session.scalars(
        select(QuestionVote.invitation_id).where(QuestionVote.question_id == target.id)))
    for invitation_id in voters - already - {target.invitation_id}:
        db.session.add(QuestionVote(question_id=target.id, invitation_id=invitation_id))
    duplicate.status, duplicate.merged_into_id = "merged", target.id
    db.session.flush()
    target.votes = db.session.scalar(
        select(func.count()).select_from(QuestionVote).where(QuestionVote.question_id == target.id))
    bump_version(target.workshop_id)
    audit.log("questions.merge", workshop=target.workshop_id, detail=duplicate.text, actor=actor)
    db.session.commit()
    return target


def askers(question: Question) -> list[Invitation]:
    """Who asked it: the asker and the askers of the questions merged into it."""
    people = [question.invitation] if question.invitation else []
    people += db.session.scalars(
        select(Invitation).join(Question, Question.invitation_id == Invitation.id)
        .where(Question.merged_into_id == question.id)
    ).all()
    return people


def assign(question: Question, official: str | None, *, actor: User | None = None) -> Question:
    """Name the official (name and title) who will answer."""
    question.assigned_to = (official or "").strip()[:255] or None
    bump_version(question.workshop_id)
    audit.log("questions.assign", workshop=question.workshop_id, detail=question.text, actor=actor)
    db.session.commit()
    return question


def set_answering_now(session: WorkshopSession, question: Question | None, *,
                      actor: User | None = None) -> None:
    """Highlight the question being answered on the projector and the phones (None clears)."""
    if question is not None and question.session_id != session.id:
        raise QuestionError(_("Câu hỏi không thuộc phiên này."))
    session.current_question_id = question.id if question else None
    bump_version(session.workshop_id)
    audit.log("questions.set_current", workshop=session.workshop_id,
              detail=question.text if question else None, actor=actor)
    db.session.commit()


def answer(question: Question, text: str, answered_by: str | None = None,
           now: datetime | None = None, *, actor: User | None = None) -> Question:
    """Record the short written answer; answering a pending question also shows it."""
    text = (text or "").strip()
    if not text:
        raise QuestionError(_("Vui lòng nhập nội dung trả lời."), "answer")
    if len(text) > 5000:
        raise QuestionError(_("Câu trả lời dài tối đa %(max)d ký tự.", max=5000), "answer")
    question.answer = text
    question.answered_by = (answered_by or question.assigned_to or "").strip()[:255] or None
    question.answered_at = now or utcnow()
    if question.status == "pending":
        question.status = "visible"
    session = question.session
    if session.current_question_id == question.id:
        session.current_question_id = None
    bump_version(question.workshop_id)
    audit.log("questions.answer", workshop=question.workshop_id, detail=question.text, actor=actor)
    db.session.commit()
    return question


def list_questions(
    workshop: Workshop,
    session_id: int | None = None,
    statuses: tuple[str, ...] = ("visible",),
    order: str = "votes",
) -> list[Question]:
    """The queue: most votes first (then oldest), or by time."""
    # Each asker and their agency come along: every list shows them (no query per question).
    statement = select(Question).options(
        joinedload(Question.invitation).joinedload(Invitation.organization)).where(
        Question.workshop_id == workshop.id, Question.status.in_(statuses))
    if session_id:
        statement = statement.where(Question.session_id == session_id)
    if order == "time":
        statement = statement.order_by(Question.created_at.desc(), Question.id.desc())
    else:
        statement = statement.order_by(Question.votes.desc(), Question.created_at, Question.id)
    return list(db.session.scalars(statement))


class Poller(NamedTuple):
    """An invitee polling the list, as one statement reads them (`poller`): what the view needs
    of their invitation, its workshop's code and version, and the questions they voted for."""

    id: int
    workshop_id: int
    code: str
    live_version: int
    voted: frozenset[int]


def poller(token: str | None) -> Poller | None:
    """The invitation whose personal link carries `token` (as `find_by_token` finds it), for a
    poll of the list: one statement, with the workshop's version and the caller's votes (a row
    per vote), read outside any transaction on PostgreSQL. With the list kept by version
    (`live_page`), it is all a 200 poll reads; the poll gate reads it too (workshop/polls.py)
    and hands it on, so that a poll whose ETag it found stale reads nothing more."""
    if not token or len(token) > 64:
        return None
    return poller_of(_read(poller_statement(), {"token": token}))


def poller_of(rows: list) -> Poller | None:
    """The Poller in the rows of `poller_statement()`; None when there are none."""
    if not rows:
        return None
    first = rows[0]
    return Poller(first.id, first.workshop_id, first.code, first.live_version,
                  frozenset(row.question_id for row in rows if row.question_id is not None))


@built_once
def poller_statement():
    """The invitation by its token (bound as `token`), its workshop's code and version, a row
    per question it voted for (an invitation votes in its own workshop only)."""
    return (select(Invitation.id, Invitation.workshop_id, Workshop.code, Workshop.live_version,
                   QuestionVote.question_id)
            .join(Workshop, Invitation.workshop_id == Workshop.id)
            .outerjoin(QuestionVote, QuestionVote.invitation_id == Invitation.id)
            .where(Invitation.token == bindparam("token")))


def workshop_version(code: str):
    """The workshop's id and `live_version` by its code (None when there is none): what a staff
    poll of the list needs of it, read as the invitee's (`poller`)."""
    rows = _read(_workshop_version_statement(), {"code": code})
    return rows[0] if rows else None


@built_once
def _workshop_version_statement():
    return select(Workshop.id, Workshop.live_version).where(Workshop.code == bindparam("code"))


def _read(statement, parameters: dict) -> list:
    """The rows of one SELECT standing alone: on PostgreSQL outside any transaction (no BEGIN
    and ROLLBACK around it), on SQLite without the session (workshop/autocommit.py)."""
    return autocommit.read(current_app._get_current_object(), statement, parameters)


def live_list(workshop_id: int, session_id: int | None, statuses: tuple[str, ...] | list[str],
              order: str) -> dict:
    """The polled list (`GET /api/v1/workshops/<code>/questions`) as the API answers it, in one
    query: hundreds of phones ask for it again after every change, so no ORM objects are made
    (and the statement itself is built once per shape, `_live_statement`). Each item's `voted`
    is None: a caller's own votes are added by `live_page`.

    The workshop's sessions come first and the questions are outer-joined to them: each row
    carries its session's question being answered now (the answer's `current` names every
    session's, the list only one session's questions), its asker and agency."""
    from .schemas import asker_of, question_item

    statement = _live_statement(bool(session_id), tuple(sorted(set(statuses))), order)
    currents: dict[str, int] = {}
    items = []
    for row in _read(statement, {"workshop_id": workshop_id, "session_id": session_id}):
        if row.now:
            currents[str(row.in_session)] = row.now
        if row.id is None:
            continue  # a session without a question listed
        asker = None if row.anonymous or row.person_name is None else asker_of(
            row.person_status, row.person_name, row.person_title, row.delegate_name,
            row.delegate_title, row.deputy_state, row.agency)
        items.append(question_item(row, asker, row.id == row.now, None))
    return {"items": items, "total": len(items), "current": currents}


LIVE_PAGES = "workshop.live_pages"  # app.extensions: the lists polled lately, by version
LIVE_PAGES_KEPT = 64


def live_page(workshop_id: int, version: int, session_id: int | None,
              statuses: tuple[str, ...] | list[str], order: str, voted: frozenset[int] | None) -> dict:
    """The polled list for one caller, as `live_list`, from what this process last read at
    this `version` of the workshop (read in this request), with `voted` saying which questions
    the caller voted for (None for staff): after a change, hundreds of phones ask for the same
    list, which each then costs no query of its own (their votes came with their invitation,
    `poller`).

    Why a list kept by version is right: the version was read before the list, so the list
    kept is at least that version's (a statement sees every commit made before it began, in a
    transaction or not); and the ETag is that version, so every caller holding it is owed this
    very list (a change that does not raise the version, an asker's renamed agency, reaches
    nobody before the next change either way). The lists live on the app (one per process,
    one per test) and only the latest few."""
    from ..schemas import as_declared
    from .schemas import QuestionListSchema

    key = (workshop_id, version, session_id, tuple(statuses), order)
    kept = current_app.extensions.setdefault(LIVE_PAGES, {})
    page = kept.get(key)
    if page is None:
        # Checked against its schema once, as read: a caller's own votes added below are
        # booleans by construction.
        page = as_declared(QuestionListSchema, live_list(workshop_id, session_id, statuses, order))
        with _live_pages_lock:
            kept[key] = page
            while len(kept) > LIVE_PAGES_KEPT:
                kept.pop(next(iter(kept)))
    if voted is None:
        return page
    return {**page, "items": [{**item, "voted": item["id"] in voted} for item in page["items"]]}


_live_pages_lock = threading.Lock()


@built_once  # a few shapes: with or without a session, order, statuses (sorted, once each)
def _live_statement(one_session: bool, statuses: tuple[str, ...], order: str):
    on = and_(Question.session_id == WorkshopSession.id,
              Question.workshop_id == bindparam("workshop_id"), Question.status.in_(statuses))
    if one_session:
        on = and_(on, Question.session_id == bindparam("session_id"))
    statement = (
        select(WorkshopSession.id.label("in_session"), WorkshopSession.current_question_id.label("now"),
               *(getattr(Question, name) for name in QUESTION_COLUMNS),
               Invitation.name.label("person_name"), Invitation.title.label("person_title"),
               Invitation.status.label("person_status"), Invitation.delegate_name,
               Invitation.delegate_title, Invitation.deputy_state, Organization.name.label("agency"))
        .select_from(WorkshopSession).outerjoin(Question, on)
        .outerjoin(Invitation, Question.invitation_id == Invitation.id)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .where(WorkshopSession.workshop_id == bindparam("workshop_id")))
    if order == "time":
        return statement.order_by(Question.created_at.desc(), Question.id.desc())
    return statement.order_by(Question.votes.desc(), Question.created_at, Question.id)


QUESTION_COLUMNS = ("id", "session_id", "text", "status", "votes", "anonymous", "assigned_to",
                    "answer", "answered_by", "answered_at", "created_at")


def answering_now(workshop_id: int) -> dict[int, int | None]:
    """Each session's question being answered now (None when none), in one query."""
    return dict(db.session.execute(
        select(WorkshopSession.id, WorkshopSession.current_question_id)
        .where(WorkshopSession.workshop_id == workshop_id)).all())


def voted_by(invitation: Invitation, question_ids: list[int]) -> set[int]:
    """Which of these questions this attendee has voted for (to show their own votes)."""
    if not question_ids:
        return set()
    return set(db.session.scalars(
        select(QuestionVote.question_id).where(
            QuestionVote.invitation_id == invitation.id,
            QuestionVote.question_id.in_(question_ids))))


def workshop_for_screen(screen_token: str) -> Workshop | None:
    """The workshop whose secret projector link this is."""
    if not screen_token:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.screen_token == screen_token))


# --- what the live pages show (attendee page, chair's console, projector) ------------------

# The console's filters: a question's state in the queue, derived from its status and answer.
QUEUE_STATES = {
    "pending": _l("Chờ duyệt"),
    "visible": _l("Chưa trả lời"),
    "answered": _l("Đã trả lời"),
    "hidden": _l("Đã ẩn"),
}
SCREEN_NEXT = 3  # how many questions the projector shows after the current one


def queue_state(question: Question) -> str:
    """pending, visible (shown, not yet answered), answered (shown with its answer) or hidden."""
    if question.status == "visible" and question.answer:
        return "answered"
    return question.status


def _running(session: WorkshopSession, now: datetime) -> bool:
    end = session.ends_at or session.workshop.ends_at
    return session.starts_at is not None and session.starts_at <= now and (end is None or now < end)


def pick_session(workshop: Workshop, session_id: int | None = None,
                 now: datetime | None = None) -> WorkshopSession | None:
    """The session a live page shows and a question goes to: the one asked for; else the one
    where a question is being answered now (a discussion that overruns its slot stays on
    screen); else the one running by the clock (without an end, until the workshop ends); else,
    before the first session or between two, the one the organizer marked as open for
    questions ("phiên nhận câu hỏi"); else the first."""
    sessions = workshop.sessions
    now = now or utcnow()
    for candidate in (lambda s: s.id == session_id, lambda s: s.current_question_id is not None,
                      lambda s: _running(s, now), lambda s: s.open_for_questions):
        chosen = next((s for s in sessions if candidate(s)), None)
        if chosen is not None:
            return chosen
    return sessions[0] if sessions else None


def console_queue(workshop: Workshop, session_id: int,
                  order: str = "votes") -> tuple[list[Question], dict[str, int]]:
    """Every question of the session the chair may act on (merged ones are gone), in queue
    order, and how many there are in each state of QUEUE_STATES."""
    questions = list_questions(workshop, session_id, ("pending", "visible", "hidden"), order)
    counts = dict.fromkeys(QUEUE_STATES, 0)
    for question in questions:
        counts[queue_state(question)] += 1
    return questions, counts



def waiting_by_session(workshop: Workshop) -> dict[int, int]:
    """How many questions wait for the chair in each session (to approve, or shown and not yet
    answered): the console's session picker says so, so that a chair who opens the console on
    another session sees where the questions are."""
    waiting = or_(Question.status == "pending",
                  and_(Question.status == "visible",
                       or_(Question.answer.is_(None), Question.answer == "")))
    rows = db.session.execute(
        select(Question.session_id, func.count()).where(Question.workshop_id == workshop.id, waiting)
        .group_by(Question.session_id))
    return {session_id: count for session_id, count in rows}

def similar_questions(session: WorkshopSession, text: str) -> list[Match[Question]]:
    """The shown questions of the session most like `text` (workshop/similar.py), for an
    attendee about to send it: never a pending, hidden or merged one."""
    visible = list_questions(session.workshop, session.id)
    return most_alike(text, visible, lambda question: question.text)


def alike_in_queue(questions: list[Question]) -> dict[int, list[tuple[Question, float]]]:
    """For each question of a console queue, the shown questions of the queue most like it,
    most alike first: what the chair may merge it into."""
    pairs = alike_pairs([question.text for question in questions])
    return {
        question.id: [(questions[other], score) for other, score in pairs[index]
                      if questions[other].status == "visible"][:SUGGESTIONS]
        for index, question in enumerate(questions)}


def officials(session: WorkshopSession, limit: int = 8) -> list[str]:
    """Suggestions for "assign to": the session's presenter and chair, then the officials
    named earlier in this workshop, most recent first, each once."""
    names: list[str] = []
    if session.presenter:
        names.append(session.presenter)
    if session.chair:
        names.append(", ".join(filter(None, [session.chair.name, session.chair.title])))
    recent = db.session.execute(
        select(Question.assigned_to, Question.answered_by)
        .where(Question.workshop_id == session.workshop_id)
        .where((Question.assigned_to.is_not(None)) | (Question.answered_by.is_not(None)))
        .order_by(Question.id.desc()).limit(50))
    for row in recent:
        names.extend(name for name in row if name)
    return list(dict.fromkeys(names))[:limit]


def projector_state(workshop: Workshop, session: WorkshopSession
                    ) -> tuple[Question | None, list[Question]]:
    """The question being answered now (unless it was hidden since), and the next
    SCREEN_NEXT by votes among the shown questions not yet answered."""
    current = db.session.get(Question, session.current_question_id) \
        if session.current_question_id else None
    if current is not None and current.status not in ("visible", "pending"):
        current = None
    waiting = [q for q in list_questions(workshop, session.id) if not q.answer and q is not current]
    return current, waiting[:SCREEN_NEXT]
