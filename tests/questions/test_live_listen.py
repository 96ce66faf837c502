"""On PostgreSQL without Redis, a phone's 304 is told from the server process's memory, kept true
by LISTEN/NOTIFY (workshop/live.py, `Listened`). Two app objects on one database stand for two
server processes: what one commits, the other is told by the database, never before the commit,
never on a rollback; a listener lost sends the polls to the database at once. On SQLite none of
it runs: each 304 reads the database, as before."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import text

from tests import factories
from workshop import live
from workshop.extensions import db
from workshop.models import Invitation
from workshop.questions import services

postgresql = pytest.mark.postgresql


def wait_for(condition, seconds: float = 10.0) -> None:
    """Until `condition()` holds: a notification or a lost connection reaches another thread."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


class Hall:
    """App A (where changes are made) and app B (polled), and a phone of a workshop."""

    def __init__(self, make_app) -> None:
        self.a, self.b = make_app(), make_app()
        with self.a.app_context():
            workshop = factories.make_workshop()
            services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi một")
            self.workshop_id, self.code = workshop.id, workshop.code
            self.session_id = workshop.sessions[0].id
            self.token = factories.make_invitee(workshop).token
        self.client = self.b.test_client()
        self.store = live.of(self.b)

    def poll(self, etag: str | None = None, token: str | None = None):
        headers = {"X-Invitation-Token": token or self.token, **({"If-None-Match": etag} if etag else {})}
        return self.client.get(f"/api/v1/workshops/{self.code}/questions?session_id={self.session_id}",
                               headers=headers)

    def counted(self, etag: str, token: str | None = None):
        """A poll of B and the statements B's engine ran for it."""
        with self.b.app_context(), factories.statements() as seen:
            response = self.poll(etag, token)
        return response, seen

    def ask(self, words: str) -> None:
        with self.a.app_context():
            services.ask(db.session.get(services.Workshop, self.workshop_id), self.session_id, None, words)

    def told(self) -> int | None:
        return self.store.versions.get(self.workshop_id)

    def known(self) -> str:
        """The phone's ETag, once B keeps its token: a 200, then a 304 read from the database."""
        etag = self.poll().headers["ETag"]
        assert self.poll(etag).status_code == 304  # the first of this process: B subscribes, then reads
        assert self.store.subscribed
        return etag


@pytest.fixture
def hall(make_app):
    return Hall(make_app)


@postgresql
def test_a_phone_304_is_told_from_memory_and_a_change_elsewhere_reaches_it(hall):
    etag = hall.known()
    again, seen = hall.counted(etag)
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert seen == []  # no statement: the token and the version were in B's memory

    hall.ask("Câu hỏi hai")  # through A: B is told by the database, after A's commit
    wait_for(lambda: hall.told() == 2)
    changed = hall.poll(etag)
    assert changed.status_code == 200 and len(changed.get_json()["items"]) == 2
    fresh, seen = hall.counted(changed.headers["ETag"])
    assert fresh.status_code == 304 and seen == []


@postgresql
def test_a_rolled_back_bump_notifies_nothing(hall):
    hall.known()
    with psycopg.connect(**{**hall.store.connect_args, "application_name": "test"}, autocommit=True) as ear:
        ear.execute(f"LISTEN {live.CHANNEL}")
        with hall.a.app_context():
            services.bump_version(hall.workshop_id)
            db.session.rollback()
            marker = factories.make_workshop()  # a commit after the rollback, to hear its end
            services.bump_version(marker.id)
            db.session.commit()
            marker_id = marker.id
        heard = []
        for notification in ear.notifies(timeout=10):
            heard.append(notification.payload)
            if notification.payload == f"{marker_id}:1":
                break
    assert heard == [f"{marker_id}:1"]  # the rolled-back version was never told
    assert hall.told() == 1
    with hall.a.app_context():
        assert services.live_version(hall.workshop_id) == 1


@postgresql
def test_versions_never_go_down(hall):
    hall.known()
    listener = hall.store.listener
    # Two commits' notifications in either order, and a database read older than both.
    hall.store._told(listener, f"{hall.workshop_id}:9")
    hall.store._told(listener, f"{hall.workshop_id}:8")
    assert hall.told() == 9
    caller = services.Poller(0, hall.workshop_id, hall.code, 3, frozenset())
    hall.store.remember("another-token", caller, live.Known(None, None, hall.store.epoch))
    assert hall.told() == 9


@postgresql
def test_a_read_begun_before_the_subscription_is_not_kept(hall):
    etag = hall.known()
    caller = services.Poller(0, hall.workshop_id, hall.code, 1, frozenset())
    hall.store.remember("unsubscribed-token", caller, live.Known(None, None, None))
    hall.store.remember("earlier-token", caller, live.Known(None, None, hall.store.epoch - 1))
    assert "unsubscribed-token" not in hall.store.callers and "earlier-token" not in hall.store.callers
    assert hall.counted(etag)[1] == []


