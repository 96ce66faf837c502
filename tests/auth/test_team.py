"""The team of a workshop (CONTRACT.md "Deputies and the workshop team"): a chair or staff account
in any team acts only on its teams' workshops; an account in no team keeps its role everywhere."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import login_as
from workshop.extensions import db
from workshop.models import AuditEntry, Question, TeamMember, User, WorkshopSession


def problems(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    return {problem["field"]: problem["message"] for problem in error["fields"]}


@pytest.fixture
def two(ctx):
    return factories.make_workshop(title="Hội thảo của Sở Nội vụ"), factories.make_workshop(
        title="Hội thảo của Sở Tài chính")


# --- the API row -------------------------------------------------------------------------------


def test_organizer_adds_an_account_to_the_team(client, api_headers, two):
    a, _b = two
    staff = factories.make_user("staff", name="Hoàng Văn Điểm")
    response = client.post(f"/api/v1/workshops/{a.code}/team", headers=api_headers("organizer"),
                           json={"email": staff.email.upper(), "role": "staff"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["email"], body["name"], body["role"], body["created"]) == (
        staff.email, "Hoàng Văn Điểm", "staff", True)
    assert db.session.scalars(select(TeamMember.user_id)).all() == [staff.id]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "events.team_add"))
    assert entry.workshop_id == a.id and staff.email in entry.detail

    listed = client.get(f"/api/v1/workshops/{a.code}/team", headers=api_headers("organizer"))
    assert [item["email"] for item in listed.get_json()["items"]] == [staff.email]


def test_adding_again_changes_the_role(client, api_headers, two):
    a, _b = two
    chair = factories.make_user("chair")
    headers = api_headers("organizer")
    url = f"/api/v1/workshops/{a.code}/team"
    assert client.post(url, headers=headers, json={"email": chair.email, "role": "chair"}).status_code == 201
    again = client.post(url, headers=headers, json={"email": chair.email, "role": "staff"})
    assert again.status_code == 200
    assert again.get_json()["created"] is False
    assert db.session.scalars(select(TeamMember.role)).all() == ["staff"]


@pytest.mark.parametrize("body,field,message", [
    ({"email": "khong-co@tinh.gov.vn", "role": "staff"}, "email", "Không tìm thấy tài khoản có e-mail này."),
    ({"email": "{organizer}", "role": "chair"}, "email", "Tài khoản Ban tổ chức có quyền trên mọi hội thảo"),
    ({"email": "{staff}", "role": "organizer"}, "role", "Vai trò trong nhóm phải là chair"),
    ({"email": "{staff}", "role": "truong-ban"}, "role", "Vai trò trong nhóm phải là chair"),
    ({"email": "{staff}"}, "role", "Vui lòng chọn vai trò"),
    ({"role": "staff"}, "email", "Vui lòng nhập e-mail của tài khoản."),
    ({"email": "khong-phai-email", "role": "staff"}, "email", ""),
    # A staff account cannot be made a chair by its team: never above its account's role.
    ({"email": "{staff}", "role": "chair"}, "role", "không thể giao vai trò cao hơn"),
])
def test_bad_input_is_422_naming_the_field_and_changes_nothing(client, api_headers, users, two,
                                                                body, field, message):
    a, _b = two
    body = {key: value.format(**{role: user.email for role, user in users.items()})
            for key, value in body.items()}
    headers = api_headers("organizer")
    before = factories.database_snapshot(ignore=("api_tokens",))
    found = problems(client.post(f"/api/v1/workshops/{a.code}/team", headers=headers, json=body))
    assert field in found and message in found[field]
    assert factories.database_snapshot(ignore=("api_tokens",)) == before


@pytest.mark.parametrize("role", ["chair", "staff"])
def test_only_the_organizer_sets_the_team(client, api_headers, users, two, role):
    a, _b = two
    before = factories.database_snapshot(ignore=("api_tokens",))
    response = client.post(f"/api/v1/workshops/{a.code}/team", headers=api_headers(role),
                           json={"email": users["staff"].email, "role": "staff"})
    assert response.status_code == 403
    assert factories.database_snapshot(ignore=("api_tokens",)) == before


def test_removing_the_last_team_gives_back_the_role_everywhere(client, api_headers, two):
    a, b = two
    staff = factories.make_user("staff")
    row = factories.make_team_member(a, staff, "staff")
    headers = factories.bearer_headers(staff)
    assert client.get(f"/api/v1/workshops/{b.code}/attendance", headers=headers).status_code == 403
    # Another workshop's code does not find A's member.
    assert client.delete(f"/api/v1/workshops/{b.code}/team/{row.id}",
                         headers=api_headers("organizer")).status_code == 404
    response = client.delete(f"/api/v1/workshops/{a.code}/team/{row.id}", headers=api_headers("organizer"))
    assert response.status_code == 200
    assert response.get_json() == {"items": [], "unchaired_sessions": []}
    assert db.session.scalar(select(TeamMember)) is None
    assert db.session.scalar(select(AuditEntry.detail).where(
        AuditEntry.action == "events.team_remove")) == staff.email
    assert client.get(f"/api/v1/workshops/{b.code}/attendance", headers=headers).status_code == 200


# --- what a team-limited account may do ---------------------------------------------------------


def test_staff_of_workshop_a_gets_403_on_workshop_b(client, two):
    a, b = two
    staff = factories.make_user("staff")
    factories.make_team_member(a, staff, "staff")
    headers = factories.bearer_headers(staff)
    for path in ("/api/v1/workshops/{code}", "/api/v1/workshops/{code}/attendance",
                 "/api/v1/workshops/{code}/invitations",
                 "/api/v1/workshops/{code}/exports/attendance.xlsx"):
        assert client.get(path.format(code=a.code), headers=headers).status_code == 200, path
        refused = client.get(path.format(code=b.code), headers=headers)
        assert refused.status_code == 403, path
        assert refused.get_json()["error"]["message"] == (
            "Tài khoản không thuộc nhóm công tác của hội thảo này.")
    listed = client.get("/api/v1/workshops", headers=headers).get_json()
    assert [item["code"] for item in listed["items"]] == [a.code]

    browser = client.application.test_client()
    login_as(browser, staff)
    for path in ("/workshops/{code}/", "/workshops/{code}/scan/", "/workshops/{code}/attendance.xlsx",
                 "/workshops/{code}/board.json"):
        assert browser.get(path.format(code=a.code)).status_code == 200, path
        assert browser.get(path.format(code=b.code)).status_code == 403, path
    page = browser.get("/workshops/").get_data(as_text=True)
    assert a.title in page and b.title not in page
    # The refusal in the formal register, saying whom to ask.
    refused = browser.get(f"/workshops/{b.code}/").get_data(as_text=True)
    assert "Tài khoản không thuộc nhóm công tác của hội thảo này." in refused
    assert "Vui lòng liên hệ Ban tổ chức hội thảo để được phân quyền." in refused
    assert "bạn" not in refused.lower()


def test_a_team_role_below_the_account_role_is_the_role_on_that_workshop(client, two):
    """A chair account put in A's team as staff checks in at A but does not chair A."""
    a, b = two
    chair = factories.make_user("chair")
    factories.make_team_member(a, chair, "staff")
    headers = factories.bearer_headers(chair)
    assert client.get(f"/api/v1/workshops/{a.code}/attendance", headers=headers).status_code == 200
    assert client.get(f"/api/v1/workshops/{a.code}/summary", headers=headers).status_code == 403
    assert client.get(f"/api/v1/workshops/{a.code}/documents/report.docx",
                      headers=headers).status_code == 403
    assert client.get(f"/api/v1/workshops/{b.code}/attendance", headers=headers).status_code == 403


