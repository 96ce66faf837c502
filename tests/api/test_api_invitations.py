"""CONTRACT.md rows: POST/GET /workshops/<code>/invitations, GET /me, POST /rsvp."""
import re
from datetime import datetime, timedelta

from tests import factories
from workshop.extensions import db
from workshop.invitations import inviting, rsvp
from workshop.models import CheckIn, Invitation
from workshop.timeutil import LOCAL_TZ, utcnow


def invitations_url(workshop):
    return f"/api/v1/workshops/{workshop.code}/invitations"


def attendee(invitation):
    return {"X-Invitation-Token": invitation.token}


def test_organizer_creates_an_invitation_with_its_secrets(ctx, client, api_headers):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Tư pháp")

    response = client.post(invitations_url(workshop), headers=api_headers("organizer"), json={
        "name": "Trần Văn Bình", "title": "Giám đốc Sở", "organization_id": agency.id,
        "email": "binh@example.org", "phone": "0912 345 678"})

    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "token", "url", "pass_token", "status"} <= set(body)
    assert body["status"] == "draft" and body["letter_number"] == 1
    assert body["url"] == f"http://localhost/i/{body['token']}"
    assert body["organization"] == {"id": agency.id, "name": "Sở Tư pháp", "kind": "department"}
    invitation = db.session.get(Invitation, body["id"])
    assert (invitation.token, invitation.pass_token) == (body["token"], body["pass_token"])
    # The url is the personal page.
    assert client.get(body["url"].removeprefix("http://localhost")).status_code == 200


def test_create_invitation_refusals(ctx, client, api_headers):
    workshop = factories.make_workshop()
    url = invitations_url(workshop)

    assert client.post(url, json={"name": "X"}).status_code == 401
    for role in ("staff", "chair"):
        forbidden = client.post(url, headers=api_headers(role), json={"name": "X"})
        assert forbidden.status_code == 403
        assert forbidden.get_json()["error"]["code"] == "forbidden"
    organizer = api_headers("organizer")
    invalid = client.post(url, headers=organizer, json={"title": "Giám đốc", "email": "sai",
                                                        "phone": "abc"})
    assert invalid.status_code == 422
    fields = {problem["field"] for problem in invalid.get_json()["error"]["fields"]}
    assert fields == {"name", "email", "phone"}
    unknown_agency = client.post(url, headers=organizer, json={"name": "X", "organization_id": 999})
    assert unknown_agency.status_code == 422
    assert unknown_agency.get_json()["error"]["fields"][0]["field"] == "organization_id"
    assert client.post("/api/v1/workshops/khong-co/invitations", headers=organizer,
                       json={"name": "X"}).status_code == 404
    assert db.session.query(Invitation).count() == 0


def test_staff_list_invitations_with_status_and_check_in_time(ctx, client, api_headers):
    workshop = factories.make_workshop()
    first = inviting.invite_person(workshop, "Trần Văn Bình")
    second = inviting.invite_person(workshop, "Lê Thị Hoa")
    inviting.invite_person(workshop, "Hoàng Văn Sơn")
    rsvp.respond(second, "delegate", "Vũ Văn Phó")
    db.session.add(CheckIn(invitation=first, workshop_id=workshop.id,
                           checked_in_at=datetime(2030, 8, 12, 7, 52, tzinfo=LOCAL_TZ)))
    db.session.commit()
    headers = api_headers("staff")

    body = client.get(invitations_url(workshop), headers=headers).get_json()

    assert body["total"] == 3
    assert [item["name"] for item in body["items"]] == ["Trần Văn Bình", "Lê Thị Hoa", "Hoàng Văn Sơn"]
    assert body["items"][0]["checked_in_at"] == "2030-08-12T07:52:00+07:00"
    assert body["items"][1]["checked_in_at"] is None
    assert body["items"][1]["status"] == "delegated" and body["items"][1]["delegate_name"] == "Vũ Văn Phó"
    assert all("token" not in item and "pass_token" not in item for item in body["items"])

    delegated = client.get(invitations_url(workshop), headers=headers,
                           query_string={"status": "delegated"}).get_json()
    assert [item["name"] for item in delegated["items"]] == ["Lê Thị Hoa"]
    page = client.get(invitations_url(workshop), headers=headers,
                      query_string={"limit": 1, "offset": 1}).get_json()
    assert page["total"] == 3 and [item["name"] for item in page["items"]] == ["Lê Thị Hoa"]
    bad = client.get(invitations_url(workshop), headers=headers, query_string={"status": "maybe"})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"][0]["field"] == "status"
    assert client.get(invitations_url(workshop)).status_code == 401