@postgresql
def test_a_lost_listener_sends_polls_to_the_database_until_it_subscribes_again(hall):
    etag = hall.known()
    with hall.a.app_context():
        backend = hall.store.listener.connection.info.backend_pid
        killed = db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar_one()
        db.session.commit()
    assert killed
    wait_for(lambda: not hall.store.subscribed)
    assert hall.store.versions == {} and hall.store.callers == {}  # everything it kept, forgotten

    hall.ask("Câu hỏi trong lúc mất kết nối")  # told to nobody in B
    changed, seen = hall.counted(etag)
    assert changed.status_code == 200 and len(changed.get_json()["items"]) == 2
    assert seen  # read from the database
    etag = changed.headers["ETag"]
    unsubscribed, seen = hall.counted(etag)
    assert unsubscribed.status_code == 304 and len(seen) == 1  # nothing kept while unsubscribed

    wait_for(lambda: hall.store.subscribed, seconds=live.LISTEN_RETRY_SECONDS + 10)
    assert hall.store.listener.connection.info.backend_pid != backend
    assert hall.counted(etag)[0].status_code == 304  # read from the database, kept again
    again, seen = hall.counted(etag)
    assert again.status_code == 304 and seen == []
    hall.ask("Câu hỏi sau khi nghe lại")
    wait_for(lambda: hall.told() == 3)
    assert hall.poll(etag).status_code == 200


@postgresql
def test_a_deleted_invitation_is_refused_once_its_memory_lapses_and_never_shown_more(hall, monkeypatch):
    etag = hall.known()
    monkeypatch.setattr(live, "CALLER_SECONDS", 1.0)
    with hall.a.app_context():
        workshop = db.session.get(services.Workshop, hall.workshop_id)
        brief = factories.make_invitee(workshop).token
    brief_etag = hall.poll(token=brief).headers["ETag"]
    assert hall.poll(brief_etag, brief).status_code == 304  # kept for CALLER_SECONDS (1 s here)
    with hall.a.app_context():
        for token in (hall.token, brief):
            db.session.delete(db.session.scalar(db.select(Invitation).where(Invitation.token == token)))
        db.session.commit()
    # Within its memory, the list it holds is only said unchanged: nothing new is shown.
    assert hall.poll(etag).status_code == 304
    hall.ask("Câu hỏi sau khi xóa giấy mời")
    wait_for(lambda: hall.told() == 2)
    assert hall.poll(etag).status_code == 401  # a changed list: the view, the database, refused
    wait_for(lambda: hall.poll(brief_etag, brief).status_code == 401, seconds=5)


@postgresql
def test_the_listener_is_a_daemon_with_its_own_connection_closed_with_the_engine(hall):
    hall.known()
    threads = [thread for thread in threading.enumerate() if thread.name == live.LISTENER]
    assert threads and all(thread.daemon for thread in threads)
    backend = hall.store.listener.connection.info.backend_pid
    with hall.a.app_context():
        listening = text("SELECT count(*) FROM pg_stat_activity"
                         " WHERE pid = :pid AND application_name = :name")
        assert db.session.execute(listening, {"pid": backend, "name": live.LISTENER}).scalar_one() == 1
        db.session.commit()
        with hall.b.app_context():
            db.engine.dispose()
        assert not hall.store.subscribed and hall.store.listener is None

        def gone() -> bool:
            found = db.session.execute(listening, {"pid": backend, "name": live.LISTENER}).scalar_one()
            db.session.commit()
            return found == 0

        wait_for(gone)
    hall.known()  # the next poll starts another


@postgresql
def test_after_a_fork_the_child_listens_on_its_own_connection_and_leaves_the_parents_alone(hall):
    """A process that polled before forking (gunicorn's master never does; `--preload` with a
    poll at import would): the child, seeing another pid, forgets what it was given, never
    touches the parent's connection, and subscribes on its own. The child is this process
    under another pid, as the pid check sees it."""
    etag = hall.known()
    parent = hall.store.listener
    parent_backend = parent.connection.info.backend_pid
    hall.store.pid = -1  # what os.getpid() no longer is, after a fork
    first, seen = hall.counted(etag)
    assert first.status_code == 304 and len(seen) == 1  # its memory forgotten: the database read
    try:
        assert hall.store.listener is not parent and hall.store.inherited == [parent]
        assert hall.store.listener.connection.info.backend_pid != parent_backend
        assert not parent.connection.closed and not parent.stopping.is_set()  # left to its parent
        again, seen = hall.counted(etag)
        assert again.status_code == 304 and seen == []
    finally:
        parent.stopping.set()  # in this test, the parent is this process: its thread ends


