"""The chair's console opens on one session; its session picker says how many questions wait in
each, so that questions sent to another session are not missed."""
import re

from tests import factories
from workshop.questions import services


def test_the_session_picker_counts_the_questions_waiting_in_each_session(ctx, client_as):
    workshop = factories.make_workshop(sessions=3)
    first, second, third = workshop.sessions
    second.moderated = True
    person = factories.make_invitee(workshop, status="accepted")
    services.ask(workshop, second.id, person, "Chờ chủ trì duyệt")
    shown = services.ask(workshop, second.id, person, "Đang hiển thị, chưa trả lời")
    services.set_status(shown, "visible")
    answered = services.ask(workshop, third.id, person, "Đã có câu trả lời")
    services.set_status(answered, "visible")
    services.answer(answered, "Đã trả lời tại hội thảo.", "Hứa Văn Việt")
    hidden = services.ask(workshop, third.id, person, "Lạc đề")
    services.set_status(hidden, "hidden")

    body = client_as("chair").get(f"/workshops/{workshop.code}/questions/console").get_data(as_text=True)
    options = {value: re.sub(r"\s+", " ", text).strip() for value, text in re.findall(
        r'<option value="(\d+)"[^>]*>(.*?)</option>', body, re.S)}
    assert options[str(first.id)] == "Phiên 1"  # the one shown: nothing waits there
    assert options[str(second.id)] == "2 câu hỏi chờ · Phiên 2"
    assert options[str(third.id)] == "Phiên 3"  # answered and hidden ones wait for nothing
    assert services.waiting_by_session(workshop) == {second.id: 2}
