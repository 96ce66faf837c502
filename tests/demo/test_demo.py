"""`flask demo load`: the 2014 Thai Nguyen review recorded as it happened, and its rehearsal copy;
idempotent, from the data inside the package."""
import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from workshop.demo.record import OFFICIAL
from workshop.demo.services import DEMO_ACCOUNTS, DEMO_CODE, REHEARSAL_CODE, rehearsal_day
from workshop.extensions import db
from workshop.invitations.rsvp import respond
from workshop.invitations.services import find_by_token
from workshop.models import (
    FEEDBACK_CATEGORIES,
    CheckIn,
    CheckInAttempt,
    Contribution,
    Feedback,
    Invitation,
    Organization,
    OutboxMessage,
    Question,
    QuestionVote,
    SummaryVersion,
    Task,
    TaskReport,
    User,
    Workshop,
)
from workshop.seating import services as seating
from workshop.summary.services import compile_summary
from workshop.timeutil import LOCAL_TZ, as_local, utcnow

RECORDED = (Organization, User, Workshop, Invitation, CheckIn, CheckInAttempt, Question,
            QuestionVote, Feedback, Contribution, SummaryVersion, OutboxMessage, Task, TaskReport)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def workshop(code: str) -> Workshop:
    return db.session.scalar(select(Workshop).where(Workshop.code == code))


def load(runner) -> str:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_load_builds_the_review_workshop(runner, ctx):
    output = load(runner)
    for account in DEMO_ACCOUNTS:
        assert account.email in output and account.password in output

    kinds = dict(db.session.execute(
        select(Organization.kind, func.count()).group_by(Organization.kind)).all())
    # The Văn phòng UBND tỉnh and the Thanh tra tỉnh are the province's own bodies, not Sở.
    assert kinds == {"department": 15, "district": 9, "subdepartment": 7, "provincial_agency": 4}
    assert db.session.scalar(select(Organization).where(Organization.code == "CC-TDC")).parent.name \
        == "Sở Khoa học và Công nghệ"

    review = workshop(DEMO_CODE)
    assert "TCVN ISO 9001:2008" in review.title
    assert review.host_organization.name == "Sở Khoa học và Công nghệ"
    assert (review.letter_code, review.signer_name) == ("SKHCN", "Nguyễn Hữu Phúc")
    titles = [session.title for session in review.sessions]
    assert len(titles) == 5
    assert titles[0] == "Khai mạc hội thảo" and titles[-1] == "Kết luận hội thảo"
    assert "19/2014/QĐ-TTg" in titles[2]
    assert "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng" in titles[3]
    assert {session.chair.role for session in review.sessions} == {"chair"}
    assert {user.role for user in db.session.scalars(select(User))} == {"organizer", "chair", "staff"}


def test_the_provinces_bodies_sit_before_the_departments(runner, ctx):
    load(runner)
    review = workshop(DEMO_CODE)
    agencies = [invitation.organization.name for invitation in seating.invitees(review)
                if invitation.organization is not None]
    first_department = next(index for index, name in enumerate(agencies)
                            if name.startswith("Sở ") and name != "Sở Khoa học và Công nghệ")
    for name in ("Văn phòng UBND tỉnh Thái Nguyên", "Thanh tra tỉnh"):
        assert agencies.index(name) < first_department, name