@postgresql
def test_staff_polls_still_read_the_database(hall, make_app):
    from workshop.auth.services import create_api_token, revoke_api_token

    hall.known()
    with hall.a.app_context():
        token = create_api_token(factories.make_user("staff"))
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/workshops/{hall.code}/questions?session_id={hall.session_id}"
    etag = hall.client.get(url, headers=headers).headers["ETag"]
    with hall.b.app_context(), factories.statements() as seen:
        assert hall.client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert len(seen) == 1
    with hall.a.app_context():
        revoke_api_token(token)
    assert hall.client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 401


def test_without_postgresql_nothing_listens_and_each_304_reads_the_database(make_app, database):
    if database["kind"] == "postgresql":
        app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # Redis wins, even down
        assert isinstance(live.of(app), live.Live)
    else:
        app = make_app()
        assert live.of(app) is None
    with app.app_context():
        workshop = factories.make_workshop()
        services.ask(workshop, workshop.sessions[0].id, factories.make_invitee(workshop), "Câu hỏi")
        headers = factories.attendee_headers(workshop)
        url = f"/api/v1/workshops/{workshop.code}/questions?session_id={workshop.sessions[0].id}"
        client = app.test_client()
        etag = client.get(url, headers=headers).headers["ETag"]
        for _ in range(2):
            with factories.statements() as seen:
                assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
            assert len(seen) == 1
        services.ask(workshop, workshop.sessions[0].id, None, "Câu hỏi hai")
        assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 200
    if database["kind"] == "sqlite":
        assert not [thread for thread in threading.enumerate() if thread.name == live.LISTENER]


@postgresql
@pytest.mark.slow
def test_each_gunicorn_worker_listens_on_its_own_connection_and_tells_every_phone(tmp_path):
    """gunicorn as deployed (gthread, 2 workers × 4 threads): one listener per worker, none in
    the master; a question posted through one worker turns every phone's next poll into a 200,
    whichever worker answers it; the listeners end with their workers."""
    import http.client
    import json
    import os
    import signal
    from argparse import Namespace

    from sqlalchemy import create_engine

    from bench.run import fresh_database, gunicorn, migrate, seed
    from tests.test_faults import POSTGRES_ADMIN, children

    with fresh_database("postgresql", tmp_path, POSTGRES_ADMIN) as url:
        migrate(url)
        data = seed(url, Namespace(invitations=40, cases=("questions",), question_phones=40),
                    tmp_path / "instance")
        tokens, session_id = data.seeded["questions"]["tokens"], data.seeded["questions"]["session_id"]
        path = f"/api/v1/workshops/{data.workshop}/questions"
        engine = create_engine(url)

        def listeners() -> int:
            with engine.connect() as connection:
                return connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND application_name = :name"), {"name": live.LISTENER}).scalar_one()

        try:
            with gunicorn(url, 2, 4, tmp_path / "gunicorn.log") as (base, master):
                host, port = base.removeprefix("http://").split(":")

                def call(method: str, target: str, headers: dict, body: dict | None = None):
                    # A new connection each time: any worker may answer it.
                    connection = http.client.HTTPConnection(host, int(port), timeout=10)
                    connection.request(method, target, json.dumps(body) if body else None, headers)
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    return response.status, response.getheader("ETag")

                def poll(token: str, etag: str | None = None):
                    return call("GET", f"{path}?session_id={session_id}",
                                {"X-Invitation-Token": token, **({"If-None-Match": etag} if etag else {})})

                etags = {token: poll(token)[1] for token in tokens}

                def both_listen() -> bool:  # a worker still booting answers no poll yet
                    assert {poll(token, etag)[0] for token, etag in etags.items()} == {304}
                    return listeners() == 2

                wait_for(both_listen, seconds=30)
                assert len(children(master)) == 2  # the workers' listeners, none of the master's

                posted = call("POST", path,
                              {"X-Invitation-Token": tokens[0], "Content-Type": "application/json"},
                              {"session_id": session_id, "text": "Kính đề nghị làm rõ phương án?"})
                assert posted[0] == 201
                stale = set(tokens)

                def all_told() -> bool:
                    stale.difference_update({token for token in stale if poll(token, etags[token])[0] == 200})
                    return not stale

                wait_for(all_told)
                # Told by both: no worker answers the old list's ETag with a 304 any more.
                for _round in range(3):
                    assert {poll(token, etags[token])[0] for token in tokens} == {200}
                # Workers ended: their listeners go with them; gunicorn forks others, which
                # listen from their first poll on.
                ended = children(master)
                for worker in ended:
                    os.kill(worker, signal.SIGTERM)
                wait_for(lambda: listeners() == 0, seconds=30)
                wait_for(lambda: len(children(master) - ended) == 2, seconds=30)
                etags = {token: poll(token)[1] for token in tokens}
                wait_for(both_listen, seconds=30)
            wait_for(lambda: listeners() == 0)
        finally:
            engine.dispose()
