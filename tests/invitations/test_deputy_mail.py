"""The approved deputy's own pass, e-mailed when the invitee gave the deputy's address: queued
with the decision (and only if it is committed), delivered to a real SMTP server, never for a
refusal, which only the invitee reads."""
import pytest
from flask import g

from tests import factories
from tests.smtp import smtp_server_fixture  # noqa: F401
from workshop.extensions import db
from workshop.models import DeputyNomination, Invitation, OutboxMessage
from workshop.outbox import services as outbox

DEPUTY = {"response": "delegate", "delegate_name": "Lê Thị Hoa",
          "delegate_title": "Phó Giám đốc Sở", "delegate_phone": "0912 345 678",
          "delegate_email": "le.thi.hoa@stp.example.org"}


@pytest.fixture
def app(make_app, smtp_server):
    """The app, sending mail to the test's real SMTP server."""
    app = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port,
                   MAIL_FROM="hoithao@example.org", BASE_URL="https://hoithao.example.org")
    app.before_request(_forget_cached_login)  # as conftest's `app` does
    return app


def _forget_cached_login() -> None:
    g.pop("_login_user", None)


def me(invitation):
    return {"X-Invitation-Token": invitation.token}


def deputy_url(invitation):
    return f"/api/v1/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"


def delegated(client, deputy_approval=True, **deputy):
    workshop = factories.make_workshop(deputy_approval=deputy_approval)
    agency = factories.make_organization("Sở Tư pháp")
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent",
                                        title="Giám đốc Sở", organization_id=agency.id)
    answer = client.post("/api/v1/rsvp", headers=me(invitation), json={**DEPUTY, **deputy})
    assert answer.status_code == 200, answer.get_json()
    return invitation, answer.get_json()


def mails():
    db.session.rollback()
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_approved_deputy_receives_their_own_pass_by_email(ctx, client, api_headers, smtp_server):
    invitation, body = delegated(client)
    assert body["delegate_email"] == "le.thi.hoa@stp.example.org"
    assert mails() == []  # nothing before the organizer's decision
    organizer = api_headers("organizer")
    [row] = client.get(f"/api/v1/workshops/{invitation.workshop.code}/invitations",
                       headers=organizer).get_json()["items"]
    assert row["delegate_email"] == "le.thi.hoa@stp.example.org"  # the organizer's view
    old_pass = invitation.pass_token

    approved = client.post(deputy_url(invitation), headers=organizer,
                           json={"approve": True, "nomination_id": row["deputy"]["nomination_id"]})

    assert approved.status_code == 200, approved.get_json()
    [queued] = mails()
    assert (queued.kind, queued.to_address, queued.status) == (
        "deputy", "le.thi.hoa@stp.example.org", "queued")
    assert smtp_server.messages == []  # queued with the decision, sent by a delivery round
    assert outbox.deliver_due().sent == 1
    [mail] = smtp_server.messages
    assert mail["To"] == "le.thi.hoa@stp.example.org"
    assert invitation.workshop.title in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Kính gửi: Ông/Bà Lê Thị Hoa, Phó Giám đốc Sở")
    assert "đại biểu dự " + invitation.workshop.title in text
    assert "thay ông/bà Trần Văn Bình, Giám đốc Sở – Sở Tư pháp" in text
    assert "08:00, Thứ Hai, 12/08/2030" in text and invitation.workshop.venue in text
    assert "Trân trọng." in text

    # The link in the mail shows the deputy's own pass, which enters; the old one is refused.
    db.session.expire_all()
    new_pass = db.session.get(Invitation, invitation.id).pass_token
    assert new_pass != old_pass
    link = next(line for line in text.splitlines() if "/pass/" in line).strip()
    assert link == f"https://hoithao.example.org/pass/{new_pass}"
    assert invitation.token not in text  # the invitee's own link stays theirs
    page = client.get(link.removeprefix("https://hoithao.example.org")).get_data(as_text=True)
    assert 'class="pass-name">Lê Thị Hoa<' in page and "Dự thay ông/bà Trần Văn Bình" in page
    door = f"/api/v1/workshops/{invitation.workshop.code}/checkins"
    staff = api_headers("staff")
    assert client.post(door, headers=staff, json={"token": old_pass}).status_code == 409
    entered = client.post(door, headers=staff, json={"token": link.rsplit("/", 1)[1]})
    assert entered.get_json()["attendee"]["name"] == "Lê Thị Hoa"

    # The deputy's mail is not the invitation's: the invitee's letter is still "not e-mailed".
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.first_emailed_at is None and outbox.last_delivery(invitation) is None


