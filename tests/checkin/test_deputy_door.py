"""The door once a deputy is named: only the approved deputy's own pass enters (the invitee's
old pass, personal link and letter's short code are told `replaced`, and recorded like every
scan), and a refused deputy is not expected by any count."""
import pytest
from sqlalchemy import select

from tests import factories
from workshop.attendance import attendance
from workshop.extensions import db
from workshop.models import CheckIn, CheckInAttempt, Invitation

DEPUTY = {"response": "delegate", "delegate_name": "Lê Thị Hoa",
          "delegate_title": "Phó Giám đốc Sở", "delegate_phone": "0912 345 678"}


def me(invitation):
    return {"X-Invitation-Token": invitation.token}


def deputy_url(invitation):
    return f"/api/v1/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"


def invitee(deputy_approval):
    workshop = factories.make_workshop(deputy_approval=deputy_approval)
    return factories.make_invitee(workshop, "Trần Văn Bình", status="sent")


def delegate(client, invitation):
    answer = client.post("/api/v1/rsvp", headers=me(invitation), json=DEPUTY)
    assert answer.status_code == 200, answer.get_json()


def approved(client, api_headers, deputy_approval):
    """An invitation whose deputy is approved (by the organizer, or at once), with the invitee's
    own codes as they were before the deputy was named."""
    invitation = invitee(deputy_approval)
    codes = {"old pass": invitation.pass_token, "personal link token": invitation.token,
             "personal link": f"https://hoithao.example.vn/i/{invitation.token}",
             "short code": invitation.short_code, "typed short code": invitation.short_code.lower()}
    delegate(client, invitation)
    if deputy_approval:
        answer = client.post(deputy_url(invitation), headers=api_headers("organizer"),
                             json={"approve": True})
        assert answer.status_code == 200
    db.session.refresh(invitation)
    assert invitation.deputy_state == "approved"
    assert invitation.pass_token != codes["old pass"]
    return invitation, codes


@pytest.mark.parametrize("deputy_approval", [True, False], ids=["approved", "no-approval"])
def test_only_the_deputys_own_pass_enters_once_a_deputy_is_approved(ctx, client, api_headers,
                                                                   deputy_approval):
    invitation, codes = approved(client, api_headers, deputy_approval)
    staff = api_headers("staff")
    url = f"/api/v1/workshops/{invitation.workshop.code}/checkins"

    for what, code in codes.items():
        refused = client.post(url, headers=staff, json={"token": code})
        assert refused.status_code == 409, what
        body = refused.get_json()
        assert (body["result"], body["deputy_name"]) == ("replaced", "Lê Thị Hoa"), what
        assert "Lê Thị Hoa" in body["error"]["message"]
    assert db.session.scalars(select(CheckIn)).all() == []

    entered = client.post(url, headers=staff, json={"token": invitation.pass_token})
    assert entered.status_code == 200
    assert entered.get_json()["attendee"]["name"] == "Lê Thị Hoa"


def test_a_replaced_scan_is_recorded_and_a_resend_gets_the_first_answer(ctx, client, api_headers):
    invitation, codes = approved(client, api_headers, deputy_approval=True)
    staff = api_headers("staff")
    url = f"/api/v1/workshops/{invitation.workshop.code}/checkins"

    first = client.post(url, headers=staff, json={"token": codes["old pass"],
                                                   "client_id": "phone-1"})
    assert first.status_code == 409 and first.get_json()["result"] == "replaced"
    attempts = db.session.execute(select(CheckInAttempt.result, CheckInAttempt.invitation_id,
                                         CheckInAttempt.client_id)).all()
    assert attempts == [("replaced", invitation.id, "phone-1")]

    # The same scan sent again, even with the deputy's pass now: the first answer, nothing new.
    resent = client.post(url, headers=staff, json={"token": invitation.pass_token,
                                                    "client_id": "phone-1"})
    assert resent.status_code == 409
    assert resent.get_json() == first.get_json()
    assert db.session.scalar(select(db.func.count()).select_from(CheckInAttempt)) == 1
    assert db.session.scalars(select(CheckIn)).all() == []


