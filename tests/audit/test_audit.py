"""The staff audit log: each operation writes its row in its own transaction; the organizer reads them."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from tests import factories
from workshop.extensions import db
from workshop.invitations import inviting
from workshop.models import AuditEntry, Invitation


def entries(*, sign_ins: bool = False) -> list[AuditEntry]:
    """The rows written so far; without the sign-ins of the signed-in test clients (they sign in
    through the same service as the form, so they are logged too) unless asked."""
    db.session.expire_all()
    statement = select(AuditEntry).order_by(AuditEntry.id)
    if not sign_ins:
        statement = statement.where(AuditEntry.action != "auth.login")
    return list(db.session.scalars(statement))


@contextlib.contextmanager
def counting_commits():
    """How many COMMITs reach the database meanwhile (the engine's own event, whatever the ORM)."""
    commits: list[object] = []

    def note(connection) -> None:
        commits.append(connection)

    event.listen(db.engine, "commit", note)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", note)


def test_api_checkin_with_a_token_is_recorded_in_the_check_in_commit(ctx, client, users, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, name="Nguyễn Văn Nam")
    headers = api_headers("staff")
    with counting_commits() as commits:
        response = client.post(f"/api/v1/workshops/{workshop.code}/checkins?access_token=bi-mat",
                               json={"token": invitation.pass_token}, headers=headers)
    assert response.status_code in (200, 201)
    # The check-in, its attempt and its audit row together: one transaction on SQLite; on
    # PostgreSQL one statement, a transaction of its own (no COMMIT: workshop/autocommit.py).
    assert len(commits) == (0 if db.engine.dialect.name == "postgresql" else 1)
    [entry] = entries()
    assert (entry.user_id, entry.user_email) == (users["staff"].id, users["staff"].email)
    assert (entry.action, entry.workshop_id, entry.detail) == (
        "checkin.check_in", workshop.id, "Nguyễn Văn Nam")

    again = client.post(f"/api/v1/workshops/{workshop.code}/checkins",
                        json={"token": invitation.pass_token}, headers=headers)
    assert again.json["result"] == "already_checked_in"
    assert len(entries()) == 1  # a second scan changes no attendance: only its attempt is kept


def test_page_action_is_recorded_in_one_commit_and_shown_to_the_organizer(ctx, client_as, users):
    workshop = factories.make_workshop()
    factories.make_invitee(workshop)
    organizer = client_as("organizer")
    with counting_commits() as commits:
        response = organizer.post(f"/workshops/{workshop.code}/invitations/mark-sent", data={})
    assert response.status_code < 400
    assert len(commits) == 1
    [entry] = entries()
    assert (entry.action, entry.user_id, entry.workshop_id) == (
        "invitations.mark_sent", users["organizer"].id, workshop.id)
    assert entry.detail == "1 giấy mời"

    for url in (f"/workshops/{workshop.code}/audit", "/audit"):
        page = organizer.get(url).get_data(as_text=True)
        assert "Đánh dấu đã gửi giấy mời" in page
        assert "1 giấy mời" in page
        assert users["organizer"].email in page
    assert client_as("staff").get(f"/workshops/{workshop.code}/audit").status_code == 403
    assert client_as("chair").get("/audit").status_code == 403


def test_refusals_and_attendees_are_not_recorded(ctx, client, client_as):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    refused = client_as("staff").post(f"/workshops/{workshop.code}/invitations/mark-sent", data={})
    assert refused.status_code == 403
    rsvp = client.post("/api/v1/rsvp", headers={"X-Invitation-Token": invitation.token},
                       json={"response": "accept"})
    assert rsvp.status_code == 200
    assert entries() == []


def test_a_refused_operation_leaves_no_row(ctx, client_as):
    workshop = factories.make_workshop()
    sent = factories.make_invitee(workshop, status="sent")
    organizer = client_as("organizer")
    refused = organizer.post(f"/workshops/{workshop.code}/invitations/{sent.id}/delete",
                             follow_redirects=True)
    assert "Chỉ xóa được giấy mời chưa gửi." in refused.get_data(as_text=True)
    invalid = organizer.post(f"/workshops/{workshop.code}/invitations/{sent.id}", data={"name": ""})
    assert invalid.status_code == 422
    assert entries() == []


def test_no_change_is_committed_without_its_row(ctx, users):
    """The row is part of the operation: when it cannot be written, the change is not made."""
    workshop = factories.make_workshop()
    draft = factories.make_invitee(workshop)

    def disk_full(mapper, connection, target):
        raise OperationalError("INSERT INTO audit_entries", {}, Exception("disk full"))

    event.listen(AuditEntry, "before_insert", disk_full)
    try:
        with pytest.raises(OperationalError):
            inviting.mark_sent(workshop, actor=users["organizer"])
    finally:
        event.remove(AuditEntry, "before_insert", disk_full)
    db.session.rollback()
    assert db.session.get(Invitation, draft.id).status == "draft"
    assert entries() == []


def test_without_a_request_the_caller_names_the_actor(ctx, users):
    """The CLI and the demo have no signed-in account: only an explicit `actor` is recorded."""
    workshop = factories.make_workshop()
    factories.make_invitee(workshop)
    inviting.invite_person(workshop, "Phạm Thị Lan")
    assert entries() == []
    inviting.invite_person(workshop, "Hoàng Văn Minh", actor=users["organizer"])
    [entry] = entries()
    assert (entry.action, entry.user_email, entry.detail) == (
        "invitations.invite_person", users["organizer"].email, "Hoàng Văn Minh")


def test_sign_in_is_recorded(ctx, client):
    user = factories.make_user("staff", email="canbo.dangnhap@example.org")
    wrong = client.post("/login", data={"email": user.email, "password": "sai-mat-khau"})
    assert wrong.status_code == 200
    assert entries(sign_ins=True) == []
    with counting_commits() as commits:
        signed_in = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    assert len(commits) == 1
    [entry] = entries(sign_ins=True)
    assert (entry.action, entry.user_email, entry.workshop_id) == ("auth.login", user.email, None)


def test_rows_of_the_request_log_become_actions(ctx, users):
    """The upgrade keeps the rows written before: an endpoint becomes the action it was."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    staff_id = users["staff"].id
    db.session.remove()
    downgrade(revision="0013_letter")
    with db.engine.begin() as connection:
        for endpoint in ("api.create_checkin", "invitations.mark_sent", "questions.something_new"):
            connection.execute(text(
                "INSERT INTO audit_entries (at, user_id, user_email, method, endpoint, path, status) "
                "VALUES (CURRENT_TIMESTAMP, :user, 'a@example.org', 'POST', :endpoint, '/x', 200)"),
                {"user": staff_id, "endpoint": endpoint})
    upgrade()
    assert [(entry.action, entry.detail) for entry in entries()] == [
        ("checkin.check_in", None), ("invitations.mark_sent", None), ("questions.something_new", None)]


def test_only_actions_the_page_can_name_are_logged(ctx, users):
    from workshop import audit

    with pytest.raises(ValueError):
        audit.log("invitations.renamed_by_mistake", actor=users["organizer"])
    assert all(str(label).strip() for label in audit.ACTIONS.values())
    assert not db.session.new  # nothing added for the commit to write


def test_the_detail_is_one_short_line_or_nothing(ctx, users):
    from workshop import audit

    workshop = factories.make_workshop()
    audit.log("feedback.set_closing", workshop=workshop, actor=users["organizer"])
    audit.log("questions.answer", workshop=workshop.id, actor=users["chair"],
              detail="Câu hỏi\nrất dài " + "x" * 300)
    db.session.commit()
    closing, answered = entries()
    assert closing.detail is None
    assert "\n" not in answered.detail and len(answered.detail) == audit.DETAIL_LENGTH
    assert answered.detail.endswith("…") and answered.workshop_id == workshop.id
