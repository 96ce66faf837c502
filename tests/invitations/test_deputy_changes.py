"""What a deputy's decision meets in real use: two organizers at once, a deputy the invitee has
replaced meanwhile, an approved deputy renamed or taken back — and the door and the history
after each."""
from tests import factories
from tests.test_races import _at_once, _call
from tests.test_races import other_worker as other_worker  # the fixture: a second server
from workshop.auth.services import create_api_token
from workshop.checkin.roster import pass_hash
from workshop.extensions import db
from workshop.models import AuditEntry, DeputyNomination, Invitation, OutboxMessage

HOA = {"response": "delegate", "delegate_name": "Lê Thị Hoa",
       "delegate_title": "Phó Giám đốc Sở", "delegate_email": "hoa@example.org"}
HUNG = {"response": "delegate", "delegate_name": "Phạm Quốc Hùng", "delegate_title": "Giám đốc Sở"}


def me(invitation):
    return {"X-Invitation-Token": invitation.token}


def deputy_url(invitation):
    return f"/api/v1/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"


def door(client, invitation, token, headers):
    return client.post(f"/api/v1/workshops/{invitation.workshop.code}/checkins",
                       headers=headers, json={"token": token})


def delegated(client, deputy_approval=True):
    workshop = factories.make_workshop(deputy_approval=deputy_approval)
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    answer = client.post("/api/v1/rsvp", headers=me(invitation), json=HOA)
    assert answer.status_code == 200, answer.get_json()
    return invitation, answer.get_json()["deputy"]["nomination_id"]


def fresh(invitation):
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id)


def history(invitation):
    return [(n.name, n.state) for n in db.session.scalars(
        db.select(DeputyNomination).where(DeputyNomination.invitation_id == invitation.id)
        .order_by(DeputyNomination.id))]


def test_the_second_organizer_is_told_who_decided_first(ctx, client, api_headers):
    invitation, seen = delegated(client)
    first = factories.make_user("organizer", name="Nguyễn Văn Nhất")
    second = {"Authorization": f"Bearer {create_api_token(factories.make_user('organizer'))}"}
    client.post(deputy_url(invitation), json={"approve": True, "nomination_id": seen},
                headers={"Authorization": f"Bearer {create_api_token(first)}"})

    late = client.post(deputy_url(invitation), headers=second,
                       json={"approve": False, "reason": "Cần cấp Giám đốc.", "nomination_id": seen})

    assert late.status_code == 409
    message = late.get_json()["error"]["message"]
    assert "Lê Thị Hoa đã được Nguyễn Văn Nhất duyệt lúc" in message
    assert "không cần duyệt lại" in message
    assert fresh(invitation).deputy_state == "approved"
    assert history(invitation) == [("Lê Thị Hoa", "approved")]


def test_a_deputy_the_invitee_replaced_meanwhile_is_not_approved_unseen(ctx, client, api_headers,
                                                                      client_as):
    """The organizer's page shows Hoa; before the click the invitee names Hùng instead: the
    click must not approve Hùng, whom the organizer has not seen."""
    invitation, seen = delegated(client)
    organizer = client_as("organizer")
    page = organizer.get(f"/workshops/{invitation.workshop.code}/invitations").get_data(as_text=True)
    assert f'name="nomination_id" value="{seen}"' in page
    client.post("/api/v1/rsvp", headers=me(invitation), json=HUNG)

    late = organizer.post(f"/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy",
                          data={"decision": "approve", "nomination_id": str(seen)},
                          follow_redirects=True).get_data(as_text=True)

    assert "Đại biểu đã cử người dự thay khác thay cho Lê Thị Hoa: Phạm Quốc Hùng đang chờ duyệt" \
        in late
    assert fresh(invitation).deputy_state == "pending"
    assert history(invitation) == [("Lê Thị Hoa", "withdrawn"), ("Phạm Quốc Hùng", "pending")]
    api = client.post(deputy_url(invitation), headers=api_headers("organizer"),
                      json={"approve": True, "nomination_id": seen})
    assert api.status_code == 409
    assert db.session.scalars(db.select(OutboxMessage)).all() == []  # Hoa got no pass
    assert "invitations.approve_deputy" not in db.session.scalars(db.select(AuditEntry.action)).all()


