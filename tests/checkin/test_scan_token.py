"""The API's scan reads its staff token in the door's statement (auth/identity.py
`defer_staff_token`): every answer stays what it was when the token was read first. A token
unknown, revoked or of an inactive account is the same 401 before anything else is answered or
written, a team's right still applies, and the audit row names the account."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql

from tests import factories
from workshop.auth.services import create_api_token, revoke_api_token
from workshop.checkin import services
from workshop.extensions import db
from workshop.models import AuditEntry, CheckIn, CheckInAttempt

INVALID_TOKEN = {"error": {"code": "invalid_token",
                           "message": "Mã truy cập API không hợp lệ hoặc đã bị thu hồi."}}


def scan(client, headers, code, **body):
    return client.post(f"/api/v1/workshops/{code}/checkins", json=body, headers=headers)


def nothing_written() -> bool:
    return not any(db.session.scalar(select(func.count()).select_from(model))
                   for model in (CheckIn, CheckInAttempt, AuditEntry))


@pytest.fixture
def door(ctx, users):
    workshop = factories.make_workshop()
    person = factories.make_invitee(workshop, status="accepted")
    return workshop, person


def test_a_revoked_token_is_refused_at_once_and_nothing_is_written(door, client, users):
    workshop, person = door
    token = create_api_token(users["staff"])
    headers = {"Authorization": f"Bearer {token}"}
    assert scan(client, headers, workshop.code, token=person.pass_token,
                client_id="c-1").status_code == 200
    assert revoke_api_token(token)
    db.session.expire_all()
    for client_id in ("c-1", "c-2"):  # a resend, a new scan
        refused = scan(client, headers, workshop.code, token=person.pass_token,
                       client_id=client_id)
        assert refused.status_code == 401 and refused.get_json() == INVALID_TOKEN
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 1


def test_an_inactive_accounts_token_is_refused(door, client, users):
    workshop, person = door
    headers = {"Authorization": f"Bearer {create_api_token(users['staff'])}"}
    users["staff"].active = False
    db.session.commit()
    refused = scan(client, headers, workshop.code, token=person.pass_token)
    assert refused.status_code == 401 and refused.get_json() == INVALID_TOKEN
    db.session.rollback()
    assert nothing_written()


@pytest.mark.parametrize("sent", [
    {"json": {"client_id": "c-1"}},  # no token: a 422 for a valid caller
    {"json": {"token": "x", "scanned_at": "not a time"}},  # a 422 too
    {"data": "{not json", "content_type": "application/json"},  # a 400
], ids=["missing-token", "bad-time", "bad-json"])
def test_an_unknown_token_is_answered_before_what_was_sent(door, client, users, sent):
    """Who calls is checked before what they sent, as with every other call: the body's error
    is for a caller the token lets in."""
    workshop, _person = door
    url = f"/api/v1/workshops/{workshop.code}/checkins"
    refused = client.post(url, headers={"Authorization": "Bearer wst_nobodys"}, **sent)
    assert refused.status_code == 401 and refused.get_json() == INVALID_TOKEN
    valid = {"Authorization": f"Bearer {create_api_token(users['staff'])}"}
    assert client.post(url, headers=valid, **sent).status_code in (400, 422)


def test_an_unknown_token_is_answered_before_an_unknown_workshop(door, client, users):
    _workshop, person = door
    refused = scan(client, {"Authorization": "Bearer wst_nobodys"}, "khong-co-hoi-thao",
                   token=person.pass_token)
    assert refused.status_code == 401 and refused.get_json() == INVALID_TOKEN
    valid = {"Authorization": f"Bearer {create_api_token(users['staff'])}"}
    assert scan(client, valid, "khong-co-hoi-thao", token=person.pass_token).status_code == 404


def test_an_empty_bearer_token_is_refused(door, client):
    workshop, person = door
    refused = scan(client, {"Authorization": "Bearer "}, workshop.code, token=person.pass_token)
    assert refused.status_code == 401 and refused.get_json() == INVALID_TOKEN


def test_a_team_account_scans_only_at_its_own_workshops(door, client):
    workshop, person = door
    other = factories.make_workshop()
    member = factories.make_user("staff")
    factories.make_team_member(other, member, "staff")
    headers = {"Authorization": f"Bearer {create_api_token(member)}"}
    refused = scan(client, headers, workshop.code, token=person.pass_token)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    db.session.rollback()
    assert nothing_written()
    factories.make_team_member(workshop, member, "staff")
    assert scan(client, headers, workshop.code,
                token=person.pass_token).get_json()["result"] == "checked_in"


def test_the_audit_row_and_the_attempt_name_the_account_of_the_token(door, client, users):
    workshop, person = door
    staff = users["chair"]
    headers = {"Authorization": f"Bearer {create_api_token(staff)}"}
    assert scan(client, headers, workshop.code, token=person.pass_token,
                client_id="c-1").get_json()["result"] == "checked_in"
    db.session.rollback()
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.user_id, entry.user_email, entry.action) == (staff.id, staff.email,
                                                               "checkin.check_in")
    assert db.session.scalars(select(CheckInAttempt.staff_user_id)).all() == [staff.id]
    assert db.session.scalars(select(CheckIn.staff_user_id)).all() == [staff.id]


def test_with_rate_limits_on_the_token_is_read_once_and_the_scan_answers(make_app, users):
    """The limiter reads the caller (staff calls are not limited) before the view: the scan
    then reads the door alone, the token already known."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        workshop = factories.make_workshop()
        person = factories.make_invitee(workshop, status="accepted")
        headers = factories.bearer_headers(factories.make_user("staff"))
        client = app.test_client()
        answered = scan(client, headers, workshop.code, token=person.pass_token)
        assert answered.get_json()["result"] == "checked_in"
        bad = scan(client, {"Authorization": "Bearer wst_nobodys"}, workshop.code,
                   token=person.pass_token)
        assert bad.status_code == 401 and bad.get_json() == INVALID_TOKEN


@pytest.mark.parametrize("by_code", [False, True], ids=["by-id", "by-code"])
@pytest.mark.parametrize("with_staff", [False, True], ids=["door", "door-and-token"])
def test_the_doors_statement_stays_within_psycopgs_cache(by_code, with_staff):
    """psycopg converts a statement longer than this again at each execution (CPU at every
    scan): the door's read, the token's account included, stays shorter."""
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH, MAX_CACHED_STATEMENT_PARAMS

    compiled = services._door_statement(by_code, with_staff).compile(
        dialect=postgresql.psycopg.dialect())
    assert len(str(compiled)) <= MAX_CACHED_STATEMENT_LENGTH
    assert len(compiled.params) <= MAX_CACHED_STATEMENT_PARAMS
