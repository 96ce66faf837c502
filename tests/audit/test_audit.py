"""The staff audit log (issue 7, item 6): staff changes are recorded, the organizer reads them."""
from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from tests import factories
from workshop.extensions import db
from workshop.models import AuditEntry


def entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_api_checkin_with_a_token_is_recorded_without_the_query_string(ctx, client, users, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    response = client.post(f"/api/v1/workshops/{workshop.code}/checkins?access_token=bi-mat",
                           json={"token": invitation.pass_token}, headers=api_headers("staff"))
    assert response.status_code in (200, 201)
    [entry] = entries()
    assert (entry.user_id, entry.user_email) == (users["staff"].id, users["staff"].email)
    assert (entry.endpoint, entry.method, entry.workshop_id) == ("api.create_checkin", "POST", workshop.id)
    assert entry.path == f"/api/v1/workshops/{workshop.code}/checkins"
    assert entry.status == response.status_code


def test_page_action_is_recorded_and_shown_to_the_organizer(ctx, client_as, users):
    workshop = factories.make_workshop()
    factories.make_invitee(workshop)
    organizer = client_as("organizer")
    response = organizer.post(f"/workshops/{workshop.code}/invitations/mark-sent", data={})
    assert response.status_code < 400
    [entry] = entries()
    assert (entry.endpoint, entry.user_id, entry.workshop_id) == (
        "invitations.mark_sent", users["organizer"].id, workshop.id)

    for url in (f"/workshops/{workshop.code}/audit", "/audit"):
        page = organizer.get(url).get_data(as_text=True)
        assert "Đánh dấu đã gửi giấy mời" in page
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


def test_sign_in_is_recorded(ctx, client):
    user = factories.make_user("staff", email="canbo.dangnhap@example.org")
    wrong = client.post("/login", data={"email": user.email, "password": "sai-mat-khau"})
    assert wrong.status_code == 200
    assert entries() == []
    signed_in = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    [entry] = entries()
    assert (entry.endpoint, entry.user_email, entry.workshop_id) == ("auth.login", user.email, None)


def test_audit_failure_leaves_the_response_alone(ctx, client_as):
    workshop = factories.make_workshop()
    factories.make_invitee(workshop)

    def disk_full(mapper, connection, target):
        raise OperationalError("INSERT INTO audit_entries", {}, Exception("disk full"))

    event.listen(AuditEntry, "before_insert", disk_full)
    try:
        response = client_as("organizer").post(f"/workshops/{workshop.code}/invitations/mark-sent", data={})
    finally:
        event.remove(AuditEntry, "before_insert", disk_full)
    assert response.status_code < 400
    assert entries() == []
