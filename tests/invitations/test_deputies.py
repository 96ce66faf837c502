"""Deputies approved by the organizer, with their own pass: the API rows, the door, the history."""
from tests import factories
from workshop.extensions import db
from workshop.models import AuditEntry, DeputyNomination, Invitation

DEPUTY = {"response": "delegate", "delegate_name": "Lê Thị Hoa",
          "delegate_title": "Phó Giám đốc Sở", "delegate_phone": "0912 345 678"}


def deputy_url(invitation):
    return f"/api/v1/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"


def checkin_url(workshop):
    return f"/api/v1/workshops/{workshop.code}/checkins"


def me(invitation):
    return {"X-Invitation-Token": invitation.token}


def delegated(client, deputy_approval=True, **deputy):
    workshop = factories.make_workshop(deputy_approval=deputy_approval)
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    answer = client.post("/api/v1/rsvp", headers=me(invitation), json={**DEPUTY, **deputy})
    assert answer.status_code == 200, answer.get_json()
    return invitation, answer.get_json()


def test_patch_workshop_sets_deputy_approval(ctx, client, api_headers):
    workshop = factories.make_workshop()
    url = f"/api/v1/workshops/{workshop.code}"
    assert client.get(url, headers=api_headers("organizer")).get_json()["deputy_approval"] is False

    changed = client.patch(url, headers=api_headers("organizer"), json={"deputy_approval": True})

    assert changed.status_code == 200 and changed.get_json()["deputy_approval"] is True
    db.session.refresh(workshop)
    assert workshop.deputy_approval is True
    # A later change of another field keeps it.
    client.patch(url, headers=api_headers("organizer"), json={"venue": "Phòng họp số 2"})
    db.session.refresh(workshop)
    assert workshop.deputy_approval is True
    bad = client.patch(url, headers=api_headers("organizer"), json={"deputy_approval": "có"})
    assert bad.status_code == 422


def test_delegate_waits_for_the_organizer_and_keeps_the_pass(ctx, client):
    invitation, body = delegated(client)
    old_pass = invitation.pass_token

    assert body["status"] == "delegated"
    assert body["deputy"]["state"] == "pending" and body["deputy"]["reason"] is None
    assert body["pass_token"] == old_pass
    nomination = db.session.scalars(db.select(DeputyNomination)).one()
    assert (nomination.name, nomination.title, nomination.phone, nomination.state) == (
        "Lê Thị Hoa", "Phó Giám đốc Sở", "0912 345 678", "pending")


def test_only_the_organizer_decides(ctx, client, api_headers):
    invitation, _ = delegated(client)
    url = deputy_url(invitation)

    assert client.post(url, json={"approve": True}).status_code == 401
    for role in ("staff", "chair"):
        assert client.post(url, headers=api_headers(role), json={"approve": True}).status_code == 403
    assert client.post(url, headers=me(invitation), json={"approve": True}).status_code in (401, 403)
    db.session.refresh(invitation)
    assert invitation.deputy_state == "pending"


def test_bad_decisions_are_422_and_unknown_invitation_404(ctx, client, api_headers):
    invitation, _ = delegated(client)
    organizer = api_headers("organizer")

    for body in ({}, {"approve": "maybe"}, {"approve": False}, {"approve": False, "reason": "  "},
                 {"approve": False, "reason": "x" * 501}):
        answer = client.post(deputy_url(invitation), headers=organizer, json=body)
        assert answer.status_code == 422, body
    other = f"/api/v1/workshops/{invitation.workshop.code}/invitations/99999/deputy"
    assert client.post(other, headers=organizer, json={"approve": True}).status_code == 404
    db.session.refresh(invitation)
    assert invitation.deputy_state == "pending"


def test_approval_gives_a_new_pass_and_the_old_one_is_refused_at_the_door(ctx, client,
                                                                         api_headers):
    invitation, _ = delegated(client)
    old_pass = invitation.pass_token
    organizer = api_headers("organizer")

    approved = client.post(deputy_url(invitation), headers=organizer, json={"approve": True})

    assert approved.status_code == 200
    assert approved.get_json()["deputy"]["state"] == "approved"
    db.session.refresh(invitation)
    new_pass = invitation.pass_token
    assert new_pass != old_pass
    assert client.get("/api/v1/me", headers=me(invitation)).get_json()["pass_token"] == new_pass

    staff = api_headers("staff")
    refused = client.post(checkin_url(invitation.workshop), headers=staff,
                          json={"token": old_pass})
    assert refused.status_code == 409
    assert refused.get_json()["result"] == "replaced"
    assert refused.get_json()["deputy_name"] == "Lê Thị Hoa"
    assert "Lê Thị Hoa" in refused.get_json()["error"]["message"]
    assert invitation.checkin is None

    entered = client.post(checkin_url(invitation.workshop), headers=staff, json={"token": new_pass})
    assert entered.status_code == 200 and entered.get_json()["result"] == "checked_in"
    assert entered.get_json()["attendee"]["name"] == "Lê Thị Hoa"
    assert entered.get_json()["attendee"]["delegate_for"] == "Trần Văn Bình"

    # Deciding twice is refused and changes nothing.
    again = client.post(deputy_url(invitation), headers=organizer,
                        json={"approve": False, "reason": "Muộn"})
    assert again.status_code == 409
    db.session.refresh(invitation)
    assert (invitation.deputy_state, invitation.pass_token) == ("approved", new_pass)
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions.count("invitations.approve_deputy") == 1
    assert "invitations.refuse_deputy" not in actions