def test_a_refused_deputy_is_not_expected_until_the_invitee_answers_again(ctx, client,
                                                                         api_headers):
    """Refused, the deputy is not coming and the invitee has not said what they do instead: the
    invitation counts as unanswered, in every count (they all come from workshop/attendance.py),
    and once the invitee names another deputy it is delegated again."""
    invitation = invitee(deputy_approval=True)
    delegate(client, invitation)
    workshop = invitation.workshop
    factories.make_invitee(workshop, status="accepted")
    staff, organizer = api_headers("staff"), api_headers("organizer")
    refused = client.post(deputy_url(invitation), headers=organizer,
                          json={"approve": False, "reason": "Đề nghị cử lãnh đạo cấp Sở."})
    assert refused.status_code == 200
    db.session.refresh(invitation)
    assert (invitation.status, invitation.deputy_state) == ("delegated", "refused")

    numbers = client.get(f"/api/v1/workshops/{workshop.code}/attendance", headers=staff).get_json()
    assert {key: numbers[key] for key in ("invited", "accepted", "delegated", "declined",
                                          "unanswered", "expected")} == {
        "invited": 2, "accepted": 1, "delegated": 0, "declined": 0, "unanswered": 1,
        "expected": 1}
    assert numbers["by_kind"]["other"]["expected"] == 1
    summary = client.get(f"/api/v1/workshops/{workshop.code}/summary",
                         headers=api_headers("chair")).get_json()["attendance"]
    assert (summary["delegated"], summary["unanswered"]) == (0, 1)
    # Whoever comes with the pass all the same was not expected: the door says so too.
    scan = client.post(f"/api/v1/workshops/{workshop.code}/checkins", headers=staff,
                       json={"token": invitation.pass_token}).get_json()
    assert scan["result"] == "checked_in"
    assert scan["attendance"] == {"expected": 1, "present": 0, "walk_ins": 0, "unannounced": 1,
                                  "checked_in": 1}
    db.session.expire_all()
    counted = attendance(db.session.get(type(workshop), workshop.id))
    assert (counted.expected, counted.present, counted.unannounced) == (1, 0, 1)
    assert counted.invited == counted.accepted + counted.delegated + counted.declined + \
        counted.unanswered

    client.post("/api/v1/rsvp", headers=me(invitation),
                json={**DEPUTY, "delegate_name": "Phạm Quốc Hùng"})
    assert db.session.get(Invitation, invitation.id).deputy_state == "pending"
    numbers = client.get(f"/api/v1/workshops/{workshop.code}/attendance", headers=staff).get_json()
    assert (numbers["delegated"], numbers["unanswered"], numbers["expected"]) == (1, 0, 2)
    assert (numbers["present"], numbers["unannounced"]) == (1, 0)


def test_the_invitee_whose_deputy_is_approved_cannot_check_in_by_their_own_phone(ctx, client,
                                                                                  api_headers):
    """The poster's one tap uses the personal link: refused like the link at the desk, and the
    page says who holds the pass now."""
    from datetime import timedelta

    from workshop.auth.identity import SESSION_INVITATION_KEY
    from workshop.checkin import self_checkin
    from workshop.invitations import rsvp
    from workshop.timeutil import utcnow

    invitation = factories.make_invitee(
        factories.make_workshop(starts_at=utcnow() - timedelta(minutes=5),
                                ends_at=utcnow() + timedelta(hours=3)),
        "Trần Văn Bình", status="sent")
    # Named days ago, before the answers closed; no approval asked: the deputy's pass at once.
    rsvp.respond(invitation, "delegate", "Lê Thị Hoa", now=utcnow() - timedelta(days=3))
    assert invitation.deputy_state == "approved"
    with client.session_transaction() as session:
        session[SESSION_INVITATION_KEY] = invitation.token
    url = f"/workshops/{invitation.workshop.code}/self-checkin"
    tap = client.post(url, data={"client_id": "tap-1",
                                 "k": self_checkin.screen_secret(invitation.workshop)})
    assert tap.status_code == 409
    assert "Giấy mời đã chuyển cho người dự thay: Lê Thị Hoa" in tap.get_data(as_text=True)
    assert db.session.scalars(select(CheckIn)).all() == []
    assert db.session.scalars(select(CheckInAttempt.result)).all() == ["replaced"]
