"""The questions pages: the attendee's phone page, the chair's console, the projector, the join
page, and their live feeds."""
import re
from datetime import timedelta

import pytest

from tests import factories
from workshop.extensions import db
from workshop.models import Question
from workshop.questions import services
from workshop.timeutil import utcnow

SCRIPT = '<script>alert("x")</script><b>đậm</b>'


@pytest.fixture
def workshop(ctx):
    return factories.make_workshop()


@pytest.fixture
def invitee(workshop):
    agency = factories.make_organization("Sở Tư pháp")
    return factories.make_invitee(workshop, "Trần Thị Bình", title="Phó Giám đốc Sở",
                                  organization=agency, status="accepted")


def page(invitation) -> str:
    return f"/i/{invitation.token}/questions"


def html(response) -> str:
    return response.get_data(as_text=True)


def textarea_value(body: str) -> str:
    return re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', body, re.S).group(1).strip()


# --- the attendee's page ----------------------------------------------------------------


def test_attendee_page_opens_by_token_and_lets_its_scripts_call_the_api(client, workshop, invitee):
    response = client.get(page(invitee))
    body = html(response)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Phiên 1" in body and "Phiên 2" in body
    assert "Trần Thị Bình</strong>, Phó Giám đốc Sở – Sở Tư pháp" in body
    assert 'name="anonymous"' not in body  # this workshop takes named questions only
    services.ask(workshop, workshop.sessions[0].id, invitee, "Câu hỏi đã có")
    # No header: the page stored the invitation in the session, so the list knows who calls.
    listed = client.get(f"/api/v1/workshops/{workshop.code}/questions").get_json()
    assert listed["items"][0]["voted"] is False


def test_unknown_link_gets_the_plain_explanation(client, ctx):
    response = client.get("/i/khong-co-that/questions")
    assert response.status_code == 404
    assert "không đúng hoặc không còn hiệu lực" in html(response)
    assert client.post("/i/khong-co-that/questions/1/vote").status_code == 404