def test_an_account_in_no_team_keeps_its_rights_on_every_workshop(client, two):
    """Teams exist (another staff account is in A's), yet an unassigned account is as before."""
    a, b = two
    factories.make_team_member(a, factories.make_user("staff"), "staff")
    staff, chair = factories.make_user("staff"), factories.make_user("chair")
    as_staff, as_chair = factories.bearer_headers(staff), factories.bearer_headers(chair)
    for code in (a.code, b.code):
        assert client.get(f"/api/v1/workshops/{code}/attendance", headers=as_staff).status_code == 200
        assert client.get(f"/api/v1/workshops/{code}/summary", headers=as_chair).status_code == 200
    listed = client.get("/api/v1/workshops", headers=factories.bearer_headers(staff)).get_json()
    assert {item["code"] for item in listed["items"]} == {a.code, b.code}


def test_a_session_chair_must_be_able_to_chair_the_workshop(client, api_headers, two):
    """A team-limited chair chairs a session of its team's workshop only; named there, it
    moderates that session's questions."""
    a, b = two
    chair = factories.make_user("chair")
    factories.make_team_member(a, chair, "chair")
    headers = api_headers("organizer")
    refused = client.post(f"/api/v1/workshops/{b.code}/sessions", headers=headers,
                          json={"title": "Phiên thảo luận", "chair_email": chair.email})
    assert "không thuộc nhóm công tác" in problems(refused)["chair_email"]
    assert db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.title == "Phiên thảo luận")) is None
    made = client.post(f"/api/v1/workshops/{a.code}/sessions", headers=headers,
                       json={"title": "Phiên thảo luận", "chair_email": chair.email})
    assert made.status_code == 201
    invitee = factories.make_invitee(a, "Nguyễn Văn Hỏi", status="accepted")
    other = factories.make_invitee(b, "Trần Văn Hỏi", status="accepted")
    a_question = Question(workshop_id=a.id, session_id=made.get_json()["id"],
                          invitation_id=invitee.id, text="Câu hỏi ở hội thảo A", status="pending")
    b_question = Question(workshop_id=b.id, session_id=b.sessions[0].id,
                          invitation_id=other.id, text="Câu hỏi ở hội thảo B", status="pending")
    db.session.add_all([a_question, b_question])
    db.session.commit()
    chair_headers = factories.bearer_headers(chair)
    assert client.patch(f"/api/v1/questions/{a_question.id}", headers=chair_headers,
                        json={"status": "visible"}).status_code == 200
    assert client.patch(f"/api/v1/questions/{b_question.id}", headers=chair_headers,
                        json={"status": "visible"}).status_code == 403
    db.session.refresh(b_question)
    assert b_question.status == "pending"


