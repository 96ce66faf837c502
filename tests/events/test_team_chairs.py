"""A session's chair is a member of the workshop's team: taken out of the team (or made staff),
they stop chairing the workshop's sessions in the same transaction, the audit log says so, and
the organizer is told which sessions need another chair."""
from __future__ import annotations

from sqlalchemy import select

from tests import factories
from workshop.extensions import db
from workshop.models import AuditEntry, Question, WorkshopSession


def chaired_world():
    """A chair in the teams of two workshops, chairing the first session of A."""
    a = factories.make_workshop(title="Hội thảo của Sở Nội vụ")
    b = factories.make_workshop(title="Hội thảo của Sở Tài chính")
    chair = factories.make_user("chair", name="Đỗ Văn Chủ")
    row = factories.make_team_member(a, chair, "chair")
    factories.make_team_member(b, chair, "chair")
    session = a.sessions[0]
    session.chair_id = chair.id
    db.session.commit()
    invitee = factories.make_invitee(a, "Nguyễn Văn Hỏi", status="accepted")
    question = Question(workshop_id=a.id, session_id=session.id, invitation_id=invitee.id,
                        text="Thời hạn giải quyết hồ sơ có rút ngắn được không?", status="pending")
    db.session.add(question)
    db.session.commit()
    return a, chair, row, session, question


def moderate(client, question, headers):
    return client.patch(f"/api/v1/questions/{question.id}", headers=headers,
                        json={"status": "visible"})


def chair_of(session) -> int | None:
    db.session.expire_all()
    return db.session.get(WorkshopSession, session.id).chair_id


def test_a_chair_taken_out_of_the_team_stops_chairing_the_session(ctx, client, api_headers):
    a, chair, row, session, question = chaired_world()
    headers = factories.bearer_headers(chair)
    assert moderate(client, question, headers).status_code == 200  # chairs it while in the team
    question.status = "pending"
    db.session.commit()

    removed = client.delete(f"/api/v1/workshops/{a.code}/team/{row.id}",
                            headers=api_headers("organizer"))

    assert removed.status_code == 200
    assert removed.get_json() == {"items": [], "unchaired_sessions": [
        {"id": session.id, "title": session.title}]}
    assert chair_of(session) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "events.unchair"))
    assert entry.workshop_id == a.id and chair.email in entry.detail and session.title in entry.detail
    # Still in B's team, so limited to B: A's session's questions are no longer theirs.
    assert moderate(client, question, headers).status_code == 403
    db.session.refresh(question)
    assert question.status == "pending"
    agenda = client.get(f"/api/v1/workshops/{a.code}", headers=api_headers("organizer")).get_json()
    assert [s["chair_email"] for s in agenda["sessions"] if s["id"] == session.id] == [None]


def test_the_team_page_warns_and_names_the_sessions_left_without_a_chair(ctx, client_as):
    a, chair, row, session, _question = chaired_world()
    organizer = client_as("organizer")
    page = organizer.get(f"/workshops/{a.code}/team").get_data(as_text=True)
    assert f"Chủ trì phiên: {session.title}" in page
    assert "Các phiên do người này chủ trì sẽ chưa có người chủ trì" in page  # the confirm

    removed = organizer.post(f"/workshops/{a.code}/team/{row.id}/delete", follow_redirects=True)

    text = removed.get_data(as_text=True)
    assert "Đã bỏ tài khoản khỏi nhóm công tác." in text
    assert f"vui lòng chọn người chủ trì khác: {session.title}." in text
    assert chair_of(session) is None


def test_a_chair_in_no_team_afterwards_stops_chairing_too(ctx, client, api_headers):
    """Left in no team, the account gets back its role on every workshop (the contract), but
    the organizer took it off this workshop: its chair goes all the same."""
    a = factories.make_workshop()
    chair = factories.make_user("chair")
    row = factories.make_team_member(a, chair, "chair")
    session = a.sessions[1]
    session.chair_id = chair.id
    db.session.commit()

    removed = client.delete(f"/api/v1/workshops/{a.code}/team/{row.id}",
                            headers=api_headers("organizer")).get_json()

    assert [s["id"] for s in removed["unchaired_sessions"]] == [session.id]
    assert chair_of(session) is None
    assert chair_of(a.sessions[0]) is None  # chaired by nobody before, untouched


def test_a_chair_made_staff_stops_chairing(ctx, client, api_headers):
    a, chair, _row, session, question = chaired_world()

    changed = client.post(f"/api/v1/workshops/{a.code}/team", headers=api_headers("organizer"),
                          json={"email": chair.email, "role": "staff"})

    assert changed.status_code == 200 and changed.get_json()["role"] == "staff"
    assert chair_of(session) is None
    assert "events.unchair" in db.session.scalars(select(AuditEntry.action)).all()
    assert moderate(client, question, factories.bearer_headers(chair)).status_code == 403


def test_removing_a_member_who_chairs_nothing_touches_no_session(ctx, client, api_headers):
    a, chair, _row, session, _question = chaired_world()
    staff = factories.make_user("staff")
    row = factories.make_team_member(a, staff, "staff")

    removed = client.delete(f"/api/v1/workshops/{a.code}/team/{row.id}",
                            headers=api_headers("organizer")).get_json()

    assert removed["unchaired_sessions"] == []
    assert chair_of(session) == chair.id
    assert "events.unchair" not in db.session.scalars(select(AuditEntry.action)).all()


def test_an_account_joining_its_first_team_stops_chairing_other_workshops(ctx, client,
                                                                       api_headers):
    """A chair in no team chairs anywhere; put in A's team, it acts on A only, so the session
    it chaired in B is left for B's organizer to give another chair."""
    a = factories.make_workshop(title="Hội thảo của Sở Nội vụ")
    b = factories.make_workshop(title="Hội thảo của Sở Tài chính")
    chair = factories.make_user("chair", name="Đỗ Văn Chủ")
    b.sessions[0].chair_id = chair.id
    a.sessions[0].chair_id = chair.id
    db.session.commit()
    session_a, session_b = a.sessions[0], b.sessions[0]

    added = client.post(f"/api/v1/workshops/{a.code}/team", headers=api_headers("organizer"),
                        json={"email": chair.email, "role": "chair"})

    assert added.status_code in (200, 201), added.get_json()
    assert chair_of(session_b) is None
    assert chair_of(session_a) == chair.id  # the team it joined keeps it as chair
    unchaired = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "events.unchair"))
    assert [entry.workshop_id for entry in unchaired] == [b.id]