def test_sending_without_scripts(client, workshop, invitee):
    second = workshop.sessions[1]
    response = client.post(page(invitee), data={"session_id": second.id,
                                                "text": "Khi nào áp dụng ISO 9001:2015?"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page(invitee)}?session={second.id}")
    question = db.session.scalars(db.select(Question)).one()
    assert (question.invitation_id, question.session_id, question.anonymous) == (invitee.id, second.id, False)
    shown = html(client.get(response.headers["Location"]))
    assert "Đã gửi câu hỏi" in shown and "Khi nào áp dụng ISO 9001:2015?" in shown


def test_moderated_session_says_the_question_waits(client, workshop, invitee):
    workshop.sessions[0].moderated = True
    db.session.commit()
    response = client.post(page(invitee), data={"session_id": workshop.sessions[0].id,
                                                "text": "Câu hỏi chờ duyệt"}, follow_redirects=True)
    body = html(response)
    assert "sau khi chủ trì duyệt" in body
    assert 'class="q-text" data-field="text">Câu hỏi chờ duyệt' not in body


def test_a_refused_question_keeps_what_was_typed(client, workshop, invitee):
    typed = "Đoạn đầu đã gõ " + "x" * 1000
    response = client.post(page(invitee), data={"session_id": workshop.sessions[0].id, "text": typed})
    body = html(response)
    assert response.status_code == 422
    assert "Câu hỏi dài tối đa 1000 ký tự." in body
    assert textarea_value(body) == typed
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_anonymous_only_where_the_workshop_allows_it(client, workshop, invitee):
    session_id = workshop.sessions[0].id
    refused = client.post(page(invitee), data={"session_id": session_id, "text": "Ẩn danh nhé",
                                               "anonymous": "y"})
    assert refused.status_code == 422
    assert "không nhận câu hỏi ẩn danh" in html(refused)
    assert textarea_value(html(refused)) == "Ẩn danh nhé"
    workshop.allow_anonymous_questions = True
    db.session.commit()
    assert 'name="anonymous"' in html(client.get(page(invitee)))
    client.post(page(invitee), data={"session_id": session_id, "text": "Ẩn danh nhé", "anonymous": "y"})
    question = db.session.scalars(db.select(Question)).one()
    assert question.anonymous is True
    assert "Trần Thị Bình" not in html(client.get(page(invitee))).split('id="questions"')[1]


def test_voting_without_scripts_counts_once(client, workshop, invitee):
    other = factories.make_invitee(workshop, "Người hỏi")
    question = services.ask(workshop, workshop.sessions[0].id, other, "Câu hỏi được bình chọn")
    vote_url = f"{page(invitee)}/{question.id}/vote"
    assert client.post(vote_url).status_code == 302
    assert client.post(vote_url).status_code == 302
    db.session.refresh(question)
    assert question.votes == 1
    body = html(client.get(page(invitee)))
    assert 'aria-pressed="true" disabled' in body and "Đã bình chọn" in body


def test_cannot_vote_on_another_workshops_question(client, workshop, invitee):
    other_workshop = factories.make_workshop()
    question = services.ask(other_workshop, other_workshop.sessions[0].id, None, "Ở hội thảo khác")
    assert client.post(f"{page(invitee)}/{question.id}/vote").status_code == 404
    db.session.refresh(question)
    assert question.votes == 0


def test_page_opens_on_the_session_running_now(client, workshop, invitee):
    now = utcnow()
    running = workshop.sessions[1]
    running.starts_at, running.ends_at = now - timedelta(minutes=10), now + timedelta(minutes=20)
    db.session.commit()
    assert f'<option value="{running.id}" selected>' in html(client.get(page(invitee)))
    first = workshop.sessions[0]
    assert f'<option value="{first.id}" selected>' in html(client.get(f"{page(invitee)}?session={first.id}"))


def test_pick_session_rules(workshop):
    first, second = workshop.sessions
    first.starts_at = utcnow() - timedelta(hours=1)
    first.ends_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert services.pick_session(workshop) is first  # by the clock
    assert services.pick_session(workshop, second.id) is second  # asked for
    assert services.pick_session(workshop, 10**9) is first  # not this workshop's: ignored
    assert services.pick_session(workshop, now=utcnow() + timedelta(days=1)) is first  # the first
    question = services.ask(workshop, second.id, None, "Đang được trả lời")
    services.set_answering_now(second, question)
    assert services.pick_session(workshop) is second  # a question is being answered there


# --- user text is text everywhere -----------------------------------------------------------


def test_html_in_a_question_is_shown_as_text_everywhere(client, client_as, workshop):
    asker = factories.make_invitee(workshop, '<img src=x onerror=alert(1)>',
                                   organization=factories.make_organization("<i>Sở</i> Nội vụ"))
    session = workshop.sessions[0]
    current = services.ask(workshop, session.id, asker, SCRIPT)
    services.ask(workshop, session.id, asker, SCRIPT + " (lần hai)")
    services.set_answering_now(session, current)
    pages = {
        "attendee": client.get(page(asker)),
        "console": client_as("chair").get(f"/workshops/{workshop.code}/questions/console"),
        "screen": client.get(f"/screen/{workshop.screen_token}"),
    }
    for name, response in pages.items():
        body = html(response)
        assert response.status_code == 200, name
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;đậm&lt;/b&gt;" in body, name
        assert "<script>alert" not in body and "<b>đậm" not in body, name
        assert "<img src=x" not in body and "<i>Sở" not in body, name
        assert "&lt;i&gt;Sở&lt;/i&gt; Nội vụ" in body, name


# --- the chair's console --------------------------------------------------------------------


def test_console_is_for_chairs(client, client_as, workshop):
    url = f"/workshops/{workshop.code}/questions/console"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client_as("staff").get(url).status_code == 403
    assert client_as("staff").get(url + "/feed").status_code == 403
    assert client_as("organizer").get(url).status_code == 200
    chair = html(client_as("chair").get(url))
    assert f"/screen/{workshop.screen_token}?session={workshop.sessions[0].id}" in chair  # projector
    assert "<kbd>j</kbd>" in chair and "<kbd>n</kbd>" in chair  # the shortcuts are listed


def test_console_queue_states_counts_and_order(client_as, workshop):
    workshop.sessions[0].moderated = True
    db.session.commit()
    session_id = workshop.sessions[0].id
    people = [factories.make_invitee(workshop) for _ in range(2)]
    pending = services.ask(workshop, session_id, people[0], "Chờ duyệt")
    shown = services.ask(workshop, session_id, people[0], "Đang hiển thị")
    answered = services.ask(workshop, session_id, people[0], "Đã có trả lời")
    hidden = services.ask(workshop, session_id, people[0], "Lạc đề")
    for question in (shown, answered, hidden):
        services.set_status(question, "visible")
    services.vote(answered, people[1])
    services.answer(answered, "Đã trả lời tại hội thảo.", "Hứa Văn Việt, Chi cục trưởng")
    services.set_status(hidden, "hidden")
    chair = client_as("chair")
    url = f"/workshops/{workshop.code}/questions/console"

    feed = chair.get(url + "/feed").get_json()
    assert feed["counts"] == {"pending": 1, "visible": 1, "answered": 1, "hidden": 1}
    states = {item["id"]: item["state"] for item in feed["items"]}
    assert states == {pending.id: "pending", shown.id: "visible", answered.id: "answered",
                      hidden.id: "hidden"}
    assert feed["items"][0]["id"] == answered.id  # most votes first
    by_time = chair.get(url + "/feed?order=time").get_json()["items"]
    assert [item["id"] for item in by_time] == [hidden.id, answered.id, shown.id, pending.id]

    body = html(chair.get(url + "?state=pending"))
    queue = body.split("data-queue>")[1].split("</ol>")[0]
    assert "Chờ duyệt" in queue and "Lạc đề" not in queue and "Đang hiển thị" not in queue
    assert '<option value="Hứa Văn Việt, Chi cục trưởng">' in body  # earlier officials suggested


def test_console_suggests_the_presenter_and_chair(client_as, workshop, users):
    session = workshop.sessions[0]
    session.presenter = "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng"
    session.chair = users["chair"]
    db.session.commit()
    body = html(client_as("chair").get(f"/workshops/{workshop.code}/questions/console"))
    assert '<option value="Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng">' in body
    assert f'<option value="{users["chair"].name}, Chuyên viên">' in body


def test_console_feed_answers_304_until_something_changes(client_as, workshop):
    chair = client_as("chair")
    url = f"/workshops/{workshop.code}/questions/console/feed?session={workshop.sessions[1].id}"
    first = chair.get(url)
    assert first.get_json()["session_id"] == workshop.sessions[1].id
    assert chair.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    services.ask(workshop, workshop.sessions[1].id, None, "Câu hỏi mới")
    changed = chair.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["items"][0]["text"] == "Câu hỏi mới"


# --- the projector ------------------------------------------------------------------------


def test_projector_opens_by_its_secret_link_only(client, workshop):
    assert client.get("/screen/khong-dung").status_code == 404
    assert client.get("/screen/khong-dung/feed").status_code == 404
    response = client.get(f"/screen/{workshop.screen_token}")
    body = html(response)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Phiên 1" in body
    assert '<svg class="qr"' in body
    assert f"localhost/q/{workshop.code}" in body  # the short address to join
    assert re.search(r"/static/css/projector\.[0-9a-f]{12}\.css", body)


def test_projector_shows_the_current_question_and_the_next_three(client, workshop):
    session = workshop.sessions[0]
    people = [factories.make_invitee(workshop) for _ in range(5)]
    questions = [services.ask(workshop, session.id, people[0], f"Câu {n}") for n in range(6)]
    for n, question in enumerate(questions):
        for voter in people[:n]:
            services.vote(question, voter)
    services.answer(questions[5], "Đã trả lời.")  # most votes, but answered: not waiting
    services.set_answering_now(session, questions[4])
    feed = client.get(f"/screen/{workshop.screen_token}/feed").get_json()
    assert feed["session"]["title"] == "Phiên 1"
    assert feed["current"]["id"] == questions[4].id and feed["current"]["size"] == "l"
    assert [item["id"] for item in feed["next"]] == [questions[3].id, questions[2].id, questions[1].id]
    body = html(client.get(f"/screen/{workshop.screen_token}"))
    assert "Câu 4</p>" in body and "Đang trả lời" in body


def test_projector_feed_answers_304_until_something_changes(client, workshop, invitee):
    url = f"/screen/{workshop.screen_token}/feed?session={workshop.sessions[0].id}"
    first = client.get(url)
    assert first.get_json()["next"] == []
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    question = services.ask(workshop, workshop.sessions[0].id, invitee, "Câu hỏi mới")
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.get_json()["next"][0]["id"] == question.id
    # Another session's feed has its own ETag: its page is not told the wrong thing.
    other = client.get(f"/screen/{workshop.screen_token}/feed?session={workshop.sessions[1].id}",
                       headers={"If-None-Match": changed.headers["ETag"]})
    assert other.status_code == 200 and other.get_json()["next"] == []


def test_join_page_sends_a_known_phone_to_its_questions(client, workshop, invitee):
    response = client.get(f"/q/{workshop.code}")
    assert response.status_code == 200
    assert "đường link cá nhân trong giấy mời" in html(response)
    assert client.get("/q/khong-co").status_code == 404
    client.get(f"/i/{invitee.token}/questions")
    again = client.get(f"/q/{workshop.code}")
    assert again.status_code == 302 and again.headers["Location"].endswith(page(invitee))
    # A phone that opened an invitation of another workshop is only told what to do.
    other = factories.make_workshop()
    assert client.get(f"/q/{other.code}").status_code == 200


def test_too_many_questions_in_a_minute_keeps_what_was_typed(make_app, ctx):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    # "Câu 1", "Câu 2"… are alike: each is sent anyway, past the similar questions
    data = {"session_id": workshop.sessions[0].id, "send_anyway": "1"}
    codes = [client.post(page(invitation), data={**data, "text": f"Câu {n}"}).status_code
             for n in range(10)]
    assert codes == [302] * 10
    refused = client.post(page(invitation), data={**data, "text": "Câu thứ mười một"})
    assert refused.status_code == 429
    assert "chờ một phút" in html(refused)
    assert textarea_value(html(refused)) == "Câu thứ mười một"


def test_pages_of_a_workshop_without_sessions_say_so(client, client_as, ctx):
    workshop = factories.make_workshop(sessions=0)
    invitation = factories.make_invitee(workshop)
    assert "chưa có chương trình phiên nào" in html(client.get(page(invitation)))
    console = client_as("chair").get(f"/workshops/{workshop.code}/questions/console")
    assert "chưa có phiên nào" in html(console)
    assert client.get(f"/screen/{workshop.screen_token}/feed").get_json() == {
        "session": None, "current": None, "next": []}
