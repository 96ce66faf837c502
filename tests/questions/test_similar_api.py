"""The similar-questions call the attendee's page makes before sending, and the suggestions of
the chair's console."""
from __future__ import annotations

import pytest

from tests import factories
from tests.factories import attendee_headers
from workshop.extensions import db
from workshop.models import Question

ASKED = "Kinh phí thuê tổ chức tư vấn xây dựng hệ thống ISO lấy từ nguồn nào?"
ALIKE = "nguon kinh phi thue to chuc tu van xay dung ISO o dau"


@pytest.fixture
def workshop(ctx):
    return factories.make_workshop()


def add(workshop, text, status="visible", session=0, votes=0):
    question = Question(workshop_id=workshop.id, session_id=workshop.sessions[session].id,
                        text=text, status=status, votes=votes)
    db.session.add(question)
    db.session.commit()
    return question


def similar(client, workshop, headers, text=ALIKE, session=0):
    url = f"/api/v1/workshops/{workshop.code}/sessions/{workshop.sessions[session].id}/questions/similar"
    return client.get(url, query_string={"text": text} if text is not None else {}, headers=headers)


def test_attendee_is_shown_the_visible_question_like_theirs(client, workshop):
    shown = add(workshop, ASKED, votes=4)
    add(workshop, "Lịch tập huấn chuyên gia đánh giá nội bộ năm 2015?")
    response = similar(client, workshop, attendee_headers(workshop))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == shown.id and item["text"] == ASKED and item["votes"] == 4
    assert item["voted"] is False and item["answered"] is False
    assert 0.36 <= item["score"] <= 1


def test_hidden_pending_and_merged_questions_are_never_suggested(client, workshop, api_headers):
    hidden = add(workshop, ASKED, status="hidden")
    add(workshop, ASKED, status="pending")
    merged = add(workshop, ALIKE, status="hidden")
    merged.status, merged.merged_into_id = "merged", hidden.id
    db.session.commit()
    add(workshop, ASKED, session=1)  # another session's
    for headers in (attendee_headers(workshop), api_headers("chair")):
        body = similar(client, workshop, headers, text=ASKED).get_json()
        assert body == {"items": [], "total": 0}


def test_who_may_ask_for_suggestions(client, workshop, api_headers):
    add(workshop, ASKED)
    assert similar(client, workshop, {}).status_code == 401
    other = factories.make_workshop(title="Hội thảo khác")
    assert similar(client, workshop, attendee_headers(other)).status_code == 403
    assert similar(client, workshop, api_headers("staff")).get_json()["total"] == 1
    # a session of another workshop is not found, even to the organizer
    url = f"/api/v1/workshops/{workshop.code}/sessions/{other.sessions[0].id}/questions/similar"
    response = client.get(url, query_string={"text": ASKED}, headers=api_headers("organizer"))
    assert response.status_code == 404


@pytest.mark.parametrize("text", [None, "", "   ", "x" * 1001, "câu hỏi\x1b"])
def test_bad_text_is_a_422(client, workshop, text):
    response = similar(client, workshop, attendee_headers(workshop), text=text)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "text"


def test_suggestions_are_rate_limited_like_attendee_calls(make_app, ctx):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    workshop = factories.make_workshop()
    headers = attendee_headers(workshop)
    codes = [similar(client, workshop, headers).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    assert codes[-1] == 429
    assert similar(client, workshop, attendee_headers(workshop, "Người khác")).status_code == 200


def test_the_attendee_sees_their_own_vote(client, workshop):
    question = add(workshop, ASKED)
    headers = attendee_headers(workshop)
    client.post(f"/api/v1/questions/{question.id}/vote", headers=headers)
    assert similar(client, workshop, headers).get_json()["items"][0]["voted"] is True


# --- the chair's console -------------------------------------------------------------------


def test_console_feed_suggests_the_shown_questions_like_each_one(client_as, workshop):
    shown = add(workshop, ASKED, votes=3)
    hidden = add(workshop, "Kinh phí thuê tư vấn xây dựng ISO lấy ở đâu vậy?", status="hidden")
    other = add(workshop, "Lịch tập huấn chuyên gia đánh giá nội bộ năm 2015?")
    arrived = add(workshop, ALIKE, status="pending")
    url = f"/workshops/{workshop.code}/questions/console/feed?session={workshop.sessions[0].id}"
    items = {item["id"]: item for item in client_as("chair").get(url).get_json()["items"]}
    suggested = items[arrived.id]["similar"]
    # the shown question only: never the hidden one, nor one on another subject
    assert [item["id"] for item in suggested] == [shown.id]
    assert suggested[0]["text"] == ASKED and suggested[0]["votes"] == 3
    assert suggested[0]["score"] >= 0.36
    assert items[other.id]["similar"] == []
    assert [item["id"] for item in items[hidden.id]["similar"]] == [shown.id]


def test_console_page_has_the_merge_key_for_suggestions(client_as, workshop):
    add(workshop, ASKED)
    body = client_as("chair").get(f"/workshops/{workshop.code}/questions/console").get_data(as_text=True)
    assert "data-similar-list" in body and "data-merge-into" in body
    assert "Gộp vào câu này" in body
    assert "<kbd>d</kbd>" in body
    assert "Có câu tương tự" in body  # the tag in the queue's template


def test_attendee_page_knows_where_to_ask_for_similar_questions(client, workshop):
    invitation = factories.make_invitee(workshop, "Trần Thị Bình", status="accepted")
    body = client.get(f"/i/{invitation.token}/questions").get_data(as_text=True)
    session_id = workshop.sessions[0].id
    assert (f'data-similar-api="/api/v1/workshops/{workshop.code}/sessions/{session_id}'
            '/questions/similar"') in body
    assert ("Đã có câu hỏi tương tự — ông/bà có muốn bình chọn cho câu hỏi đó thay vì gửi câu hỏi mới?"
            in body)


# --- the attendee's page without scripts ----------------------------------------------------


def test_without_scripts_the_similar_question_is_offered_before_sending(client, workshop):
    shown = add(workshop, ASKED, votes=1)
    add(workshop, ASKED, status="hidden")
    invitation = factories.make_invitee(workshop, "Trần Thị Bình", status="accepted")
    url = f"/i/{invitation.token}/questions"
    data = {"session_id": workshop.sessions[0].id, "text": ALIKE}
    offered = client.post(url, data=data)
    body = offered.get_data(as_text=True)
    assert offered.status_code == 200
    assert "ông/bà có muốn bình chọn cho câu hỏi đó thay vì gửi câu hỏi mới?" in body
    assert f'formaction="/i/{invitation.token}/questions/{shown.id}/vote"' in body
    assert body.count('class="similar-item"') == 2  # the shown one, and the script's template
    assert ALIKE in body  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 2

    # voting for it instead: one vote more, no new question
    client.post(f"/i/{invitation.token}/questions/{shown.id}/vote", data={})
    assert db.session.get(Question, shown.id).votes == 2
    # sending anyway
    sent = client.post(url, data={**data, "send_anyway": "1"})
    assert sent.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 3


def test_a_question_like_nothing_shown_is_sent_at_once(client, workshop):
    add(workshop, ASKED, status="hidden")
    invitation = factories.make_invitee(workshop, "Trần Thị Bình", status="accepted")
    response = client.post(f"/i/{invitation.token}/questions",
                           data={"session_id": workshop.sessions[0].id, "text": ALIKE})
    assert response.status_code == 302
