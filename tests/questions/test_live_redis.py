"""With REDIS_URL, the phones' question-list polls are answered 304 from Redis (workshop/live.py):
the real Redis of the machine (127.0.0.1:6379, its last database, a key prefix of the test's
own, removed afterwards). Redis only ever copies the database's version after its commit, and
a Redis that is down or behind sends the poll on to the database, never to a 500."""
from __future__ import annotations

import uuid

import pytest
import redis as redis_client

from tests import factories
from workshop import live
from workshop.extensions import db
from workshop.questions import services

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def prefix():
    chosen = f"test-live:{uuid.uuid4().hex}:"
    yield chosen
    connection = redis_client.Redis.from_url(REDIS)
    keys = list(connection.scan_iter(f"{chosen}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


@pytest.fixture
def redis_app(make_app, prefix):
    app = make_app(REDIS_URL=REDIS, LIVE_REDIS_PREFIX=prefix)
    with app.app_context():
        yield app


@pytest.fixture
def store():
    connection = redis_client.Redis.from_url(REDIS)
    yield connection
    connection.close()


def poll(client, workshop, headers, etag=None):
    extra = {"If-None-Match": etag} if etag else {}
    return client.get(f"/api/v1/workshops/{workshop.code}/questions?session_id={workshop.sessions[0].id}",
                      headers={**headers, **extra})


def test_a_phone_304_comes_from_redis_without_the_database(redis_app, store, prefix):
    workshop = factories.make_workshop()
    services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi thứ nhất")
    # The commit copied the version to Redis.
    assert int(store.get(f"{prefix}questions:{workshop.code}")) == 1
    client = redis_app.test_client()
    headers = factories.attendee_headers(workshop)
    etag = poll(client, workshop, headers).headers["ETag"]
    assert poll(client, workshop, headers, etag).status_code == 304  # read the database, told Redis
    with factories.statements() as seen:
        again = poll(client, workshop, headers, etag)
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert seen == []

    # A change reaches Redis with its commit: the next poll is a 200 with the new question.
    services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi thứ hai")
    assert int(store.get(f"{prefix}questions:{workshop.code}")) == 2
    changed = poll(client, workshop, headers, etag)
    assert changed.status_code == 200 and len(changed.get_json()["items"]) == 2
    with factories.statements() as seen:
        assert poll(client, workshop, headers, changed.headers["ETag"]).status_code == 304
    assert seen == []


def test_redis_is_never_lowered_and_a_lagging_redis_goes_to_the_database(redis_app, store, prefix):
    workshop = factories.make_workshop()
    key = f"{prefix}questions:{workshop.code}"
    store.set(key, 7)
    live.of(redis_app).raise_version(workshop.code, 5)  # a late copy of an older commit
    assert int(store.get(key)) == 7
    # Redis behind the database (a copy lost): the gate's ETag is older than the phone's, and
    # the view answers from the database, 304 for the list the phone holds.
    store.set(key, 0)
    services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi")
    store.set(key, 0)
    client = redis_app.test_client()
    headers = factories.attendee_headers(workshop)
    fresh = poll(client, workshop, headers)
    assert fresh.headers["ETag"].startswith('"1-')
    assert poll(client, workshop, headers, fresh.headers["ETag"]).status_code == 304


def test_a_rolled_back_change_is_not_copied(redis_app, store, prefix):
    workshop = factories.make_workshop()
    services.bump_version(workshop.id)
    db.session.rollback()
    assert store.get(f"{prefix}questions:{workshop.code}") is None


def test_a_remembered_token_is_told_304_only_for_its_own_workshop(redis_app):
    workshop, other = factories.make_workshop(), factories.make_workshop()
    client = redis_app.test_client()
    headers = factories.attendee_headers(workshop)
    etag = poll(client, workshop, headers).headers["ETag"]
    assert poll(client, workshop, headers, etag).status_code == 304
    # The same token at another workshop: the view's 403, whatever Redis remembers.
    assert poll(client, other, headers, etag).status_code == 403
    wrong = poll(client, workshop, {"X-Invitation-Token": "khong-dung"}, etag)
    assert wrong.status_code == 401


def test_staff_are_still_checked_against_the_database(redis_app, api_headers):
    from workshop.auth.services import revoke_api_token

    workshop = factories.make_workshop()
    client = redis_app.test_client()
    headers = api_headers("staff")
    etag = poll(client, workshop, headers).headers["ETag"]
    assert poll(client, workshop, headers, etag).status_code == 304
    revoke_api_token(headers["Authorization"][7:])
    assert poll(client, workshop, headers, etag).status_code == 401


def test_redis_down_falls_back_to_the_database(make_app, prefix):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", LIVE_REDIS_PREFIX=prefix)  # nobody listens
    with app.app_context():
        workshop = factories.make_workshop()
        services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi")
        client = app.test_client()
        headers = factories.attendee_headers(workshop)
        first = poll(client, workshop, headers)
        assert first.status_code == 200
        with factories.statements() as seen:
            assert poll(client, workshop, headers, first.headers["ETag"]).status_code == 304
        assert len(seen) == 1  # the database's one indexed read, as without Redis
        services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi hai")
        assert poll(client, workshop, headers, first.headers["ETag"]).status_code == 200


def test_the_keys_name_the_database(make_app, store):
    """Another database's copies on the same Redis (a second installation, a database made
    afresh under a new name) are never read as this one's."""
    app = make_app(REDIS_URL=REDIS)
    other = make_app(REDIS_URL=REDIS, SQLALCHEMY_DATABASE_URI="sqlite:////tmp/khong-co-that.db")
    ours, theirs = live.of(app), live.of(other)
    assert ours.version_key("ht") != theirs.version_key("ht")
    theirs.raise_version("ht-khac", 9)
    try:
        assert ours.version("ht-khac") is None and theirs.version("ht-khac") == 9
    finally:
        store.delete(theirs.version_key("ht-khac"))