def test_the_record_of_the_day(runner, ctx):
    load(runner)
    review = workshop(DEMO_CODE)
    invitations = db.session.scalars(select(Invitation).where(
        Invitation.workshop_id == review.id, Invitation.walk_in.is_(False))).all()
    assert sorted(invitation.letter_number for invitation in invitations) == list(range(1, 36))
    leaders = {o.id: o.leader_name for o in db.session.scalars(select(Organization))}
    assert all(invitation.name == leaders[invitation.organization_id] for invitation in invitations)
    statuses = {status: sum(1 for i in invitations if i.status == status)
                for status in {i.status for i in invitations}}
    assert statuses == {"accepted": 23, "delegated": 7, "declined": 3, "sent": 2}
    deputies = [i for i in invitations if i.status == "delegated"]
    assert all(i.delegate_name and i.delegate_title.startswith("Phó ") for i in deputies)
    deadline = review.rsvp_deadline
    assert all(i.responded_at <= deadline for i in invitations if i.status != "sent")

    checkins = db.session.scalars(select(CheckIn).where(CheckIn.workshop_id == review.id)).all()
    opened, closed = (datetime(2014, 8, 12, 7, 30, tzinfo=LOCAL_TZ),
                      datetime(2014, 8, 12, 8, 5, tzinfo=LOCAL_TZ))
    assert all(opened <= c.checked_in_at <= closed for c in checkins)
    assert {c.invitation.status for c in checkins} == {"accepted", "delegated"}
    assert sum(c.invitation.walk_in for c in checkins) == 1
    coming = sum(1 for i in invitations if i.status in ("accepted", "delegated"))
    assert coming - 3 <= len(checkins) - 1 < coming
    assert any(c.invitation.status == "delegated" for c in checkins)

    questions = db.session.scalars(select(Question).where(Question.workshop_id == review.id)).all()
    answered = [q for q in questions if q.answer]
    assert len(answered) >= 8 and all(q.status == "visible" for q in answered)
    assert sum(q.answered_by == OFFICIAL for q in answered) > len(answered) / 2
    assert {q.session.position for q in questions} == {4}
    assert [q.status for q in questions].count("hidden") == 1
    assert all(q.invitation.checkin is not None for q in questions)
    assert all(q.votes == count_votes(q) for q in questions)

    feedback = db.session.scalars(select(Feedback).where(Feedback.workshop_id == review.id)).all()
    assert {item.category for item in feedback} == set(FEEDBACK_CATEGORIES)
    assert len({item.invitation.organization_id for item in feedback}) >= 8
    assert any(item.rating and item.session for item in feedback)
    contributions = db.session.scalars(select(Contribution).join(Invitation).where(
        Invitation.workshop_id == review.id)).all()
    assert 2 <= len(contributions) <= 3 and all(c.attachment is None for c in contributions)

    draft = db.session.scalars(select(SummaryVersion).where(
        SummaryVersion.workshop_id == review.id)).one()
    assert draft.status == "draft" and draft.author.role == "chair"
    assert "kết luận" in draft.conclusions and "19/2014/QĐ-TTg" in draft.conclusions


def count_votes(question: Question) -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionVote).where(
        QuestionVote.question_id == question.id))


def test_the_summary_holds_every_answered_question_and_every_lesson(runner, ctx):
    load(runner)
    review = workshop(DEMO_CODE)
    summary = compile_summary(review)

    answered = dict(db.session.execute(select(Question.id, Question.answer).where(
        Question.workshop_id == review.id, Question.answer.is_not(None))).all())
    in_summary = {line.id: line.answer for session in summary.sessions
                  for line in session.questions if line.answer}
    assert answered and in_summary == answered

    lessons = db.session.scalars(select(Feedback.text).where(
        Feedback.workshop_id == review.id, Feedback.category == "lesson")).all()
    lessons += db.session.scalars(select(Contribution.lessons).join(Invitation).where(
        Invitation.workshop_id == review.id, Contribution.lessons.is_not(None))).all()
    assert lessons and sorted(remark.text for remark in summary.feedback["lesson"]) == sorted(lessons)
    assert summary.version is not None and not summary.is_final


def test_the_rehearsal_takes_answers_today(runner, ctx, client):
    output = load(runner)
    rehearsal = workshop(REHEARSAL_CODE)
    review = workshop(DEMO_CODE)
    assert rehearsal.title == "[Diễn tập] " + review.title
    assert "DIỄN TẬP" in rehearsal.description
    assert [s.title for s in rehearsal.sessions] == [s.title for s in review.sessions]
    assert (rehearsal.venue, rehearsal.letter_code, rehearsal.host_organization_id) == (
        review.venue, review.letter_code, review.host_organization_id)

    starts, ends = as_local(rehearsal.starts_at), as_local(rehearsal.ends_at)
    deadline = as_local(rehearsal.rsvp_deadline)
    today = as_local(utcnow()).date()
    assert starts.weekday() == 1 and 7 <= (starts.date() - today).days < 14
    assert (starts.time(), ends.time(), ends.date()) == (time(8), time(11, 30), starts.date())
    assert deadline.weekday() == 4 and deadline.time() == time(17)
    assert starts.date() - deadline.date() == timedelta(days=4)

    invitations = db.session.scalars(select(Invitation).where(
        Invitation.workshop_id == rehearsal.id)).all()
    assert len(invitations) == 35 and {i.status for i in invitations} == {"draft"}
    assert not db.session.scalars(select(CheckIn).where(CheckIn.workshop_id == rehearsal.id)).all()
    assert not db.session.scalars(select(Question).where(Question.workshop_id == rehearsal.id)).all()

    link = re.search(r"https?://\S+/i/(\S+)", output)
    assert link, output
    invitation = find_by_token(link.group(1))
    assert invitation.workshop_id == rehearsal.id
    assert client.get(f"/i/{invitation.token}").status_code == 200
    respond(invitation, "delegate", "Nguyễn Thị Thu", "Phó Giám đốc Sở", "0912 345 678")
    assert invitation.status == "delegated" and invitation.delegate_name == "Nguyễn Thị Thu"


