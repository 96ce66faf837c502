"""A hall of 300 phones behind one Wi-Fi address is never locked out.

Limits count per valid invitation token; only calls without one count per address; a 304 poll
counts against nothing. The limiter's clock is simulated, so that a minute of polling every
two seconds runs in seconds.
"""
from __future__ import annotations

import secrets
from collections import Counter
from types import SimpleNamespace

import limits.storage.memory
import pytest
from sqlalchemy import func, select

from workshop.auth.identity import SESSION_INVITATION_KEY
from workshop.extensions import db
from workshop.models import CheckIn, Invitation, Question
from workshop.timeutil import utcnow

from . import factories

PHONES = 300


class Clock:
    """The time the rate limiter's storage sees."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=clock.time))
    return clock


@pytest.fixture
def hall(make_app, clock):
    """A rate-limited app and a workshop with PHONES invitations (their tokens)."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        workshop = factories.make_workshop()
        invitations = factories.make_invitees(workshop, PHONES)
        yield SimpleNamespace(app=app, client=app.test_client(), code=workshop.code,
                              session_id=workshop.sessions[0].id, workshop=workshop,
                              tokens=[invitation.token for invitation in invitations])


def wrong_token() -> str:
    return secrets.token_urlsafe(24)


@pytest.mark.slow
def test_a_hall_polling_questions_for_a_minute_is_never_limited(hall, clock):
    client, url = hall.client, f"/api/v1/workshops/{hall.code}/questions"
    etags: dict[str, str] = {}
    valid, invalid = Counter(), Counter()
    for _second in range(0, 64, 2):  # every phone polls every 2 s, for over a minute
        clock.now += 2
        for token in hall.tokens:
            headers = {"X-Invitation-Token": token}
            if token in etags:
                headers["If-None-Match"] = etags[token]
            response = client.get(url, headers=headers)
            valid[response.status_code] += 1
            if response.status_code == 200:
                etags[token] = response.headers["ETag"]
        for _n in range(20):  # someone on the same Wi-Fi floods wrong tokens
            invalid[client.get(url, headers={"X-Invitation-Token": wrong_token()}).status_code] += 1

    assert valid[429] == 0 and set(valid) <= {200, 304}
    assert valid[304] > 0
    assert invalid[429] > 0 and invalid[401] > 0  # wrong tokens are limited, per address

    latecomer = factories.attendee_headers(hall.workshop, "Người đến sau")
    rsvp = client.post("/api/v1/rsvp", json={"response": "accept"}, headers=latecomer)
    assert rsvp.status_code == 200
    asked = client.post(url, json={"session_id": hall.session_id, "text": "Xin hỏi về lộ trình?"},
                        headers=latecomer)
    assert asked.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Question)) == 1


def test_a_poll_answered_304_counts_against_no_limit(hall, clock):
    client, url = hall.client, f"/api/v1/workshops/{hall.code}/questions"
    headers = {"X-Invitation-Token": hall.tokens[0]}
    etag = client.get(url, headers=headers).headers["ETag"]
    polls = [client.get(url, headers={**headers, "If-None-Match": etag}).status_code
             for _n in range(300)]
    assert polls == [304] * 300
    assert client.get(url, headers=headers).status_code == 200
    # Answers that are not 304 do count: the token's budget still ends.
    codes = [client.get(url, headers=headers).status_code for _n in range(130)]
    assert 429 in codes


def test_the_personal_pages_of_a_hall_after_a_flood_of_wrong_links(hall, clock):
    client = hall.client
    flood = [client.get(f"/i/{wrong_token()}").status_code for _n in range(320)]
    assert flood[0] == 404 and flood[-1] == 429  # wrong links: limited per address

    opened = Counter(client.get(f"/i/{token}").status_code for token in hall.tokens)
    assert opened == {200: PHONES}
    clock.now += 30
    questions = Counter(client.get(f"/i/{token}/questions").status_code for token in hall.tokens)
    assert questions == {200: PHONES}

    latecomer = factories.make_invitee(hall.workshop, "Người đến sau").token
    answered = client.post(f"/i/{latecomer}", data={"response": "accept"})
    assert answered.status_code == 302
    asked = client.post(f"/i/{latecomer}/questions",
                        data={"session_id": hall.session_id, "text": "Xin hỏi về kinh phí?"})
    assert asked.status_code == 302
    assert db.session.scalar(select(Invitation.status).where(Invitation.token == latecomer)) == "accepted"


def test_self_check_in_of_a_hall_after_a_flood_of_wrong_codes(hall, clock):
    hall.workshop.starts_at, hall.workshop.ends_at = utcnow(), None  # the day of the workshop
    db.session.commit()
    from workshop.checkin.self_checkin import screen_secret

    url = f"/workshops/{hall.code}/self-checkin?k={screen_secret(hall.workshop)}"
    client = hall.client
    # A phone without its personal link is refused (it cannot name anyone), and limited per address.
    guesses = [client.post(url, data={"code": f"ZZZ{n:03d}"}).status_code for n in range(70)]
    assert guesses[0] == 409 and guesses[-1] == 429

    answers = Counter()
    for token in hall.tokens:
        phone = hall.app.test_client()  # each phone opened its personal link before
        with phone.session_transaction() as session:
            session[SESSION_INVITATION_KEY] = token
        answers[phone.post(url, data={"client_id": f"tap-{token[:8]}"}).status_code] += 1
    assert answers == {200: PHONES}
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == PHONES


def test_sign_in_is_limited_per_account_from_any_address(make_app, clock):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        user = factories.make_user("staff")
        email = user.email
    client = app.test_client()
    codes = [client.post("/login", data={"email": email.upper(), "password": "sai mật khẩu"},
                         environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250 + 1}"}).status_code
             for n in range(15)]
    assert codes[0] == 200 and codes[-1] == 429
    # Another account from those addresses is not held back.
    other = client.post("/login", data={"email": "khac@example.org", "password": "x"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert other.status_code == 200