def test_me_answers_the_callers_own_invitation_workshop_and_sessions(ctx, client, api_headers):
    host = factories.make_organization("Sở Khoa học và Công nghệ")
    workshop = factories.make_workshop(host_organization=host)
    invitation = inviting.invite_person(workshop, "Trần Văn Bình")
    inviting.invite_person(workshop, "Lê Thị Hoa")

    response = client.get("/api/v1/me", headers=attendee(invitation))

    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == invitation.id and body["name"] == "Trần Văn Bình"
    assert body["status"] == "draft" and body["response"] is None
    assert body["pass_token"] == invitation.pass_token and body["can_change_answer"] is True
    assert body["workshop"]["code"] == workshop.code
    assert body["workshop"]["host"] == "Sở Khoa học và Công nghệ"
    assert body["workshop"]["starts_at"] == "2030-08-12T08:00:00+07:00"
    assert [s["title"] for s in body["workshop"]["sessions"]] == ["Phiên 1", "Phiên 2"]


def test_me_without_a_valid_invitation_token(ctx, client, api_headers):
    assert client.get("/api/v1/me").status_code == 401
    unknown = client.get("/api/v1/me", headers={"X-Invitation-Token": "khong-dung"})
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["code"] == "invalid_invitation_token"
    # A staff account is not an invitee.
    assert client.get("/api/v1/me", headers=api_headers("organizer")).status_code == 403


def test_rsvp_accept_delegate_and_refusals(ctx, client):
    workshop = factories.make_workshop(rsvp_deadline=datetime(2030, 8, 8, 17, 0, tzinfo=LOCAL_TZ))
    invitation = inviting.invite_person(workshop, "Trần Văn Bình")
    headers = attendee(invitation)

    accepted = client.post("/api/v1/rsvp", headers=headers, json={"response": "accept"})
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted" and accepted.get_json()["response"] == "accept"

    nameless = client.post("/api/v1/rsvp", headers=headers, json={"response": "delegate"})
    assert nameless.status_code == 422
    assert nameless.get_json()["error"]["fields"] == [
        {"field": "delegate_name", "message": "Vui lòng nhập họ và tên người dự thay."}]

    delegated = client.post("/api/v1/rsvp", headers=headers, json={
        "response": "delegate", "delegate_name": "Vũ Văn Phó", "delegate_title": "Phó Giám đốc",
        "delegate_phone": "0987654321"})
    assert delegated.status_code == 200
    body = delegated.get_json()
    assert (body["status"], body["delegate_name"], body["attendee_name"]) == (
        "delegated", "Vũ Văn Phó", "Vũ Văn Phó")

    invalid = client.post("/api/v1/rsvp", headers=headers, json={"response": "co the"})
    assert invalid.status_code == 422
    assert invalid.get_json()["error"]["fields"][0]["field"] == "response"
    assert client.post("/api/v1/rsvp", json={"response": "accept"}).status_code == 401

    workshop.rsvp_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = client.post("/api/v1/rsvp", headers=headers, json={"response": "decline"})
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "rsvp_closed"
    assert "Đã hết hạn xác nhận tham dự" in late.get_json()["error"]["message"]
    db.session.refresh(invitation)
    assert invitation.status == "delegated" and invitation.delegate_name == "Vũ Văn Phó"


def test_the_personal_pages_session_calls_the_api_with_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        invitation = inviting.invite_person(factories.make_workshop(), "Trần Văn Bình")
        other = inviting.invite_person(factories.make_workshop(), "Lê Thị Hoa")
        token, other_token, invitation_id = invitation.token, other.token, invitation.id

    page = client.get(f"/i/{token}").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    assert client.get("/api/v1/me").get_json()["id"] == invitation_id
    assert client.post("/api/v1/rsvp", json={"response": "accept"}).status_code == 400
    answered = client.post("/api/v1/rsvp", json={"response": "accept"},
                           headers={"X-CSRFToken": csrf_token})
    assert answered.status_code == 200 and answered.get_json()["status"] == "accepted"
    # An explicit token wins over the session, and needs no CSRF header.
    me = client.get("/api/v1/me", headers={"X-Invitation-Token": other_token}).get_json()
    assert me["name"] == "Lê Thị Hoa"


def test_attendee_calls_are_limited_per_token_not_per_hall(make_app):
    """A whole hall shares one Wi-Fi address: each invitee has 120 calls a minute of their own."""
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        workshop = factories.make_workshop()
        first = inviting.invite_person(workshop, "Trần Văn Bình").token
        second = inviting.invite_person(workshop, "Lê Thị Hoa").token

    statuses = [client.get("/api/v1/me", headers={"X-Invitation-Token": first}).status_code
                for _n in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429
    assert client.get("/api/v1/me", headers={"X-Invitation-Token": second}).status_code == 200


def test_openapi_documents_the_attendee_rows(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    me = spec["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"invitationToken": []}]
    rsvp = spec["paths"]["/api/v1/rsvp"]["post"]
    schema = rsvp["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["response"]["enum"] == ["accept", "delegate", "decline"]
    assert "409" in rsvp["responses"]
    create = spec["paths"]["/api/v1/workshops/{code}/invitations"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["name"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["properties"][
        "organization_id"]["type"] == "integer"