def test_a_refusal_is_mailed_to_nobody_and_the_invitee_reads_it(ctx, client, api_headers):
    invitation, _ = delegated(client)
    reason = "Đề nghị cử lãnh đạo cấp Sở dự hội thảo."

    refused = client.post(deputy_url(invitation), headers=api_headers("organizer"),
                          json={"approve": False, "reason": reason})

    assert refused.status_code == 200
    assert mails() == []
    assert reason in client.get(f"/i/{invitation.token}").get_data(as_text=True)


def test_without_approval_the_pass_mail_is_queued_with_the_answer(ctx, client, smtp_server):
    invitation, body = delegated(client, deputy_approval=False)

    [queued] = mails()
    assert queued.to_address == DEPUTY["delegate_email"]
    assert outbox.deliver_due().sent == 1
    text = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert f"/pass/{body['pass_token']}" in text and "Lê Thị Hoa" in text
    # The same deputy sent again gets no second mail.
    client.post("/api/v1/rsvp", headers=me(invitation), json=DEPUTY)
    assert len(mails()) == 1


def test_a_decision_refused_queues_no_mail(ctx, client, api_headers):
    invitation, _ = delegated(client)
    organizer = api_headers("organizer")
    assert client.post(deputy_url(invitation), headers=organizer,
                       json={"approve": True}).status_code == 200

    again = client.post(deputy_url(invitation), headers=organizer, json={"approve": True})

    assert again.status_code == 409
    assert len(mails()) == 1


def test_an_address_given_after_approval_gets_the_same_pass(ctx, client, api_headers):
    invitation, _ = delegated(client, delegate_email=None)
    client.post(deputy_url(invitation), headers=api_headers("organizer"), json={"approve": True})
    assert mails() == []  # no address: the invitee sends the Zalo/SMS text
    db.session.expire_all()
    pass_token = db.session.get(Invitation, invitation.id).pass_token

    again = client.post("/api/v1/rsvp", headers=me(invitation), json=DEPUTY)

    assert again.get_json()["deputy"]["state"] == "approved"  # the same person: no new approval
    assert again.get_json()["pass_token"] == pass_token
    [queued] = mails()
    assert queued.to_address == DEPUTY["delegate_email"] and f"/pass/{pass_token}" in queued.body_text
    assert db.session.scalars(db.select(DeputyNomination)).one().email == DEPUTY["delegate_email"]


def test_a_bad_address_is_refused_and_changes_nothing(ctx, client):
    workshop = factories.make_workshop(deputy_approval=True)
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")

    bad = client.post("/api/v1/rsvp", headers=me(invitation),
                      json={**DEPUTY, "delegate_email": "le.thi.hoa@"})

    assert bad.status_code == 422
    assert "e-mail không hợp lệ" in str(bad.get_json())
    page = client.post(f"/i/{invitation.token}", data={**DEPUTY, "delegate_email": "không-phải"})
    assert page.status_code == 422
    assert "Địa chỉ e-mail không hợp lệ." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "sent"
    assert db.session.scalars(db.select(DeputyNomination)).all() == []


def test_the_deputy_form_takes_the_address_and_the_organizer_sees_it(ctx, client, client_as):
    workshop = factories.make_workshop(deputy_approval=True)
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    form = client.get(f"/i/{invitation.token}").get_data(as_text=True)
    assert 'name="delegate_email"' in form and 'type="email"' in form

    sent = client.post(f"/i/{invitation.token}", data=DEPUTY)

    assert sent.status_code == 302
    assert DEPUTY["delegate_email"] in client.get(f"/i/{invitation.token}").get_data(as_text=True)
    organizer = client_as("organizer")
    listed = organizer.get(f"/workshops/{workshop.code}/invitations").get_data(as_text=True)
    assert DEPUTY["delegate_email"] in listed
    approved = organizer.post(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/deputy",
        data={"decision": "approve"}, follow_redirects=True).get_data(as_text=True)
    assert f"gửi qua e-mail tới {DEPUTY['delegate_email']}" in approved
    history = organizer.get(f"/workshops/{workshop.code}/invitations/{invitation.id}")
    assert DEPUTY["delegate_email"] in history.get_data(as_text=True)