def test_a_deputy_withdrawn_by_the_invitee_coming_in_person_cannot_be_approved(ctx, client,
                                                                             api_headers):
    invitation, seen = delegated(client)
    client.post("/api/v1/rsvp", headers=me(invitation), json={"response": "accept"})

    late = client.post(deputy_url(invitation), headers=api_headers("organizer"),
                       json={"approve": True, "nomination_id": seen})

    assert late.status_code == 409
    assert "đã đổi câu trả lời nên người dự thay Lê Thị Hoa không còn chờ duyệt" in \
        late.get_json()["error"]["message"]
    assert fresh(invitation).status == "accepted"


def test_an_approved_deputy_renamed_loses_their_pass_at_the_door(ctx, client, api_headers):
    """Hoa was approved and holds her own pass; the invitee sends Hùng instead. Hoa's pass
    must not let her in under the invitation (online, nor offline by the roster); Hùng waits
    for approval, then gets a pass of his own."""
    invitation, _ = delegated(client)
    organizer, staff = api_headers("organizer"), api_headers("staff")
    client.post(deputy_url(invitation), headers=organizer, json={"approve": True})
    hoa_pass = fresh(invitation).pass_token

    renamed = client.post("/api/v1/rsvp", headers=me(invitation), json=HUNG)

    assert renamed.get_json()["deputy"]["state"] == "pending"
    assert renamed.get_json()["pass_token"] != hoa_pass
    refused = door(client, invitation, hoa_pass, staff)
    assert refused.status_code == 409 and refused.get_json()["result"] == "replaced"
    assert refused.get_json()["deputy_name"] == "Phạm Quốc Hùng"
    assert client.get(f"/pass/{hoa_pass}").status_code == 404
    roster = client.get(f"/api/v1/workshops/{invitation.workshop.code}/roster",
                        headers=staff).get_json()
    assert pass_hash(hoa_pass) in roster["revoked"]

    nomination = renamed.get_json()["deputy"]["nomination_id"]
    client.post(deputy_url(invitation), headers=organizer,
                json={"approve": True, "nomination_id": nomination})
    hung_pass = fresh(invitation).pass_token
    entered = door(client, invitation, hung_pass, staff)
    assert entered.status_code == 200 and entered.get_json()["attendee"]["name"] == "Phạm Quốc Hùng"
    assert door(client, invitation, hoa_pass, staff).status_code == 409
    # The history keeps who was named when, and what became of each.
    assert history(invitation) == [("Lê Thị Hoa", "approved"), ("Phạm Quốc Hùng", "approved")]
    # Hùng gave no address: the only pass mail is Hoa's, sent when she was approved.
    assert [m.to_address for m in db.session.scalars(db.select(OutboxMessage))] == ["hoa@example.org"]


def test_an_invitee_coming_after_all_takes_the_pass_back_from_the_deputy(ctx, client,
                                                                       api_headers):
    invitation, _ = delegated(client, deputy_approval=False)
    hoa_pass = fresh(invitation).pass_token
    staff = api_headers("staff")

    back = client.post("/api/v1/rsvp", headers=me(invitation), json={"response": "accept"})

    own_pass = back.get_json()["pass_token"]
    assert own_pass != hoa_pass
    refused = door(client, invitation, hoa_pass, staff)
    assert refused.status_code == 409 and refused.get_json()["result"] == "replaced"
    # Nobody holds the invitation for the invitee: the staff are not told of a deputy.
    assert "deputy_name" not in refused.get_json()
    assert refused.get_json()["error"]["message"] == "Giấy mời này đã được thay bằng giấy mời mới."
    entered = door(client, invitation, own_pass, staff)
    assert entered.status_code == 200 and entered.get_json()["attendee"]["name"] == "Trần Văn Bình"


