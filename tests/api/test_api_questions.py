"""The questions rows of CONTRACT.md: attendees ask and vote, chairs moderate and answer."""
import pytest

from tests import factories
from tests.factories import attendee_headers
from workshop.extensions import db
from workshop.models import Question


@pytest.fixture
def workshop(ctx):
    return factories.make_workshop()


def ask(client, workshop, headers, text="Khi nào áp dụng TCVN ISO 9001:2015?", **extra):
    body = {"session_id": workshop.sessions[0].id, "text": text, **extra}
    return client.post(f"/api/v1/workshops/{workshop.code}/questions", json=body, headers=headers)


def test_attendee_asks_and_everyone_sees_it(client, workshop, api_headers):
    response = ask(client, workshop, attendee_headers(workshop, "Nguyễn Văn An"))
    assert response.status_code == 201
    assert response.get_json()["status"] == "visible"
    listed = client.get(f"/api/v1/workshops/{workshop.code}/questions",
                        headers=api_headers("staff")).get_json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["text"] == "Khi nào áp dụng TCVN ISO 9001:2015?"
    assert item["votes"] == 0 and item["answer"] is None
    assert item["asker"]["name"] == "Nguyễn Văn An"


def test_moderated_session_keeps_questions_pending(client, workshop):
    workshop.sessions[0].moderated = True
    db.session.commit()
    headers = attendee_headers(workshop)
    assert ask(client, workshop, headers).get_json()["status"] == "pending"
    listed = client.get(f"/api/v1/workshops/{workshop.code}/questions", headers=headers)
    assert listed.get_json()["total"] == 0


@pytest.mark.parametrize("text", ["", "x" * 1001])
def test_question_text_length_is_a_422(client, workshop, text):
    response = ask(client, workshop, attendee_headers(workshop), text=text)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "text"
    assert db.session.query(Question).count() == 0


def test_vote_once_and_list_most_voted_first(client, workshop):
    a, b = attendee_headers(workshop, "A"), attendee_headers(workshop, "B")
    first = ask(client, workshop, a, text="Câu hỏi một").get_json()["id"]
    second = ask(client, workshop, a, text="Câu hỏi hai").get_json()["id"]
    assert client.post(f"/api/v1/questions/{second}/vote", headers=b).get_json() == {"votes": 1}
    repeat = client.post(f"/api/v1/questions/{second}/vote", headers=b)
    assert repeat.status_code == 200 and repeat.get_json() == {"votes": 1}
    items = client.get(f"/api/v1/workshops/{workshop.code}/questions", headers=b).get_json()["items"]
    assert [q["id"] for q in items] == [second, first]
    assert [q["voted"] for q in items] == [True, False]


def test_etag_answers_304_until_something_changes(client, workshop):
    headers = attendee_headers(workshop)
    url = f"/api/v1/workshops/{workshop.code}/questions"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    ask(client, workshop, attendee_headers(workshop, "Người khác"))
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["total"] == 1


def test_chair_hides_and_answers(client, workshop, api_headers):
    question_id = ask(client, workshop, attendee_headers(workshop)).get_json()["id"]
    chair = api_headers("chair")
    answered = client.post(f"/api/v1/questions/{question_id}/answer", headers=chair,
                           json={"answer": "Theo lộ trình của Bộ KH&CN.",
                                 "answered_by": "Hứa Văn Việt, Chi cục trưởng"})
    assert answered.status_code == 200
    assert answered.get_json()["answered_by"] == "Hứa Văn Việt, Chi cục trưởng"
    hidden = client.patch(f"/api/v1/questions/{question_id}", headers=chair,
                          json={"status": "hidden"})
    assert hidden.status_code == 200 and hidden.get_json()["status"] == "hidden"
    bad = client.patch(f"/api/v1/questions/{question_id}", headers=chair, json={"status": "xoa"})
    assert bad.status_code == 422


def test_who_may_do_what(client, workshop, api_headers):
    question_id = ask(client, workshop, attendee_headers(workshop)).get_json()["id"]
    assert ask(client, workshop, {}).status_code == 401
    assert ask(client, workshop, {"X-Invitation-Token": "sai"}).status_code == 401
    staff = api_headers("staff")
    assert client.patch(f"/api/v1/questions/{question_id}", headers=staff,
                        json={"status": "hidden"}).status_code == 403
    assert client.post(f"/api/v1/questions/{question_id}/answer", headers=attendee_headers(workshop),
                       json={"answer": "x"}).status_code in (401, 403)
    elsewhere = attendee_headers(factories.make_workshop())
    assert ask(client, workshop, elsewhere).status_code == 403
    assert client.post(f"/api/v1/questions/{question_id}/vote",
                       headers=elsewhere).status_code == 403


def test_questions_are_rate_limited_per_invitation(make_app, ctx):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    workshop = factories.make_workshop()
    headers = attendee_headers(workshop)
    codes = [ask(client, workshop, headers, text=f"Câu {n}").status_code for n in range(12)]
    assert codes[:10] == [201] * 10
    assert codes[-1] == 429
    assert "một phút" in ask(client, workshop, headers).get_json()["error"]["message"]
    assert ask(client, workshop, attendee_headers(workshop, "Người khác")).status_code == 201


def test_script_in_a_question_is_returned_as_text(client, workshop):
    text = '<script>alert("x")</script> & <b>đậm</b>'
    ask(client, workshop, attendee_headers(workshop), text=text)
    response = client.get(f"/api/v1/workshops/{workshop.code}/questions",
                          headers=attendee_headers(workshop))
    assert response.get_json()["items"][0]["text"] == text
    assert response.mimetype == "application/json"
