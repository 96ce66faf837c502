"""The workshop's phases: nothing new once it has ended (but an undo), questions before the
first session go to the session the organizer marked, and the personal page puts what matters
now first."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests import factories
from workshop.checkin import services as checkin
from workshop.demo.services import DEMO_CODE
from workshop.extensions import db
from workshop.models import CheckIn, Invitation, Question, Workshop
from workshop.phases import end_of, has_ended
from workshop.questions import services as questions
from workshop.timeutil import LOCAL_TZ, utcnow


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def ended_workshop():
    """A workshop that ended an hour ago."""
    now = utcnow()
    return factories.make_workshop(starts_at=now - timedelta(hours=4), ends_at=now - timedelta(hours=1))


def test_a_workshop_without_an_end_ends_with_its_day(ctx):
    workshop = factories.make_workshop(ends_at=None)  # 12/08/2030 08:00
    assert end_of(workshop).astimezone(LOCAL_TZ).isoformat() == "2030-08-13T00:00:00+07:00"
    assert not has_ended(workshop, workshop.starts_at + timedelta(hours=15))
    assert has_ended(workshop, workshop.starts_at + timedelta(hours=16))


def test_no_check_in_once_the_workshop_has_ended_but_an_undo(ctx, client, client_as, api_headers):
    workshop = ended_workshop()
    came = factories.make_invitee(workshop, status="accepted")
    late = factories.make_invitee(workshop, status="accepted")
    # Scanned offline during the workshop, synced after it: it happened in time.
    offline = checkin.check_in(workshop, came.pass_token, scanned_at=workshop.ends_at - timedelta(minutes=5))
    assert offline.result == "checked_in"

    headers = api_headers("staff")
    response = client.post(f"/api/v1/workshops/{workshop.code}/checkins", headers=headers,
                           json={"token": late.pass_token})
    assert response.status_code == 409
    body = response.get_json()
    assert body["result"] == "workshop_ended" and body["error"]["code"] == "workshop_ended"
    assert body["error"]["message"] == "Hội thảo đã kết thúc nên không nhận điểm danh nữa."
    invitations = count(Invitation)
    assert checkin.register_walk_in(workshop, "Người Đến Muộn", None, None).result == "workshop_ended"
    assert (count(Invitation), count(CheckIn)) == (invitations, 1)
    staff = client_as("staff")
    page = staff.post(f"/workshops/{workshop.code}/scan/walk-in", data={"name": "Người Đến Muộn"})
    assert page.status_code == 409 and page.get_json()["result"] == "workshop_ended"
    assert count(Invitation) == invitations

    undo = client.delete(f"/api/v1/workshops/{workshop.code}/invitations/{came.id}/checkin",
                         headers=headers)
    assert undo.status_code == 200 and count(CheckIn) == 0


def test_no_question_once_the_workshop_has_ended(ctx, client):
    workshop = ended_workshop()
    invitee = factories.make_invitee(workshop, status="accepted")
    session_id = workshop.sessions[0].id
    api = client.post(f"/api/v1/workshops/{workshop.code}/questions",
                      headers={"X-Invitation-Token": invitee.token},
                      json={"session_id": session_id, "text": "Câu hỏi sau giờ họp?"})
    assert api.status_code == 409 and api.get_json()["error"]["code"] == "workshop_ended"
    page = client.post(f"/i/{invitee.token}/questions",
                       data={"session_id": session_id, "text": "Câu hỏi sau giờ họp?"})
    assert page.status_code == 409
    assert "Hội thảo đã kết thúc nên không nhận thêm câu hỏi." in page.get_data(as_text=True)
    assert 'id="ask-form"' not in client.get(f"/i/{invitee.token}/questions").get_data(as_text=True)
    assert count(Question) == 0


def test_the_2014_record_takes_neither_questions_nor_check_ins(runner, ctx, client, api_headers):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    workshop = db.session.scalar(select(Workshop).where(Workshop.code == DEMO_CODE))
    absent = db.session.scalars(select(Invitation).where(
        Invitation.workshop_id == workshop.id, Invitation.status == "accepted",
        ~Invitation.checkin.has())).first()
    questions_before, checkins_before = count(Question), count(CheckIn)
    scan = client.post(f"/api/v1/workshops/{DEMO_CODE}/checkins", headers=api_headers("staff"),
                       json={"token": absent.pass_token})
    asked = client.post(f"/api/v1/workshops/{DEMO_CODE}/questions",
                        headers={"X-Invitation-Token": absent.token},
                        json={"session_id": workshop.sessions[3].id, "text": "Còn hỏi được không?"})
    assert (scan.status_code, asked.status_code) == (409, 409)
    assert (count(Question), count(CheckIn)) == (questions_before, checkins_before)
    page = client.get(f"/workshops/{DEMO_CODE}/self-checkin").get_data(as_text=True)
    assert "Hội thảo đã kết thúc" in page


def test_questions_before_the_first_session_go_to_the_marked_one(ctx, client, client_as):
    workshop = factories.make_workshop(starts_at=utcnow() + timedelta(days=1), ends_at=None)
    opening, discussion = workshop.sessions
    opening.starts_at = workshop.starts_at
    opening.ends_at = workshop.starts_at + timedelta(minutes=15)
    discussion.starts_at = workshop.starts_at + timedelta(hours=1)
    db.session.commit()
    invitee = factories.make_invitee(workshop, status="accepted")

    organizer = client_as("organizer")
    marked = organizer.post(f"/workshops/{workshop.code}/sessions/{discussion.id}/questions/open")
    assert marked.status_code == 302
    db.session.refresh(opening)
    db.session.refresh(discussion)
    assert (opening.open_for_questions, discussion.open_for_questions) == (False, True)
    agenda = organizer.get(f"/workshops/{workshop.code}/").get_data(as_text=True)
    assert "Phiên nhận câu hỏi" in agenda and "Bỏ nhận câu hỏi" in agenda

    assert questions.pick_session(workshop) is discussion  # before the first session
    assert questions.pick_session(workshop, now=opening.starts_at) is opening  # running wins
    page = client.get(f"/i/{invitee.token}/questions").get_data(as_text=True)
    assert f'<option value="{discussion.id}" selected>' in page
    client.post(f"/i/{invitee.token}/questions",
                data={"session_id": discussion.id, "text": "Hỏi trước giờ họp"})
    assert db.session.scalars(select(Question.session_id)).all() == [discussion.id]

    organizer.post(f"/workshops/{workshop.code}/sessions/{discussion.id}/questions/closed")
    db.session.refresh(discussion)
    assert discussion.open_for_questions is False
    assert questions.pick_session(workshop) is opening  # nothing marked: the first, as before


def positions(client, invitation, *ids: str) -> list[int]:
    page = client.get(f"/i/{invitation.token}").get_data(as_text=True)
    return [page.find(f'id="{name}"') for name in ids]


def test_the_personal_page_puts_what_matters_now_first(ctx, client):
    now = utcnow()
    before = factories.make_workshop(starts_at=now + timedelta(days=7), ends_at=None)
    answer, pass_, summary = positions(client, factories.make_invitee(before, status="sent"),
                                       "answer", "pass", "summary")
    assert -1 < answer < pass_ and summary == -1  # the answer first while it can change

    # Under way with an end of its own: without one it ends with its (Vietnamese) day, and an
    # hour ago is yesterday from 00:00 to 01:00 there (17:00 to 18:00 UTC).
    today = factories.make_workshop(starts_at=now - timedelta(hours=1),
                                    ends_at=now + timedelta(hours=2),
                                    rsvp_deadline=now - timedelta(days=1))
    answer, pass_ = positions(client, factories.make_invitee(today, status="accepted"),
                              "answer", "pass")
    assert -1 < pass_ < answer  # on the day, the pass

    after = ended_workshop()
    attendee = factories.make_invitee(after, status="accepted")
    summary, answer = positions(client, attendee, "summary", "answer")
    assert -1 < summary < answer  # afterwards, the summary (or where it will be published)
    page = client.get(f"/i/{attendee.token}").get_data(as_text=True)
    assert "Báo cáo kết quả sẽ được công bố tại đây" in page and "Đặt câu hỏi" not in page