# --- the team page ------------------------------------------------------------------------------


def test_the_team_page_adds_and_removes_a_member(client_as, two):
    a, _b = two
    staff = factories.make_user("staff", name="Lý Thị Quét")
    organizer = client_as("organizer")
    page = organizer.get(f"/workshops/{a.code}/team")
    assert page.status_code == 200
    assert "Chưa có ai trong nhóm công tác" in page.get_data(as_text=True)
    added = organizer.post(f"/workshops/{a.code}/team", data={"email": staff.email, "role": "staff"},
                           follow_redirects=True)
    text = added.get_data(as_text=True)
    assert f"Đã thêm {staff.email} vào nhóm công tác." in text and "Lý Thị Quét" in text
    row = db.session.scalar(select(TeamMember))
    assert (row.user_id, row.role) == (staff.id, "staff")

    unknown = organizer.post(f"/workshops/{a.code}/team", data={"email": "ai@tinh.gov.vn", "role": "chair"})
    assert "Không tìm thấy tài khoản có e-mail này." in unknown.get_data(as_text=True)
    assert db.session.scalar(select(TeamMember.id).where(TeamMember.id != row.id)) is None

    removed = organizer.post(f"/workshops/{a.code}/team/{row.id}/delete", follow_redirects=True)
    assert "Đã bỏ tài khoản khỏi nhóm công tác." in removed.get_data(as_text=True)
    assert db.session.scalar(select(TeamMember)) is None


def test_the_dashboard_links_the_team_page_for_the_organizer_only(client_as, two):
    a, _b = two
    link = f'href="/workshops/{a.code}/team"'
    assert link in client_as("organizer").get(f"/workshops/{a.code}/").get_data(as_text=True)
    assert link not in client_as("staff").get(f"/workshops/{a.code}/").get_data(as_text=True)


