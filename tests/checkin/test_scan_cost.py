"""What one scan costs the server: its statements and its transaction, counted so that they
cannot creep back (on PostgreSQL its round trips, BEGIN, COMMIT and ROLLBACK included); the
counter its answer carries, by the board's definitions; and a Bearer call that is no browser's
(no cookie set, no session read)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from tests import factories
from workshop.checkin import services
from workshop.extensions import db
from workshop.models import AuditEntry, CheckIn, CheckInAttempt

# The most statements each kind of scan may run, the staff token's lookup included: it is in
# the door's read (auth/identity.py `defer_staff_token`). A first scan: one read of the staff
# account, the workshop's clock with the pass, its agency, its check-in, the counter and the
# client_id, then the check-in, the attempt and the audit row.
FIRST_SCAN = 4
ALREADY_CHECKED_IN = 2  # the read, the attempt
RESENT_CLIENT_ID = 1  # the read: the first answer is in the pass's read
UNKNOWN = 2  # the read, the attempt
# The phone that loses a race for a pass: its check-in refused, rolled back, the pass read again
# and the attempt written: "already checked in", with the winner's time.
LOSING_PHONE = 5

# On PostgreSQL, the round trips (each statement, and each BEGIN, COMMIT or ROLLBACK): the door
# (with the staff token's account) is read outside any transaction, and a first scan's three
# rows are one statement, a transaction of its own (workshop/autocommit.py). None is a BEGIN,
# COMMIT or ROLLBACK.
POSTGRESQL_TRIPS = {
    "first_scan": 2,  # the door with the token, the check-in with its attempt and audit row
    "already_checked_in": 2,  # the door with the token, the attempt
    "resent_client_id": 1,  # the door with the token: the first answer is in the door's read
    "unknown": 2,  # the door with the token, the attempt
    "no_such_workshop": 1,  # the door with the token
    "losing_phone": 4,  # the door with the token, the refused check-in, the door again, the
    # attempt
}


class RoundTrips:
    """PostgreSQL's round trips, as libpq traces them on every connection the app opens from
    now on: each statement sent (its Bind; a statement prepared once is sent again with a Bind
    only) and each simple query (BEGIN, COMMIT, ROLLBACK)."""

    def __init__(self, engine, path) -> None:
        self.path = path
        self.traced = []
        engine.dispose()  # the connections made so far are not traced: new ones are
        event.listen(engine, "connect", self.trace)
        self.engine = engine

    def trace(self, dbapi_connection, record) -> None:
        from psycopg import pq

        with open(self.path, "a"):
            pass
        # Its own descriptor, which libpq keeps (psycopg never closes it): no other file
        # can be given the number and receive the trace.
        dbapi_connection.pgconn.trace(os.open(self.path, os.O_WRONLY | os.O_APPEND))
        dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        self.traced.append(dbapi_connection)

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with open(self.path) as trace:
            return sum(1 for line in trace
                       if line.split("\t")[0] == "F" and line.split("\t")[2].strip() in ("Bind", "Query"))

    def sent(self) -> list[str]:
        """The simple queries sent (BEGIN, COMMIT, ROLLBACK, SET ...)."""
        if not self.path.exists():
            return []
        with open(self.path) as trace:
            return [line.split("\t")[3].strip().strip('"') for line in trace
                    if line.split("\t")[0] == "F" and line.split("\t")[2] == "Query"]

    def close(self) -> None:
        event.remove(self.engine, "connect", self.trace)
        for dbapi_connection in self.traced:
            if not dbapi_connection.closed:
                dbapi_connection.pgconn.untrace()


@pytest.fixture
def trips(ctx, tmp_path):
    """RoundTrips on PostgreSQL; None on SQLite (no round trips: statements are counted)."""
    if db.engine.dialect.name != "postgresql":
        yield None
        return
    counter = RoundTrips(db.engine, tmp_path / "libpq.trace")
    yield counter
    counter.close()


@contextmanager
def counting(trips=None):
    """The statements and the commits run inside the block; with `trips`, the round trips."""
    seen = {"statements": [], "commits": 0, "trips": None, "sent": []}
    before = trips.count() if trips else 0
    sent_before = len(trips.sent()) if trips else 0

    def statement(conn, cursor, text, parameters, context, executemany):
        seen["statements"].append(" ".join(text.split())[:70])

    def commit(conn):
        seen["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)
        if trips:
            seen["trips"] = trips.count() - before
            seen["sent"] = trips.sent()[sent_before:]


def scan(client, headers, code, trips=None, **body):
    with counting(trips) as seen:
        response = client.post(f"/api/v1/workshops/{code}/checkins", json=body, headers=headers)
    return response, seen


def costs(seen, kind: str, statements: int, commits: int = 1) -> None:
    """The scan's cost: on PostgreSQL its round trips (and no BEGIN, COMMIT or ROLLBACK among
    them), on SQLite its statements and commits."""
    if seen["trips"] is not None:
        assert seen["trips"] == POSTGRESQL_TRIPS[kind], seen["statements"]
        assert seen["sent"] == [], seen["sent"]
        assert seen["commits"] == 0
        assert len(seen["statements"]) == POSTGRESQL_TRIPS[kind], seen["statements"]
    else:
        assert len(seen["statements"]) <= statements, seen["statements"]
        assert seen["commits"] == commits


@pytest.fixture
def door(ctx, client, api_headers, trips):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Tài chính")
    people = [factories.make_invitee(workshop, organization=agency, status="accepted")
              for _ in range(3)]
    headers = api_headers("staff")
    # A call before the ones counted: the connections it opens are at work when they start.
    assert client.get(f"/api/v1/workshops/{workshop.code}/attendance",
                      headers=headers).status_code == 200
    db.session.expire_all()  # the request reads what it needs, not what the test loaded
    return workshop, people, headers


def test_a_first_scan_writes_its_three_rows_in_one_transaction(door, client, trips):
    workshop, people, headers = door
    response, seen = scan(client, headers, workshop.code, trips, token=people[0].pass_token,
                          client_id="phone-1")
    assert response.get_json()["result"] == "checked_in"
    costs(seen, "first_scan", FIRST_SCAN)
    if trips:  # one statement: WITH checkin AS (INSERT ...), attempt AS (INSERT ...) INSERT ...
        writes = [text for text in seen["statements"] if "INSERT" in text]
        assert len(writes) == 1 and writes[0].startswith("WITH checkin AS"), writes
    else:
        writes = sorted(text.split()[2] for text in seen["statements"]
                        if text.startswith("INSERT"))
        assert writes == ["audit_entries", "checkin_attempts", "checkins"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
    assert db.session.scalars(select(CheckInAttempt.result)).all() == ["checked_in"]
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.workshop_id, entry.detail) == (
        "checkin.check_in", workshop.id, people[0].name)


def test_a_typed_short_code_costs_what_a_camera_scan_costs(door, client, trips):
    workshop, people, headers = door
    response, seen = scan(client, headers, workshop.code, trips,
                          token=people[1].short_code.lower(), client_id="typed-1")
    assert response.get_json()["result"] == "checked_in"
    costs(seen, "first_scan", FIRST_SCAN)


def test_a_repeat_and_a_resend_cost_less_and_the_resend_writes_nothing(door, client, trips):
    workshop, people, headers = door
    first, _seen = scan(client, headers, workshop.code, trips, token=people[0].pass_token,
                        client_id="phone-1")
    db.session.expire_all()

    repeat, seen = scan(client, headers, workshop.code, trips, token=people[0].pass_token,
                        client_id="phone-2")
    assert repeat.get_json()["result"] == "already_checked_in"
    costs(seen, "already_checked_in", ALREADY_CHECKED_IN)
    db.session.expire_all()

    resent, seen = scan(client, headers, workshop.code, trips, token=people[0].pass_token,
                        client_id="phone-1")
    assert resent.get_json() == first.get_json()  # the first answer, exactly
    costs(seen, "resent_client_id", RESENT_CLIENT_ID, commits=0)
    assert not [text for text in seen["statements"] if not text.startswith("SELECT")]
    db.session.expire_all()

    unknown, seen = scan(client, headers, workshop.code, trips, token="khong-co-ma-nay",
                         client_id="phone-3")
    assert unknown.status_code == 404
    costs(seen, "unknown", UNKNOWN)
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 3


def test_a_scan_at_a_code_no_workshop_has_is_the_contracts_404_and_records_nothing(door, client,
                                                                                    trips):
    """The workshop is read with the pass now: a wrong code still says so, writes nothing."""
    _workshop, people, headers = door
    response, seen = scan(client, headers, "khong-co-hoi-thao", trips,
                          token=people[0].pass_token, client_id="phone-1")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found",
                                             "message": "Không tìm thấy hội thảo có mã này."}}
    assert len(seen["statements"]) == 1, seen["statements"]  # the door's read, with the token
    costs(seen, "no_such_workshop", 1, commits=0)
    assert not [text for text in seen["statements"] if not text.startswith("SELECT")]
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


@contextmanager
def another_worker_after_the_read(monkeypatch, when, statement):
    """Another worker (its own connection) commits `statement` between a scan's door read and
    its write, whenever the read says `when(door)` (once that row is in, it no longer does):
    the race a scan can lose."""
    other_worker = create_engine(db.engine.url)
    read = services.at_the_door

    def read_then_lose(*args, **kwargs):
        seen = read(*args, **kwargs)
        if when(seen):
            with other_worker.begin() as connection:
                connection.execute(statement)
        return seen

    monkeypatch.setattr(services, "at_the_door", read_then_lose)
    try:
        yield
    finally:
        other_worker.dispose()


def test_the_phone_that_loses_a_race_is_told_already_with_the_winners_time(door, client, trips,
                                                                           monkeypatch):
    """Another phone's check-in lands between this scan's read and its write (another worker,
    its own connection): the unique check-in refuses ours, and the answer says who won."""
    workshop, people, headers = door
    winner_time = workshop.starts_at
    with another_worker_after_the_read(monkeypatch, lambda seen: seen.checked_in_at is None,
                                       insert(CheckIn).values(
                                           invitation_id=people[0].id, workshop_id=workshop.id,
                                           checked_in_at=winner_time, recorded_at=winner_time,
                                           method="scan")):
        response, seen = scan(client, headers, workshop.code, trips,
                              token=people[0].pass_token, client_id="slow-phone")
    body = response.get_json()
    assert body["result"] == "already_checked_in"
    assert datetime.fromisoformat(body["checked_in_at"]) == winner_time
    assert body["attendance"]["present"] == 1
    costs(seen, "losing_phone", LOSING_PHONE)
    db.session.rollback()
    assert db.session.scalars(select(CheckInAttempt.result)).all() == ["already_checked_in"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_first_scan_refused_by_its_attempt_writes_none_of_its_rows(door, client, trips,
                                                                     monkeypatch):
    """The same scan (its client_id) recorded by another worker between this one's read and
    its write: the attempt's unique row refuses the write, and none of its rows is written,
    neither the check-in nor the audit row (on PostgreSQL one statement, on SQLite one
    transaction). The scan is then answered as the first one was."""
    workshop, people, headers = door
    with another_worker_after_the_read(monkeypatch, lambda seen: seen.answered is None,
                                       insert(CheckInAttempt).values(
                                           workshop_id=workshop.id, code_seen="khong-co-ma-nay",
                                           client_id="phone-1", result="unknown",
                                           scanned_at=workshop.starts_at,
                                           recorded_at=workshop.starts_at)):
        response, _seen = scan(client, headers, workshop.code, trips,
                               token=people[0].pass_token, client_id="phone-1")
    assert response.status_code == 404
    assert response.get_json()["result"] == "unknown"  # the first answer to this client_id
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert db.session.scalars(select(CheckInAttempt.result)).all() == ["unknown"]


def test_a_first_scans_write_is_all_or_nothing(door, client):
    """A first scan's write as the API's scan makes it: on PostgreSQL one statement (a
    data-modifying CTE) on a kept autocommit connection, its own transaction; on SQLite three
    INSERTs in one transaction of the kept connection. Whichever unique row refuses it, nothing
    of it is written."""
    from workshop import autocommit

    workshop, people, _headers = door
    kept = autocommit.of(client.application)
    staff = factories.make_user("staff")
    now = workshop.starts_at
    checked_in = factories.make_invitee(workshop, status="accepted", present=True).id
    db.session.execute(insert(CheckInAttempt).values(
        workshop_id=workshop.id, code_seen="x", client_id="sent-before", result="unknown",
        scanned_at=now, recorded_at=now))
    db.session.commit()

    def write(invitation_id, client_id):
        services._write_check_in(workshop.id, invitation_id, "Nguyễn Văn A", "scan", staff,
                                 "code", client_id, now, now, staff.id, kept=kept)

    def rows():
        db.session.rollback()
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (CheckIn, CheckInAttempt, AuditEntry))

    for invitation_id, client_id in [(checked_in, "phone-9"),  # the check-in's unique row
                                     (people[0].id, "sent-before")]:  # the attempt's
        with pytest.raises(IntegrityError):
            write(invitation_id, client_id)
        assert rows() == (1, 1, 0)
    write(people[0].id, "phone-9")  # no row refuses it: all three
    assert rows() == (2, 2, 1)
    assert db.session.scalars(select(AuditEntry.detail)).all() == ["Nguyễn Văn A"]


def test_a_resend_after_an_undo_still_gets_its_first_answer(door, client):
    """The first answer's result stays; its time is the check-in's, gone once undone."""
    workshop, people, headers = door
    scan(client, headers, workshop.code, token=people[0].pass_token, client_id="phone-1")
    url = f"/api/v1/workshops/{workshop.code}/invitations/{people[0].id}/checkin"
    assert client.delete(url, headers=headers).status_code == 200
    db.session.expire_all()
    resent, _seen = scan(client, headers, workshop.code, token=people[0].pass_token,
                         client_id="phone-1")
    assert resent.get_json()["result"] == "checked_in"
    assert resent.get_json()["checked_in_at"] is None
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_the_answer_carries_the_counter_as_the_board_counts(ctx, client, api_headers):
    workshop = factories.make_workshop()
    headers = api_headers("staff")
    accepted = factories.make_invitee(workshop, status="accepted")
    deputy = factories.make_invitee(workshop, status="delegated")
    declined = factories.make_invitee(workshop, status="declined")  # came all the same
    factories.make_invitee(workshop, status="accepted")  # expected, never comes
    factories.make_invitee(workshop, status="sent")
    factories.make_invitee(workshop, status="accepted", walk_in=True, present=True)
    board = f"/api/v1/workshops/{workshop.code}/attendance"
    fields = ("expected", "present", "walk_ins", "unannounced", "checked_in")
    for person in (accepted, deputy, declined, accepted):
        response, _seen = scan(client, headers, workshop.code, token=person.pass_token)
        numbers = client.get(board, headers=headers).get_json()
        assert response.get_json()["attendance"] == {name: numbers[name] for name in fields}
    assert response.get_json()["attendance"] == {
        "expected": 3, "present": 2, "walk_ins": 1, "unannounced": 1, "checked_in": 4}


def test_a_walk_in_answer_counts_the_walk_in(ctx):
    workshop = factories.make_workshop()
    factories.make_invitee(workshop, status="accepted")
    answer = services.register_walk_in(workshop, "Hoàng Văn Nam", None, None)
    assert answer.count.as_dict() == {"expected": 1, "present": 0, "walk_ins": 1,
                                      "unannounced": 0, "checked_in": 1}


def test_a_bearer_call_sets_no_cookie_even_from_a_signed_in_browser(door, client_as, users):
    workshop, people, headers = door
    browser = client_as("staff")  # carries a session cookie, and sends a Bearer token too
    response = browser.post(f"/api/v1/workshops/{workshop.code}/checkins",
                            json={"token": people[2].pass_token}, headers=headers)
    assert response.get_json()["result"] == "checked_in"
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_connection_in_steady_use_is_not_pinged_and_one_left_idle_is(ctx, tmp_path,
                                                                       monkeypatch):
    """No SELECT 1 on every checkout (a round trip more per scan): only a connection unused
    for a while is tried, and a broken one is replaced before a request gets it."""
    import time

    from sqlalchemy import text

    import workshop

    assert not db.engine.pool._pre_ping  # the app's own pool: no ping at each checkout
    engine = create_engine(f"sqlite:///{tmp_path}/ping.db")
    seen: list[str] = []
    event.listen(engine, "connect", lambda dbapi, record: dbapi.set_trace_callback(seen.append))
    with engine.connect() as connection:
        connection.execute(text("SELECT 2"))
    seen.clear()
    with engine.connect() as connection:
        connection.execute(text("SELECT 2"))
    assert "SELECT 1" not in seen

    later = time.monotonic() + workshop.IDLE_PING_SECONDS + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    with engine.connect() as connection:
        assert "SELECT 1" in seen
        dead = connection.connection.dbapi_connection
    dead.close()  # as the database's restart leaves it
    later += workshop.IDLE_PING_SECONDS + 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 2")).scalar() == 2
        assert connection.connection.dbapi_connection is not dead
    engine.dispose()


def test_a_walk_in_answer_carries_the_invitation_registered(ctx):
    """The caller gets the row it can change (the demo dates it), not the door's plain read."""
    from workshop.models import Invitation

    workshop = factories.make_workshop()
    answer = services.register_walk_in(workshop, "Hoàng Văn Nam", None, None)
    assert isinstance(answer.invitation, Invitation)
    assert answer.invitation.walk_in and answer.invitation.checkin is not None


@pytest.mark.parametrize("by_code", [False, True], ids=["by-id", "by-code"])
def test_a_scan_reads_only_its_own_workshops_invitations(ctx, by_code):
    """A province's server holds every department's workshops: the pass is found by probes of
    unique indexes, never by reading every invitation on the server (an OR with the deputies'
    nominations did that on PostgreSQL)."""
    other = factories.make_workshop(code="hoi-thao-khac")
    factories.make_invitees(other, 1500)
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, "Trần Văn Bình")
    statement = services._door_statement(by_code).compile(dialect=db.engine.dialect)
    values = {**statement.params, "code": invitation.pass_token, "short_code": None,
              "client_id": "c-1"}
    values.update({"workshop_code": workshop.code} if by_code else {"workshop_id": workshop.id})
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE invitations")
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(
            f"EXPLAIN {statement}", statement.construct_params(values)))
        full_reads = [line for line in plan.splitlines() if "Seq Scan on invitations" in line]
    else:
        plan = "\n".join(row[-1] for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}",
            tuple(values[name] for name in statement.positiontup)))
        full_reads = [line for line in plan.splitlines() if line.strip() == "SCAN invitations"]
    assert full_reads == [], plan