def test_refusal_reason_reaches_the_invitee_who_names_another(ctx, client, api_headers):
    invitation, _ = delegated(client)
    old_pass = invitation.pass_token
    reason = "Đề nghị cử lãnh đạo cấp Sở dự hội thảo."

    refused = client.post(deputy_url(invitation), headers=api_headers("organizer"),
                          json={"approve": False, "reason": reason})

    assert refused.status_code == 200
    own = client.get("/api/v1/me", headers=me(invitation)).get_json()
    assert own["deputy"] == {**own["deputy"], "state": "refused", "reason": reason}
    assert own["pass_token"] == old_pass  # a refused deputy gets no pass
    page = client.get(f"/i/{invitation.token}")
    assert reason in page.get_data(as_text=True)

    again = client.post("/api/v1/rsvp", headers=me(invitation),
                        json={**DEPUTY, "delegate_name": "Phạm Quốc Hùng",
                              "delegate_title": "Giám đốc Sở"})
    assert again.get_json()["deputy"]["state"] == "pending"
    client.post(deputy_url(invitation), headers=api_headers("organizer"), json={"approve": True})
    client.post("/api/v1/rsvp", headers=me(invitation), json={"response": "accept"})

    history = db.session.scalars(db.select(DeputyNomination).order_by(DeputyNomination.id)).all()
    assert [(n.name, n.state, n.reason) for n in history] == [
        ("Lê Thị Hoa", "refused", reason), ("Phạm Quốc Hùng", "approved", None)]
    assert all(n.decided_by is not None and n.decided_by.role == "organizer" for n in history)
    assert history[0].named_at <= history[1].named_at


def test_a_new_answer_withdraws_the_deputy_waiting(ctx, client, api_headers):
    invitation, _ = delegated(client)

    client.post("/api/v1/rsvp", headers=me(invitation), json={"response": "accept"})

    nomination = db.session.scalars(db.select(DeputyNomination)).one()
    assert nomination.state == "withdrawn"
    db.session.refresh(invitation)
    assert invitation.deputy_state is None
    assert client.post(deputy_url(invitation), headers=api_headers("organizer"),
                       json={"approve": True}).status_code == 409


def test_without_approval_the_deputy_gets_a_pass_at_once(ctx, client, api_headers):
    invitation, body = delegated(client, deputy_approval=False)
    db.session.refresh(invitation)
    history = db.session.scalars(db.select(DeputyNomination)).one()

    assert body["deputy"]["state"] == "approved"
    assert body["pass_token"] == invitation.pass_token == history.pass_token
    assert history.state == "approved" and history.decided_by is None
    staff = api_headers("staff")
    old = client.post(checkin_url(invitation.workshop), headers=staff,
                      json={"token": history.replaced_pass_token})
    assert old.status_code == 409 and old.get_json()["result"] == "replaced"
    new = client.post(checkin_url(invitation.workshop), headers=staff,
                      json={"token": invitation.pass_token})
    assert new.status_code == 200 and new.get_json()["attendee"]["name"] == "Lê Thị Hoa"
    # Nothing waits for the organizer.
    assert client.post(deputy_url(invitation), headers=api_headers("organizer"),
                       json={"approve": True}).status_code == 409
    # The same deputy sent again keeps their pass.
    client.post("/api/v1/rsvp", headers=me(invitation), json=DEPUTY)
    assert db.session.get(Invitation, invitation.id).pass_token == history.pass_token


def test_a_pass_replaced_by_the_deputys_own_is_revoked_in_the_doors_offline_roster(ctx, client,
                                                                                 api_headers):
    """Offline, the scanner refuses what the door refuses online: the old pass is listed in
    the roster's `revoked`, the deputy's new pass is an entry."""
    from workshop.checkin.roster import pass_hash

    invitation, _ = delegated(client)
    old_pass = invitation.pass_token
    client.post(deputy_url(invitation), headers=api_headers("organizer"), json={"approve": True})
    db.session.refresh(invitation)
    roster = client.get(f"/api/v1/workshops/{invitation.workshop.code}/roster",
                        headers=api_headers("staff")).get_json()
    assert roster["revoked"] == [pass_hash(old_pass)]
    assert pass_hash(invitation.pass_token) in {entry["h"] for entry in roster["entries"]}


def test_a_refused_deputy_is_named_nowhere_the_invitee_is(ctx, client, api_headers):
    """Refused, the deputy is not coming: the invitation counts as unanswered, and whoever shows
    the person of this invitation (lists by the SQL name, the door, the questions asked with
    the invitee's link) names the invitee, not the refused deputy."""
    from workshop.questions import services as questions

    invitation, _ = delegated(client)
    client.post(deputy_url(invitation), headers=api_headers("organizer"),
                json={"approve": False, "reason": "Đề nghị lãnh đạo Sở dự."})
    db.session.refresh(invitation)
    assert (invitation.status, invitation.deputy_state) == ("delegated", "refused")

    assert (invitation.attendee_name, invitation.attendee_title) == (invitation.name, invitation.title)
    assert invitation.stands_in_for is None
    by_sql = db.session.scalar(db.select(Invitation.attendee_name).where(Invitation.id == invitation.id))
    assert by_sql == invitation.name

    door = client.post(checkin_url(invitation.workshop), headers=api_headers("staff"),
                       json={"token": invitation.pass_token})
    assert door.get_json()["attendee"]["name"] == invitation.name

    workshop = invitation.workshop
    asked = questions.ask(workshop, workshop.sessions[0].id, invitation, "Kinh phí năm sau?")
    listed = client.get(f"/api/v1/workshops/{workshop.code}/questions",
                        headers=api_headers("staff")).get_json()["items"]
    (item,) = [item for item in listed if item["id"] == asked.id]
    assert item["asker"]["name"] == invitation.name