# --- the command line ----------------------------------------------------------------------------


def test_users_create_with_a_workshop_limits_the_account_to_it(runner, client, two):
    a, b = two
    result = runner.invoke(args=["users", "create", "diemdanh@tinh.gov.vn", "--role", "staff",
                                 "--password", "matkhau-123", "--workshop", a.code])
    assert result.exit_code == 0, result.output
    assert a.code in result.output
    user = db.session.scalar(select(User).where(User.email == "diemdanh@tinh.gov.vn"))
    assert db.session.scalars(select(TeamMember.workshop_id).where(
        TeamMember.user_id == user.id)).all() == [a.id]
    headers = factories.bearer_headers(user)
    assert client.get(f"/api/v1/workshops/{a.code}/attendance", headers=headers).status_code == 200
    assert client.get(f"/api/v1/workshops/{b.code}/attendance", headers=headers).status_code == 403


@pytest.mark.parametrize("role,code,said", [
    ("staff", "khong-co-ma-nay", "khong-co-ma-nay"),
    ("organizer", None, "organizer"),
])
def test_users_create_with_a_bad_workshop_creates_nothing(runner, two, role, code, said):
    a, _b = two
    result = runner.invoke(args=["users", "create", "moi@tinh.gov.vn", "--role", role,
                                 "--password", "matkhau-123", "--workshop", code or a.code])
    assert result.exit_code != 0
    assert said in result.output
    assert db.session.scalar(select(User).where(User.email == "moi@tinh.gov.vn")) is None


def test_an_account_in_no_team_costs_no_statement_of_its_own(client, two):
    """Whether an account is in a team is read with the account: the scanner's calls of a
    deployment without teams send no more statements than before."""

    a, _b = two
    factories.make_team_member(a, factories.make_user("staff"), "staff")
    staff = factories.make_user("staff")
    headers = factories.bearer_headers(staff)
    with factories.statements() as seen:
        assert client.get(f"/api/v1/workshops/{a.code}/attendance", headers=headers).status_code == 200
    teams = [statement for statement in seen if "team_members" in statement]
    assert teams and all("FROM users" in statement for statement in teams), teams


def test_the_session_page_offers_the_chairs_who_may_chair_this_workshop(client_as, two):
    a, b = two
    limited = factories.make_user("chair", name="Đỗ Văn Nhóm A")
    factories.make_team_member(a, limited, "chair")
    unassigned = factories.make_user("chair", name="Phan Văn Mọi Nơi")
    organizer = client_as("organizer")
    page_a = organizer.get(f"/workshops/{a.code}/sessions/new").get_data(as_text=True)
    page_b = organizer.get(f"/workshops/{b.code}/sessions/new").get_data(as_text=True)
    assert limited.name in page_a and unassigned.name in page_a
    assert limited.name not in page_b and unassigned.name in page_b


def test_a_team_limited_account_is_refused_a_poll_of_another_workshop_even_with_its_etag(client,
                                                                                        two):
    """The 304 gate before Flask (workshop/polls.py) leaves a team-limited account to the
    views' guard: B's staff never learn by a 304 that A's board or questions are unchanged."""
    a, b = two
    organizer = factories.make_user("organizer")
    staff = factories.make_user("staff")
    factories.make_team_member(b, staff, "staff")
    for url, headers in ((f"/api/v1/workshops/{a.code}/questions", factories.bearer_headers(organizer)),
                         (f"/workshops/{a.code}/board.json", None)):
        if headers is None:
            global_browser = client.application.test_client()
            login_as(global_browser, organizer)
            etag = global_browser.get(url).headers["ETag"]
            limited = client.application.test_client()
            login_as(limited, staff)
            answer = limited.get(url, headers={"If-None-Match": etag})
        else:
            etag = client.get(url, headers=headers).headers["ETag"]
            answer = client.get(url, headers={**factories.bearer_headers(staff), "If-None-Match": etag})
        assert answer.status_code == 403, url
