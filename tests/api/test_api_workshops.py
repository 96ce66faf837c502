"""The API rows for workshops and sessions (CONTRACT.md)."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from workshop.extensions import db
from workshop.models import Workshop, WorkshopSession
from workshop.timeutil import LOCAL_TZ

BODY = {
    "title": "Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008",
    "starts_at": "2030-08-12T08:00",
    "ends_at": "2030-08-12T11:30:00",
    "venue": "Hội trường Sở Khoa học và Công nghệ",
    "rsvp_deadline": "2030-08-08T17:00",
    "description": "Đánh giá, rút kinh nghiệm.",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def problems(response) -> dict[str, str]:
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    return {problem["field"]: problem["message"] for problem in error["fields"]}


def test_create_reads_naive_times_as_vietnam_time_and_answers_with_the_offset(client, api_headers):
    response = client.post("/api/v1/workshops", json=BODY, headers=api_headers("organizer"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "danh-gia-05-nam-ap-dung-2030"
    assert body["starts_at"] == "2030-08-12T08:00:00+07:00"
    assert body["ends_at"] == "2030-08-12T11:30:00+07:00"
    assert body["rsvp_deadline"] == "2030-08-08T17:00:00+07:00"
    assert (body["title"], body["venue"], body["description"], body["sessions"]) == (
        BODY["title"], BODY["venue"], BODY["description"], [])
    stored = db.session.scalar(select(Workshop))
    assert stored.starts_at == datetime(2030, 8, 12, 8, 0, tzinfo=LOCAL_TZ)


def test_create_with_only_the_required_fields_and_a_utc_time(client, api_headers):
    response = client.post("/api/v1/workshops", headers=api_headers("organizer"), json={
        "title": "Hội thảo", "venue": "Hội trường", "starts_at": "2030-08-12T01:00:00Z",
        "code": "ht-utc", "ends_at": None})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["code"], body["starts_at"], body["ends_at"], body["rsvp_deadline"]) == (
        "ht-utc", "2030-08-12T08:00:00+07:00", None, None)


@pytest.mark.parametrize("changes,field,message", [
    ({"ends_at": "2030-08-12T07:59"}, "ends_at", "Thời gian kết thúc phải sau thời gian bắt đầu."),
    ({"rsvp_deadline": "2030-08-12T09:00"}, "rsvp_deadline", "Hạn trả lời phải trước khi hội thảo bắt đầu."),
    ({"title": ""}, "title", "Vui lòng nhập tên hội thảo."),
    ({"title": None}, "title", "Vui lòng nhập tên hội thảo."),
    ({"starts_at": "12h sáng mai"}, "starts_at", "Thời gian không hợp lệ"),
    ({"code": "ISO 9001!"}, "code", "Mã hội thảo dài 3–40 ký tự"),
    ({"code": "x" * 41}, "code", "40"),
])
def test_bad_bodies_get_422_naming_the_field_and_create_nothing(client, api_headers, changes, field,
                                                                message):
    response = client.post("/api/v1/workshops", json={**BODY, **changes},
                           headers=api_headers("organizer"))
    assert message in problems(response)[field]
    assert count(Workshop) == 0


def test_every_bad_field_is_listed_at_once(client, api_headers):
    response = client.post("/api/v1/workshops", json={"description": "x"},
                           headers=api_headers("organizer"))
    assert set(problems(response)) == {"title", "starts_at", "venue"}


def test_a_code_already_used_is_422(client, api_headers):
    factories.make_workshop(code="iso-2030")
    response = client.post("/api/v1/workshops", json={**BODY, "code": "iso-2030"},
                           headers=api_headers("organizer"))
    assert "đã được dùng" in problems(response)["code"]
    assert count(Workshop) == 1


def test_a_body_that_is_not_an_object_is_400(client, api_headers):
    response = client.post("/api/v1/workshops", data="[1]", content_type="application/json",
                           headers=api_headers("organizer"))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("role", ["staff", "chair"])
def test_only_organizers_create(client, api_headers, role):
    response = client.post("/api/v1/workshops", json=BODY, headers=api_headers(role))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert count(Workshop) == 0


def test_anonymous_calls_are_401(client, ctx):
    workshop = factories.make_workshop()
    assert client.post("/api/v1/workshops", json=BODY).status_code == 401
    response = client.get(f"/api/v1/workshops/{workshop.code}")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/workshops").status_code == 401
    assert client.post(f"/api/v1/workshops/{workshop.code}/sessions", json={"title": "X"}).status_code == 401


def test_get_a_workshop_with_its_sessions_in_order(client, api_headers, users):
    workshop = factories.make_workshop(code="ht-doc", sessions=0)
    workshop.sessions.extend([
        WorkshopSession(position=2, title="Kết luận", chair=users["chair"], moderated=True),
        WorkshopSession(position=1, title="Khai mạc",
                        starts_at=datetime(2030, 8, 12, 8, 0, tzinfo=LOCAL_TZ), presenter="Sở KH&CN"),
    ])
    db.session.commit()
    response = client.get("/api/v1/workshops/ht-doc", headers=api_headers("staff"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == "ht-doc" and body["starts_at"] == "2030-08-12T08:00:00+07:00"
    assert [session["title"] for session in body["sessions"]] == ["Khai mạc", "Kết luận"]
    opening, closing = body["sessions"]
    assert opening["starts_at"] == "2030-08-12T08:00:00+07:00" and opening["presenter"] == "Sở KH&CN"
    assert opening["chair_email"] is None and opening["moderated"] is False
    assert closing["chair_email"] == users["chair"].email and closing["moderated"] is True


def test_an_unknown_workshop_is_404_json(client, api_headers):
    response = client.get("/api/v1/workshops/khong-co", headers=api_headers("staff"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.post("/api/v1/workshops/khong-co/sessions", json={"title": "X"},
                           headers=api_headers("organizer"))
    assert response.status_code == 404


def test_list_workshops_is_paginated_latest_first(client, api_headers):
    for day in (10, 12, 11):
        factories.make_workshop(code=f"ht-{day}", starts_at=datetime(2030, 8, day, 8, tzinfo=LOCAL_TZ),
                                ends_at=None)
    headers = api_headers("staff")
    body = client.get("/api/v1/workshops", headers=headers).get_json()
    assert body["total"] == 3
    assert [item["code"] for item in body["items"]] == ["ht-12", "ht-11", "ht-10"]
    assert [s["title"] for s in body["items"][0]["sessions"]] == ["Phiên 1", "Phiên 2"]
    page = client.get("/api/v1/workshops?limit=1&offset=1", headers=headers).get_json()
    assert page == {"items": [body["items"][1]], "total": 3}


def test_add_a_session_with_a_chair_by_email(client, api_headers, users):
    workshop = factories.make_workshop(code="ht-phien", sessions=1)
    response = client.post("/api/v1/workshops/ht-phien/sessions", headers=api_headers("organizer"), json={
        "title": "Thảo luận, hỏi đáp", "starts_at": "2030-08-12T09:45", "ends_at": "2030-08-12T11:00",
        "chair_email": users["chair"].email.upper()})
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body["id"], int) and body["position"] == 2
    assert (body["title"], body["starts_at"], body["ends_at"]) == (
        "Thảo luận, hỏi đáp", "2030-08-12T09:45:00+07:00", "2030-08-12T11:00:00+07:00")
    assert body["chair_email"] == users["chair"].email and body["moderated"] is False
    session = db.session.get(WorkshopSession, body["id"])
    assert session.workshop == workshop and session.chair == users["chair"] and not session.moderated


@pytest.mark.parametrize("moderated,expected", [(True, True), (False, False)])
def test_moderated_sessions(client, api_headers, moderated, expected):
    factories.make_workshop(code="ht-duyet", sessions=0)
    response = client.post("/api/v1/workshops/ht-duyet/sessions", headers=api_headers("organizer"),
                           json={"title": "Phiên", "moderated": moderated})
    assert response.status_code == 201 and response.get_json()["moderated"] is expected


def test_session_bodies_are_checked(client, api_headers, users):
    factories.make_workshop(code="ht-kt", sessions=0)
    retired = factories.make_user("organizer")
    retired.active = False
    db.session.commit()
    headers = api_headers("organizer")
    url = "/api/v1/workshops/ht-kt/sessions"

    unknown = client.post(url, headers=headers, json={"title": "P", "chair_email": "ai@example.org"})
    assert problems(unknown) == {"chair_email": "Không tìm thấy tài khoản này."}
    for refused in (users["staff"], retired):
        response = client.post(url, headers=headers, json={"title": "P", "chair_email": refused.email})
        assert "vai trò Chủ trì hoặc Ban tổ chức" in problems(response)["chair_email"]
    backwards = client.post(url, headers=headers, json={
        "title": "P", "starts_at": "2030-08-12T10:00", "ends_at": "2030-08-12T09:00"})
    assert set(problems(backwards)) == {"ends_at"}
    assert set(problems(client.post(url, headers=headers, json={"moderated": True}))) == {"title"}
    assert count(WorkshopSession) == 0


def test_staff_cannot_add_sessions(client, api_headers):
    factories.make_workshop(code="ht-nv", sessions=0)
    response = client.post("/api/v1/workshops/ht-nv/sessions", json={"title": "X"},
                           headers=api_headers("staff"))
    assert response.status_code == 403
    assert count(WorkshopSession) == 0


def test_openapi_documents_the_workshop_rows(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    def body(path: str, method: str) -> dict:
        return spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]

    workshop, session = body("/api/v1/workshops", "post"), body("/api/v1/workshops/{code}/sessions", "post")
    listed = spec["paths"]["/api/v1/workshops"]["get"]
    single = spec["paths"]["/api/v1/workshops/{code}"]["get"]
    assert listed["x-roles"] == single["x-roles"] == ["staff"]
    assert listed["security"] == [{"bearerAuth": []}]
    assert workshop["properties"]["starts_at"]["format"] == "date-time"
    assert set(workshop["required"]) == {"title", "starts_at", "venue"}
    assert session["properties"]["moderated"]["type"] == "boolean"
    assert "chair_email" in session["properties"] and "chair_id" not in session["properties"]


def test_a_call_the_api_does_not_have_is_a_json_error(client, api_headers):
    missing = client.get("/api/v1/khong-co-dau", headers=api_headers("organizer"))
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/api/v1/workshops", headers=api_headers("organizer"))
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"
    assert set(wrong_method.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert client.get("/khong-co-dau").mimetype == "text/html"  # pages keep their HTML error page
