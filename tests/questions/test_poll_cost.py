"""What a poll of the question list costs the server, counted so that it cannot creep back: a
200 poll of a list this process already read at the workshop's version is one statement (the
invitee with their workshop's version and their votes, services.poller), on PostgreSQL one
round trip, no BEGIN or ROLLBACK around it; the first poll after a change reads the list too;
a 304 is the poll gate's one statement, which a poll whose ETag is stale reads no more of.
The answers are the ones the tests of test_polls.py check (the models' own, each caller's
votes)."""
from __future__ import annotations

import pytest

from tests import factories
from tests.checkin.test_scan_cost import counting, trips  # noqa: F401  trips: the fixture
from workshop.extensions import db
from workshop.questions import services

# The most statements of each poll; on PostgreSQL, exactly its round trips (none of them a
# BEGIN, COMMIT or ROLLBACK).
KEPT_LIST = 1  # the invitee with their workshop's version and their votes
NEW_LIST = 2  # the same, then the list (without anyone's votes: they came with the invitee)
NOT_MODIFIED = 1  # the poll gate's: the invitee with their workshop's version
# How they begin (counting() keeps the first 70 characters of each).
POLLER = "SELECT invitations.id, invitations.workshop_id, workshops.code, workshops.live_version"[:70]
LIST = "SELECT workshop_sessions.id AS in_session"


@pytest.fixture
def hall(ctx, client, trips):  # noqa: F811  trips first: every connection opened is traced
    workshop = factories.make_workshop()
    agency = factories.make_organization()
    phones = [factories.make_invitee(workshop, organization=agency) for _ in range(3)]
    session_id = workshop.sessions[0].id
    questions = [services.ask(workshop, session_id, phone, f"Câu hỏi số {n}")
                 for n, phone in enumerate(phones)]
    services.vote(questions[0], phones[1])
    services.vote(questions[2], phones[1])
    url = f"/api/v1/workshops/{workshop.code}/questions?session_id={session_id}"
    # A call before the ones counted: the connections it opens are at work when they start.
    assert client.get("/api/v1/workshops/nowhere/questions",
                      headers={"X-Invitation-Token": phones[0].token}).status_code == 404
    db.session.expire_all()
    return workshop, phones, questions, url


def poll(client, url, phone, trips, **headers):  # noqa: F811  trips: the fixture's value
    headers = {"X-Invitation-Token": phone.token, "Accept-Encoding": "gzip", **headers}
    # The request shares the test's session (its app context): none of its transaction is left
    # open, as none is when a server's request begins.
    db.session.rollback()
    with counting(trips) as seen:
        response = client.get(url, headers=headers)
    return response, seen


def costs(seen, statements: int) -> None:
    assert seen["commits"] == 0
    if seen["trips"] is not None:
        assert seen["trips"] == statements, seen["statements"]
        assert seen["sent"] == [], seen["sent"]  # no BEGIN, no ROLLBACK
    assert len(seen["statements"]) == statements, seen["statements"]


def test_a_200_poll_of_a_list_already_read_is_one_statement(hall, client, trips):  # noqa: F811
    workshop, phones, questions, url = hall
    first, seen = poll(client, url, phones[0], trips)
    assert first.status_code == 200
    costs(seen, NEW_LIST)
    assert seen["statements"][0].startswith(POLLER) and seen["statements"][1].startswith(LIST)

    second, seen = poll(client, url, phones[1], trips)
    assert second.status_code == 200
    costs(seen, KEPT_LIST)
    assert seen["statements"][0].startswith(POLLER)
    voted = {item["id"]: item["voted"] for item in second.get_json()["items"]}
    assert voted == {questions[0].id: True, questions[1].id: False, questions[2].id: True}, voted
    assert second.headers["Cache-Control"] == "no-cache" and second.headers["ETag"] != first.headers["ETag"]


def test_a_304_poll_is_one_statement(hall, client, trips):  # noqa: F811
    workshop, phones, questions, url = hall
    etag = client.get(url, headers={"X-Invitation-Token": phones[2].token}).headers["ETag"]
    again, seen = poll(client, url, phones[2], trips, **{"If-None-Match": etag})
    assert again.status_code == 304
    costs(seen, NOT_MODIFIED)


def test_a_poll_whose_etag_is_stale_reads_the_invitee_once(hall, client, trips):  # noqa: F811
    """The poll gate read the invitee to compare the ETag (workshop/polls.py): the view is
    handed that read, votes included, instead of reading it again."""
    workshop, phones, questions, url = hall
    etag = client.get(url, headers={"X-Invitation-Token": phones[1].token}).headers["ETag"]
    services.vote(questions[1], phones[1])
    stale, seen = poll(client, url, phones[1], trips, **{"If-None-Match": etag})
    assert stale.status_code == 200 and stale.headers["ETag"] != etag
    costs(seen, NEW_LIST)  # the invitee (the gate's), the list at its new version
    assert seen["statements"][0].startswith(POLLER) and seen["statements"][1].startswith(LIST)
    voted = {item["id"]: item["voted"] for item in stale.get_json()["items"]}
    assert voted == {questions[0].id: True, questions[1].id: True, questions[2].id: True}, voted
    again, seen = poll(client, url, phones[2], trips, **{"If-None-Match": etag})
    assert again.status_code == 200
    costs(seen, KEPT_LIST)


def test_after_a_change_the_list_is_read_again_once(hall, client, trips):  # noqa: F811
    workshop, phones, questions, url = hall
    for phone in phones:
        client.get(url, headers={"X-Invitation-Token": phone.token})
    services.vote(questions[1], phones[0])
    answers = []
    for n, phone in enumerate(phones):
        response, seen = poll(client, url, phone, trips)
        costs(seen, NEW_LIST if n == 0 else KEPT_LIST)
        answers.append({item["id"]: (item["votes"], item["voted"]) for item in response.get_json()["items"]})
    assert answers[0][questions[1].id] == (1, True)
    assert answers[1][questions[1].id] == (1, False) and answers[1][questions[0].id] == (1, True)
    assert answers[2][questions[1].id] == (1, False)