def test_the_rehearsal_is_on_the_first_tuesday_a_week_ahead():
    assert rehearsal_day(date(2014, 8, 4)) == date(2014, 8, 12)  # a Monday
    assert rehearsal_day(date(2014, 8, 5)) == date(2014, 8, 12)  # a Tuesday: exactly a week
    assert rehearsal_day(date(2014, 8, 6)) == date(2014, 8, 19)


def snapshot() -> tuple:
    counts = tuple(count(model) for model in RECORDED)
    live = tuple(db.session.scalars(select(Workshop.live_version).order_by(Workshop.code)))
    statuses = tuple(db.session.execute(select(Invitation.id, Invitation.status, Invitation.responded_at)
                                        .order_by(Invitation.id)).all())
    questions = tuple(db.session.execute(select(Question.id, Question.status, Question.votes,
                                                Question.answered_at).order_by(Question.id)).all())
    return counts, live, statuses, questions


def test_demo_load_is_idempotent(runner, ctx):
    first = load(runner)
    before = snapshot()
    second = load(runner)
    db.session.expire_all()
    assert snapshot() == before
    # the record, the 2015 review that follows it, the rehearsal; 35 agencies invited to each
    assert before[0][:3] == (35, 3, 3) and before[0][3] == 35 + 1 + 35 + 35
    assert before[0][-2:] == (4, 4)  # the 2014 tasks and their reports
    link = re.search(r"/i/\S+", first).group(0)
    assert link in second
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output and link in result.output


def test_demo_load_if_empty_leaves_a_used_database_alone(runner, ctx):
    from tests import factories

    factories.make_workshop()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert count(Workshop) == 1 and count(Organization) == 0


def test_demo_logins_work(runner, ctx, client):
    load(runner)
    organizer = next(a for a in DEMO_ACCOUNTS if a.role == "organizer")
    response = client.post("/login", data={"email": organizer.email, "password": organizer.password})
    assert response.status_code == 302
    page = client.get("/workshops/").get_data(as_text=True)
    assert "TCVN ISO 9001:2008" in page and "[Diễn tập]" in page


def test_the_2014_conclusions_hold_tasks_and_the_2015_review_follows_them(runner, ctx, client):
    from tests.conftest import login_as

    load(runner)
    tasks = {task.organization.code: task for task in db.session.scalars(select(Task))}
    assert set(tasks) == {"CC-TDC", "SNV", "UBND-DT", "UBND-PB"}
    assert tasks["CC-TDC"].status == "done" and tasks["SNV"].status == "done"
    assert tasks["UBND-DT"].status_on(date(2026, 1, 1)) == "overdue"
    assert all(task.conclusion_item_id for task in tasks.values())
    chair = db.session.scalar(select(User).where(User.role == "chair"))
    login_as(client, chair)
    answer = client.get("/workshops/iso9001-2015/summary").get_data(as_text=True)
    assert "Kết quả thực hiện kết luận kỳ trước" in answer and "Đã nêu tại kỳ trước" in answer
    summary = client.get("/api/v1/workshops/iso9001-2015/summary").get_json()
    assert summary["previous"] == {"code": "iso9001-2014", "title": summary["previous"]["title"],
                                   "tasks": {"open": 0, "reported": 0, "done": 2, "overdue": 2}}