def test_a_renamed_deputy_without_approval_gets_their_own_pass_at_once(ctx, client, api_headers):
    invitation, _ = delegated(client, deputy_approval=False)
    hoa_pass = fresh(invitation).pass_token

    renamed = client.post("/api/v1/rsvp", headers=me(invitation), json=HUNG).get_json()

    assert renamed["deputy"]["state"] == "approved" and renamed["pass_token"] != hoa_pass
    staff = api_headers("staff")
    assert door(client, invitation, hoa_pass, staff).get_json()["result"] == "replaced"
    assert door(client, invitation, renamed["pass_token"], staff).get_json()["attendee"]["name"] \
        == "Phạm Quốc Hùng"
    assert history(invitation) == [("Lê Thị Hoa", "approved"), ("Phạm Quốc Hùng", "approved")]


def test_two_organizers_deciding_at_the_same_instant_one_wins(ctx, client, live_server,
                                                               other_worker):
    """Two servers, two organizers, the same click: one decision, one pass, one mail; the other
    organizer reads what was decided."""
    outcomes = []
    for _round in range(6):
        invitation, seen = delegated(client)
        path = f"/api/v1/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"
        headers = [{"Authorization": f"Bearer {create_api_token(factories.make_user('organizer'))}"}
                   for _ in range(2)]
        bodies = ({"approve": True, "nomination_id": seen},
                  {"approve": False, "reason": "Cần cấp Giám đốc.", "nomination_id": seen})
        servers = (live_server, other_worker)
        answers = _at_once(*(lambda u=base + path, h=h, b=b: _call(u, b, h)
                             for base, h, b in zip(servers, headers, bodies, strict=True)))
        statuses = sorted(status for status, _body in answers)
        outcomes.append(statuses)
        loser = next(body for status, body in answers if status == 409)
        assert "Lê Thị Hoa đã được" in loser["error"]["message"]
        row = fresh(invitation)
        [nomination] = db.session.scalars(db.select(DeputyNomination).where(
            DeputyNomination.invitation_id == invitation.id)).all()
        assert row.deputy_state == nomination.state in ("approved", "refused")
        mails = db.session.scalars(db.select(OutboxMessage.to_address).where(
            OutboxMessage.body_text.contains(row.pass_token))).all()
        assert mails == (["hoa@example.org"] if row.deputy_state == "approved" else [])
        assert (nomination.pass_token == row.pass_token) == (row.deputy_state == "approved")
    assert outcomes == [[200, 409]] * 6


def test_a_decision_and_a_new_deputy_at_the_same_instant_stay_consistent(ctx, client, live_server,
                                                                        other_worker):
    """The organizer approves Hoa while the invitee names Hùng: either Hoa was approved first
    and Hùng's nomination then takes her pass back, or Hùng came first and the approval of
    Hoa is refused. Never Hoa's pass left working with Hùng's name on it."""
    for _round in range(6):
        invitation, seen = delegated(client)
        path = f"/api/v1/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"
        organizer = {"Authorization": f"Bearer {create_api_token(factories.make_user('organizer'))}"}
        invitee = me(invitation)  # read here: the threads have no database session
        decision = {"approve": True, "nomination_id": seen}
        answers = _at_once(
            lambda u=live_server + path, b=decision, h=organizer: _call(u, b, h),
            lambda u=other_worker + "/api/v1/rsvp", h=invitee: _call(u, HUNG, h))
        assert answers[1][0] == 200 and answers[0][0] in (200, 409)
        row = fresh(invitation)
        assert (row.delegate_name, row.deputy_state) == ("Phạm Quốc Hùng", "pending")
        hoa = db.session.scalars(db.select(DeputyNomination).where(
            DeputyNomination.invitation_id == invitation.id).order_by(DeputyNomination.id)).first()
        if answers[0][0] == 200:
            assert hoa.state == "approved" and hoa.pass_token != row.pass_token
        else:
            assert hoa.state == "withdrawn" and hoa.pass_token is None
