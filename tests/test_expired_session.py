"""An expired session never loses what was typed, and never acts.

CSRF protection is on here (conftest turns it off for the other tests). A phone that lost its
cookie sends a form whose token no longer matches any session: the answer is Vietnamese, shows
the form again with what was typed and a fresh token, leads back to the personal page, and
changes nothing; one more tap then sends it."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import Feedback, Invitation
from workshop.tasks.services import create_task

from . import factories
from .conftest import login_as

EXPIRED = "Phiên làm việc đã hết hạn"
DEPUTY = {"response": "delegate", "delegate_name": "Trần Thị Bình",
          "delegate_title": "Phó Giám đốc Sở", "delegate_phone": "0912 345 678"}
ENGLISH = ("The CSRF", "CSRF token", "CSRF session", "referrer header", "Referrer checking", "do not match",
           "Bad Request")


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    app.teardown_request(_forget_cached_login)
    return app


def _forget_cached_login(_error: BaseException | None = None) -> None:
    """Tests keep one app context (and `g`) for many requests: forget what a request cached."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


@pytest.fixture
def invitation(ctx):
    workshop = factories.make_workshop()
    return factories.make_invitee(workshop, "Nguyễn Văn An", status="sent")


def _token(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def _page_token(client, url: str) -> str:
    return _token(client.get(url).get_data(as_text=True))


def _row(invitation_id: int) -> tuple:
    db.session.rollback()
    row = db.session.get(Invitation, invitation_id)
    db.session.refresh(row)
    return row.status, row.delegate_name


def _assert_vietnamese(page: str) -> None:
    assert EXPIRED in page
    assert not [word for word in ENGLISH if word in page]


def test_the_deputy_form_without_its_session_comes_back_with_what_was_typed(app, invitation):
    old_phone = app.test_client()
    stale = _page_token(old_phone, f"/i/{invitation.token}")
    phone = app.test_client()  # the same phone after losing its cookie

    response = phone.post(f"/i/{invitation.token}", data={**DEPUTY, "csrf_token": stale})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_vietnamese(page)
    assert 'value="Trần Thị Bình"' in page and 'value="0912 345 678"' in page
    assert f'action="/i/{invitation.token}"' in page  # the personal page, where it is sent
    assert _token(page) != stale
    assert _row(invitation.id) == ("sent", None)

    # One more tap sends it, with the fresh token of the page shown.
    again = phone.post(f"/i/{invitation.token}", data={**DEPUTY, "csrf_token": _token(page)})
    assert again.status_code == 302
    assert _row(invitation.id) == ("delegated", "Trần Thị Bình")


def test_the_feedback_form_without_its_session_comes_back_with_what_was_typed(app, invitation):
    typed = "Cần gửi tài liệu trước ít nhất 3 ngày để đại biểu nghiên cứu."
    response = app.test_client().post(f"/i/{invitation.token}/feedback", data={
        "category": "lesson", "text": typed, "csrf_token": "token-of-a-lost-session"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_vietnamese(page)
    assert typed in page
    assert f'href="/i/{invitation.token}"' in page  # the way back to the personal page
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_a_staff_form_after_the_session_changed_comes_back_with_what_was_typed(app, invitation):
    """A tab left open across a new sign-in: the session's CSRF secret is not the page's."""
    organizer = factories.make_user("organizer")
    old_tab = app.test_client()
    login_as(old_tab, organizer)
    url = f"/workshops/{invitation.workshop.code}/invitations/{invitation.id}"
    stale = _page_token(old_tab, url)
    new_tab = app.test_client()
    login_as(new_tab, organizer)
    new_tab.get(url)  # this session has its own CSRF secret

    response = new_tab.post(url, data={"name": "Nguyễn Văn Anh", "title": "Giám đốc",
                                       "csrf_token": stale})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_vietnamese(page)
    assert 'value="Nguyễn Văn Anh"' in page
    db.session.rollback()
    assert db.session.get(Invitation, invitation.id).name == "Nguyễn Văn An"


def test_a_button_without_typed_input_is_not_done_and_says_so(app, invitation):
    """Deleting a draft acts on a bare POST: it is never run again, only explained."""
    organizer = factories.make_user("organizer")
    client = app.test_client()
    login_as(client, organizer)
    draft = factories.make_invitee(invitation.workshop, status="draft")
    url = f"/workshops/{invitation.workshop.code}/invitations/{draft.id}/delete"

    response = client.post(url, data={"csrf_token": "stale"},
                           headers={"Referer": f"http://localhost/workshops/{invitation.workshop.code}/invitations"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_vietnamese(page)
    assert f'href="/workshops/{invitation.workshop.code}/invitations"' in page
    db.session.rollback()
    assert db.session.get(Invitation, draft.id) is not None


@pytest.mark.parametrize("reason", ["session token missing", "token missing", "invalid",
                                    "do not match", "expired", "referrer missing"])
def test_no_english_reason_of_flask_wtf_reaches_the_attendee(make_app, invitation, reason):
    app = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1 if reason == "expired" else None)
    app.teardown_request(_forget_cached_login)
    client = app.test_client()
    url = f"/i/{invitation.token}/feedback"
    data = {"category": "lesson", "text": "Góp ý của tôi"}
    base = "http://localhost"
    if reason == "session token missing":
        data["csrf_token"] = _page_token(app.test_client(), url)
    elif reason == "invalid":
        client.get(url)
        data["csrf_token"] = "not-a-token"
    elif reason == "do not match":
        client.get(url)
        data["csrf_token"] = _page_token(app.test_client(), url)
    elif reason == "expired":
        data["csrf_token"] = _page_token(client, url)
        time.sleep(2)
    elif reason == "referrer missing":
        base = "https://localhost"
        data["csrf_token"] = _token(client.get(url, base_url=base).get_data(as_text=True))
    else:
        client.get(url)

    response = client.post(url, data=data, base_url=base)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_vietnamese(page)
    assert "Góp ý của tôi" in page
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_the_api_answers_an_expired_session_in_vietnamese_json(app, invitation):
    """The personal page's scripts call the API with the session: without the CSRF header,
    the contract's error shape in Vietnamese, and the answer is not recorded."""
    client = app.test_client()
    client.get(f"/i/{invitation.token}")

    response = client.post("/api/v1/rsvp", json=DEPUTY)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "session_expired" and EXPIRED in error["message"]
    assert _row(invitation.id) == ("sent", None)


def test_a_page_script_gets_json_too(app, invitation):
    """The scanner's walk-in call is not under /api/ but speaks JSON."""
    staff = factories.make_user("staff")
    client = app.test_client()
    login_as(client, staff)
    response = client.post(f"/workshops/{invitation.workshop.code}/scan/walk-in",
                           data={"name": "Khách"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert EXPIRED in response.get_json()["error"]["message"]


def test_a_view_marked_by_mistake_still_cannot_write(app, invitation):
    """A view that acts on a bare POST, wrongly marked `keeps_input`: run again for the expired
    session, its write is refused before it reaches the database."""
    from workshop.expired_session import keeps_input

    @keeps_input
    def careless(token: str):
        row = db.session.scalar(select(Invitation).where(Invitation.token == token))
        row.status = "declined"
        db.session.commit()
        return "done"

    app.add_url_rule("/careless/<token>", "careless", careless, methods=["POST"])
    response = app.test_client().post(f"/careless/{invitation.token}", data={"csrf_token": "old"})

    assert response.status_code == 400
    _assert_vietnamese(response.get_data(as_text=True).replace(
        "thao tác chưa được thực hiện", "Phiên làm việc đã hết hạn"))
    assert _row(invitation.id) == ("sent", None)
    # The refusal ends with that request: the thread's next write goes through.
    with app.test_request_context():
        db.session.get(Invitation, invitation.id).status = "declined"
        db.session.commit()
    assert _row(invitation.id)[0] == "declined"


def test_a_staff_phone_that_lost_its_session_cookie_keeps_its_input(app, invitation):
    """Signed in with "remember me": the session cookie is gone (the browser was closed), the
    remember cookie signs the organizer in again, and the form comes back with its values.
    (Here `g` outlives requests and still holds the sign-in's `csrf_valid`: the form shown again
    must not take it for this request's.)"""
    organizer = factories.make_user("organizer")
    client = app.test_client()
    login = client.post("/login", data={"email": organizer.email, "password": factories.PASSWORD,
                                        "remember": "y", "csrf_token": _page_token(client, "/login")})
    assert login.status_code == 302
    url = f"/workshops/{invitation.workshop.code}/invitations/{invitation.id}"
    stale = _page_token(client, url)
    client.delete_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))

    response = client.post(url, data={"name": "Nguyễn Văn Anh", "csrf_token": stale})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_vietnamese(page)
    assert 'value="Nguyễn Văn Anh"' in page
    db.session.rollback()
    assert db.session.get(Invitation, invitation.id).name == "Nguyễn Văn An"


def _table_counts() -> dict[str, int]:
    db.session.rollback()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_every_form_of_the_app_refuses_a_stale_token_in_vietnamese_and_changes_nothing(
        app, invitation):
    """Every POST route, pages and API, signed in as an organizer with a browser session and
    the attendee's link in it, sent a stale token: 400 in Vietnamese, and no table changes."""
    workshop = invitation.workshop
    organization = factories.make_organization()
    client = app.test_client()
    client.get(f"/i/{invitation.token}")  # the personal link in the session
    login_as(client, factories.make_user("organizer"))
    values = {"code": workshop.code, "token": invitation.token, "invitation_id": invitation.id,
              "session_id": workshop.sessions[0].id, "organization_id": organization.id,
              "question_id": 1, "contribution_id": 1, "batch": "b", "direction": "up",
              "name": "letters", "id": invitation.id, "version": 1, "state": "open",
              "unknown": "khong-co-dau", "task_id": 1, "member_id": 1}
    # A task link's page (/t/<token>) takes the secret of a task link, not of an invitation.
    _task, task_token = create_task(workshop, "Rà soát quy trình.", organization.id,
                                    date.today() + timedelta(days=30))
    before = _table_counts()
    answers = {}
    for rule in app.url_map.iter_rules():
        methods = [method for method in ("POST", "PATCH", "PUT", "DELETE") if method in rule.methods]
        if not methods:
            continue
        if not set(rule.arguments) <= set(values):
            continue
        given = {**values, "token": task_token} if rule.rule.startswith("/t/") else values
        url = rule.build({key: given[key] for key in rule.arguments}, append_unknown=False)[1]
        response = client.open(url, method=methods[0], data={
            "name": "Tên đã nhập", "text": "Nội dung đã nhập", "csrf_token": "stale"})
        body = (response.get_json()["error"]["message"] if response.is_json
                else response.get_data(as_text=True))
        answers[rule.rule] = (response.status_code,
                              [word for word in ENGLISH if word in body], EXPIRED in body)
    assert len(answers) == len([r for r in app.url_map.iter_rules()
                                if {"POST", "PATCH", "PUT", "DELETE"} & r.methods])
    # Signed in already, the sign-in form sends the organizer on (below, a stranger's).
    assert answers.pop("/login") == (302, [], False)
    # A call the API does not have is not found, whatever the token (no form was ever there).
    assert answers.pop("/api/v1/<path:unknown>") == (404, [], False)
    # The agency's API takes only its X-Task-Token header, never a browser session: none to expire.
    assert answers.pop("/api/v1/tasks/reports") == (401, [], False)
    assert {rule: answer for rule, answer in answers.items() if answer != (400, [], True)} == {}
    assert _table_counts() == before

    stranger = app.test_client().post("/login", data={"email": "can.bo@example.org",
                                                      "password": "x", "csrf_token": "stale"})
    assert stranger.status_code == 400
    assert 'value="can.bo@example.org"' in stranger.get_data(as_text=True)
