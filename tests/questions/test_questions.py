"""Questions from the floor: the rules behind the attendee pages, the console and the API."""
import threading

import pytest
from sqlalchemy import func, select

from tests import factories
from workshop.extensions import db
from workshop.models import Invitation, Question, QuestionVote, Workshop
from workshop.questions import services
from workshop.questions.services import QuestionError


@pytest.fixture
def workshop(ctx):
    return factories.make_workshop()


def test_question_is_visible_at_once_or_pending_when_moderated(workshop):
    open_session, moderated = workshop.sessions
    moderated.moderated = True
    db.session.commit()
    (asker,) = factories.make_invitees(workshop, 1)
    assert services.ask(workshop, open_session.id, asker, "  Câu hỏi?  ").status == "visible"
    question = services.ask(workshop, moderated.id, asker, "Câu hỏi cần duyệt")
    assert question.status == "pending"
    assert services.list_questions(workshop, moderated.id) == []
    services.set_status(question, "visible")
    assert services.list_questions(workshop, moderated.id) == [question]


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_question_text_is_one_to_a_thousand_characters(workshop, text):
    with pytest.raises(QuestionError) as error:
        services.ask(workshop, workshop.sessions[0].id, None, text)
    assert error.value.field == "text"
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_question_must_name_a_session_of_its_workshop(workshop):
    other = factories.make_workshop()
    with pytest.raises(QuestionError) as error:
        services.ask(workshop, other.sessions[0].id, None, "Câu hỏi")
    assert error.value.field == "session_id"


def test_anonymous_only_where_the_workshop_allows_it(workshop):
    session_id = workshop.sessions[0].id
    with pytest.raises(QuestionError):
        services.ask(workshop, session_id, None, "Ẩn danh", anonymous=True)
    workshop.allow_anonymous_questions = True
    db.session.commit()
    assert services.ask(workshop, session_id, None, "Ẩn danh", anonymous=True).anonymous


def test_one_vote_per_attendee_and_question(workshop):
    a, b = factories.make_invitees(workshop, 2)
    question = services.ask(workshop, workshop.sessions[0].id, a, "Câu hỏi")
    assert services.vote(question, b) == 1
    assert services.vote(question, b) == 1
    assert services.vote(question, a) == 2
    assert services.voted_by(b, [question.id]) == {question.id}


def test_simultaneous_votes_never_count_twice(app, workshop):
    people = factories.make_invitees(workshop, 6)
    question = services.ask(workshop, workshop.sessions[0].id, None, "Câu hỏi được quan tâm")
    question_id, voter_ids = question.id, [p.id for p in people]
    barrier = threading.Barrier(18)
    failures = []

    def voter(invitation_id):
        with app.app_context():
            barrier.wait()
            try:
                services.vote(db.session.get(Question, question_id),
                              db.session.get(Invitation, invitation_id))
            except Exception as error:  # pragma: no cover - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=voter, args=(voter_ids[n % 6],)) for n in range(18)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert failures == []
    assert db.session.get(Question, question_id).votes == 6
    assert db.session.scalar(select(func.count()).select_from(QuestionVote)) == 6


def test_merge_carries_votes_and_askers_over(workshop):
    a, b, c = factories.make_invitees(workshop, 3)
    session_id = workshop.sessions[0].id
    target = services.ask(workshop, session_id, a, "Khi nào áp dụng ISO 9001:2015?")
    duplicate = services.ask(workshop, session_id, b, "Bao giờ chuyển sang ISO 9001:2015?")
    services.vote(duplicate, c)
    services.vote(target, c)
    services.merge(duplicate, target)
    assert duplicate.status == "merged" and duplicate.merged_into_id == target.id
    assert target.votes == 2  # b (asked the duplicate) and c (voted both, counted once)
    assert {p.name for p in services.askers(target)} == {a.name, b.name}
    assert services.list_questions(workshop, session_id) == [target]


def test_hidden_question_leaves_the_queue(workshop):
    question = services.ask(workshop, workshop.sessions[0].id, None, "Ngoài lề")
    services.set_status(question, "hidden")
    assert services.list_questions(workshop) == []
    with pytest.raises(QuestionError):
        services.set_status(question, "deleted")


def test_assign_answer_now_and_answered(workshop):
    session = workshop.sessions[0]
    question = services.ask(workshop, session.id, None, "Câu hỏi")
    services.assign(question, "Hứa Văn Việt, Chi cục trưởng")
    services.set_answering_now(session, question)
    assert session.current_question_id == question.id
    services.answer(question, "Sẽ hướng dẫn trong quý IV.")
    assert question.answered_by == "Hứa Văn Việt, Chi cục trưởng"
    assert question.answered_at is not None
    assert session.current_question_id is None
    with pytest.raises(QuestionError):
        services.answer(question, "  ")


def test_every_change_moves_the_live_version(workshop):
    (asker,) = factories.make_invitees(workshop, 1)
    versions = [services.live_version(workshop.id)]
    question = services.ask(workshop, workshop.sessions[0].id, None, "Câu hỏi")
    versions.append(services.live_version(workshop.id))
    services.vote(question, asker)
    versions.append(services.live_version(workshop.id))
    services.vote(question, asker)  # a repeat changes nothing
    versions.append(services.live_version(workshop.id))
    services.answer(question, "Trả lời")
    versions.append(services.live_version(workshop.id))
    assert versions == [0, 1, 2, 2, 3]
    assert db.session.get(Workshop, workshop.id).live_version == 3
