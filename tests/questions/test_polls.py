"""Polls as cheap as /healthz: a poll whose ETag still matches is answered 304 by the poll gate
(workshop/polls.py) before Flask, from one indexed query (two for the board), and only to a
caller the view would let in; a 200 poll reads little. Statements are counted on the engine."""
from __future__ import annotations

import pytest

from tests import factories
from workshop.auth.services import revoke_api_token
from workshop.checkin import services as checkin
from workshop.questions import services


@pytest.fixture
def workshop(ctx):
    return factories.make_workshop()


@pytest.fixture
def reached_flask(app):
    """How many requests got as far as Flask's own request handling."""
    seen: list[str] = []
    app.before_request(lambda: seen.append("flask") and None)
    return seen


def questions_url(workshop, **query) -> str:
    session_id = query.pop("session_id", workshop.sessions[0].id)
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return f"/api/v1/workshops/{workshop.code}/questions?session_id={session_id}{extra}"


def asked(workshop, count: int = 3):
    agency = factories.make_organization()
    askers = [factories.make_invitee(workshop, organization=agency) for _ in range(count)]
    return [services.ask(workshop, workshop.sessions[0].id, asker, f"Câu hỏi số {n}")
            for n, asker in enumerate(askers)]


def test_a_304_question_poll_is_one_statement_and_never_reaches_flask(workshop, client, reached_flask):
    asked(workshop)
    headers = factories.attendee_headers(workshop)
    first = client.get(questions_url(workshop), headers=headers)
    assert first.status_code == 200 and len(first.get_json()["items"]) == 3
    etag = first.headers["ETag"]
    reached_flask.clear()

    with factories.statements() as seen:
        again = client.get(questions_url(workshop), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "no-cache"
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in again.headers
    assert len(seen) == 1, seen
    assert reached_flask == []
    # The order is part of what the phone holds: another order is another list.
    other = client.get(questions_url(workshop, order="time"), headers={**headers, "If-None-Match": etag})
    assert other.status_code == 200


def test_a_change_changes_the_etag(workshop, client):
    (question, *_rest) = asked(workshop)
    headers = factories.attendee_headers(workshop)
    etag = client.get(questions_url(workshop), headers=headers).headers["ETag"]
    voter = factories.make_invitee(workshop)
    services.vote(question, voter)

    changed = client.get(questions_url(workshop), headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["items"][0]["votes"] == 1
    assert client.get(questions_url(workshop), headers={
        **headers, "If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_304_is_never_told_to_a_wrong_token_or_another_workshop(workshop, client):
    asked(workshop)
    headers = factories.attendee_headers(workshop)
    etag = client.get(questions_url(workshop), headers=headers).headers["ETag"]

    wrong = client.get(questions_url(workshop), headers={"X-Invitation-Token": "khong-dung",
                                                          "If-None-Match": etag})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "invalid_invitation_token"
    stranger = factories.attendee_headers(factories.make_workshop())
    other = client.get(questions_url(workshop), headers={**stranger, "If-None-Match": etag})
    assert other.status_code == 403
    # Nobody at all, with the ETag a phone holds: the view's 401.
    assert client.get(questions_url(workshop), headers={"If-None-Match": etag}).status_code == 401
    # Whatever the phone holds, "*" included, only the view answers an unknown workshop.
    unknown = client.get("/api/v1/workshops/khong-co/questions?session_id=1",
                         headers={**headers, "If-None-Match": "*"})
    assert unknown.status_code == 404


def test_the_personal_page_polls_with_its_session_cookie(workshop, client):
    asked(workshop)
    invitee = factories.make_invitee(workshop)
    assert client.get(f"/i/{invitee.token}/questions").status_code == 200  # leaves the token in the session
    first = client.get(questions_url(workshop))
    assert first.status_code == 200
    assert first.get_json()["items"][0]["voted"] is False  # told apart as this invitee

    with factories.statements() as seen:
        again = client.get(questions_url(workshop), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and len(seen) == 1


def test_staff_polls_by_token_and_a_revoked_token_is_refused(workshop, client, api_headers):
    asked(workshop)
    headers = api_headers("staff")
    etag = client.get(questions_url(workshop), headers=headers).headers["ETag"]
    url = questions_url(workshop)
    with factories.statements() as seen:
        assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert len(seen) == 1

    revoke_api_token(headers["Authorization"][7:])
    refused = client.get(questions_url(workshop), headers={**headers, "If-None-Match": etag})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"


def test_a_query_the_gate_does_not_know_goes_to_the_view(workshop, client, api_headers, reached_flask):
    headers = api_headers("staff")
    url = questions_url(workshop, status="pending")
    etag = client.get(url, headers=headers).headers["ETag"]
    reached_flask.clear()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert reached_flask == ["flask"]  # the view's own 304, which reads the statuses
    zero = client.get(questions_url(workshop, session_id=0), headers={**headers, "If-None-Match": "*"})
    assert zero.status_code == 422


def test_a_200_question_poll_answers_as_the_models_would(workshop, client, api_headers):
    """The polled list is read without ORM objects (services.live_list): its answer must be the
    one the models and their serializer give, asker by asker (a deputy, an anonymous question,
    an agency-less invitee), vote by vote, with the question being answered in each session."""
    from workshop.questions.schemas import QuestionListSchema, serialize

    first, second = workshop.sessions[0], workshop.sessions[1]
    agency = factories.make_organization()
    deputy = factories.make_invitee(workshop, organization=agency, status="delegated",
                                    delegate_name="Người dự thay", delegate_title="Phó phòng")
    loner = factories.make_invitee(workshop)
    caller = factories.make_invitee(workshop, organization=agency)
    asked_by_deputy = services.ask(workshop, first.id, deputy, "Câu hỏi của người dự thay")
    services.ask(workshop, first.id, loner, "Câu hỏi không có cơ quan")
    anonymous = services.ask(workshop, first.id, caller, "Câu hỏi ẩn danh")
    anonymous.anonymous = True
    services.vote(asked_by_deputy, caller)
    services.answer(services.ask(workshop, second.id, loner, "Đã trả lời"), "Trả lời", "Giám đốc")
    hidden = services.ask(workshop, second.id, loner, "Câu hỏi bị ẩn")
    services.set_status(hidden, "hidden")
    services.set_answering_now(second, services.ask(workshop, second.id, caller, "Đang trả lời"))

    def by_the_models(session_id, statuses, order, invitation):
        questions = services.list_questions(workshop, session_id, statuses, order)
        currents = services.answering_now(workshop.id)
        voted = services.voted_by(invitation, [q.id for q in questions]) if invitation else None
        items = [serialize(q, currents.get(q.session_id), voted) for q in questions]
        return QuestionListSchema().dump({"items": items, "total": len(items),
                                          "current": {str(k): v for k, v in currents.items() if v}})

    cases = [({"session_id": first.id}, ("visible",), "votes", {"X-Invitation-Token": caller.token}, caller),
             ({"session_id": first.id, "order": "time"}, ("visible",), "time",
              {"X-Invitation-Token": caller.token}, caller),
             ({}, ("visible",), "votes", {"X-Invitation-Token": caller.token}, caller),
             ({"status": "hidden,visible"}, ("hidden", "visible"), "votes", api_headers("staff"), None)]
    for query, statuses, order, headers, invitation in cases:
        url = f"/api/v1/workshops/{workshop.code}/questions?" + "&".join(f"{k}={v}" for k, v in query.items())
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.data
        assert answer.get_json() == by_the_models(query.get("session_id"), statuses, order, invitation)
    body = client.get(questions_url(workshop), headers={"X-Invitation-Token": caller.token}).get_json()
    assert [item["voted"] for item in body["items"]] == [True, False, False]
    assert body["items"][0]["asker"] == {"name": "Người dự thay", "title": "Phó phòng",
                                         "organization": agency.name}
    assert body["items"][1]["asker"]["organization"] is None and body["items"][2]["asker"] is None
    assert set(body["current"]) == {str(second.id)}


def test_after_a_change_the_other_phones_read_only_their_invitation(workshop, client):
    """The first phone to poll a new version reads the list; the next ones, at that version,
    read only their invitation (its workshop's version and their votes with it, one
    statement), and each is told its own votes."""
    first, second = asked(workshop, 2)
    phones = [factories.make_invitee(workshop) for _ in range(3)]
    services.vote(second, phones[1])
    services.vote(first, phones[2])
    url, tokens = questions_url(workshop), [phone.token for phone in phones]
    answers = []
    for n, token in enumerate(tokens):
        with factories.statements() as seen:
            answers.append(client.get(url, headers={"X-Invitation-Token": token}))
        assert len(seen) == (2 if n == 0 else 1), seen  # the list, read once
        assert "question_votes" in seen[0] and "workshop_sessions" not in seen[0], seen[0]
    told = [{item["id"]: item["voted"] for item in answer.get_json()["items"]} for answer in answers]
    assert told == [{first.id: False, second.id: False}, {first.id: False, second.id: True},
                    {first.id: True, second.id: False}]
    assert len({answer.headers["ETag"] for answer in answers}) == 3  # each caller's own ETag
    # A change: the list is read again, with the new question.
    services.ask(workshop, workshop.sessions[0].id, phones[0], "Câu hỏi mới")
    url, token = questions_url(workshop), phones[1].token
    with factories.statements() as seen:
        again = client.get(url, headers={"X-Invitation-Token": token})
    assert "workshop_sessions" in seen[1] and len(again.get_json()["items"]) == 3


def test_the_polled_list_is_checked_against_its_schema():
    """The poll skips marshmallow's dump but not its refusals: an undeclared key or a value of
    another type than declared is a bug, as `Answer` says (stricter: a bool for a number, a
    null where none is declared)."""
    from workshop.questions.schemas import QuestionListSchema
    from workshop.schemas import as_declared

    item = {"id": 1, "session_id": 2, "text": "Câu hỏi", "status": "visible", "votes": 0,
            "anonymous": False, "asker": None, "assigned_to": None, "answer": None,
            "answered_by": None, "answered_at": None, "created_at": "2030-08-12T08:00:00+07:00",
            "answering_now": False, "voted": None}
    page = {"items": [item], "total": 1, "current": {"2": 1}}
    assert as_declared(QuestionListSchema, page) == QuestionListSchema().dump(page)
    for wrong in ({**item, "secret": 1}, {**item, "votes": True}, {**item, "votes": "1"},
                  {**item, "asker": {"name": "A", "email": "a@example.org"}}, {**item, "id": None}):
        with pytest.raises(TypeError):
            as_declared(QuestionListSchema, {**page, "items": [wrong]})
    with pytest.raises(TypeError):
        as_declared(QuestionListSchema, {**page, "current": {"2": "1"}})


def test_a_200_question_poll_reads_little(workshop, client):
    asked(workshop, 6)
    headers, url = factories.attendee_headers(workshop), questions_url(workshop)
    with factories.statements() as few:
        assert client.get(url, headers=headers).status_code == 200
    asked(workshop, 12)
    url = questions_url(workshop)
    with factories.statements() as more:
        answer = client.get(url, headers=headers)
    assert len(answer.get_json()["items"]) == 18
    assert answer.get_json()["items"][0]["asker"]["organization"]  # the askers' agencies, read along
    # The invitation (with its workshop), then the list with its votes and the sessions' currents.
    assert len(more) == len(few) == 2, "\n".join(s[:70] for s in more)


def test_the_board_poll_is_two_statements_and_a_signed_out_board_is_refused(workshop, client_as, users,
                                                                           reached_flask):
    invitee = factories.make_invitee(workshop, status="accepted")
    staff = client_as("staff")
    url = f"/workshops/{workshop.code}/board.json"
    etag = staff.get(url).headers["ETag"]
    reached_flask.clear()
    with factories.statements() as seen:
        again = staff.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and len(seen) == 2 and reached_flask == []

    checkin.check_in(workshop, invitee.pass_token)
    changed = staff.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["present"] == 1

    etag = changed.headers["ETag"]
    assert staff.post("/logout").status_code in (302, 303)
    signed_out = staff.get(url, headers={"If-None-Match": etag})
    assert signed_out.status_code == 401
    stranger = client_as("staff").application.test_client()
    assert stranger.get(url, headers={"If-None-Match": etag}).status_code == 401


def test_a_broken_database_connection_sends_the_poll_to_flask_once(workshop, client, reached_flask):
    """On PostgreSQL the gate keeps a connection per thread (no pool ping per poll): when the
    server drops it, that poll is answered by Flask (a 304 still) and the next one is the
    gate's again, on a new connection. On SQLite the gate takes a pooled connection each time.
    (On PostgreSQL the process's listener (workshop/live.py) is dropped too: once it has seen it,
    what it kept is forgotten and the polls read the database, as here.)"""
    from sqlalchemy import text

    from tests.questions.test_live_listen import wait_for
    from workshop import live
    from workshop.extensions import db

    asked(workshop)
    headers = factories.attendee_headers(workshop)
    url = questions_url(workshop)
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    reached_flask.clear()
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.close()
        with db.engine.connect() as connection:
            dropped = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
        assert dropped >= 1  # the gate's kept connection among them
        wait_for(lambda: not live.of(client.application).subscribed)
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert reached_flask == (["flask"] if postgresql else [])
    reached_flask.clear()
    with factories.statements() as seen:
        assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert reached_flask == [] and len(seen) == 1
