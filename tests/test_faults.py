"""Faults a province will meet: a gunicorn worker killed mid-storm, the outbox sender killed
mid-send, the database out of reach. Each proves nothing told to a user is lost or doubled.

The servers and senders run as real processes, so they get their own databases (SQLite files or
PostgreSQL databases made by `bench.run`), and every process is stopped in a `finally`.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from argparse import Namespace
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from bench.run import fresh_database, gunicorn, migrate, seed
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.smtp import smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)
from workshop import create_app
from workshop.extensions import db
from workshop.models import OutboxMessage
from workshop.outbox import services as outbox
from workshop.timeutil import utcnow

REPO = Path(__file__).resolve().parent.parent
SCANNED = ("checked_in", "already_checked_in")
POSTGRES_ADMIN = os.environ.get("TEST_DATABASE_URL")


def database_kind() -> str:
    return "postgresql" if POSTGRES_ADMIN else "sqlite"


def children(master: int) -> set[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue  # ended while we looked
            if parent == master:
                pids.add(int(entry.name))
    return pids


def post_json(url: str, body: dict, token: str, timeout: float = 10) -> tuple[int, dict | None]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json",
        "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw.startswith(b"{") else None


# -- a. a worker killed during a storm of check-ins ---------------------------------------------

def scan_until_answered(url: str, token: str, pass_token: str, attempts: int = 20) -> dict:
    """One phone's scan, sent again with the SAME client_id after a dropped connection or a 5xx,
    as the check-in page does; the answer the phone finally showed, or why it gave up."""
    body = {"token": pass_token, "client_id": uuid.uuid4().hex}
    last = "no attempt"
    for _attempt in range(attempts):
        try:
            status, answer = post_json(url, body, token)
        # A connection reset by the killed worker, or cut in the middle of its answer
        # (http.client.IncompleteRead is an HTTPException, not an OSError).
        except (OSError, ValueError, http.client.HTTPException) as error:
            last = f"{type(error).__name__}: {error}"
        else:
            if status < 500:
                return {"pass": pass_token, "status": status, **(answer or {}), "retries": _attempt}
            last = f"{status}"
        time.sleep(0.1)
    return {"pass": pass_token, "status": None, "gave_up": last}


def check_ins_by_pass(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text(
                "SELECT i.pass_token, count(c.id) FROM invitations i"
                " JOIN checkins c ON c.invitation_id = i.id GROUP BY i.pass_token")).all())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_killing_a_worker_mid_storm_loses_no_check_in_and_doubles_none(tmp_path):
    invitations, phones = 150, 3
    with fresh_database(database_kind(), tmp_path, POSTGRES_ADMIN or "") as url:
        migrate(url)
        data = seed(url, Namespace(invitations=invitations, cases=("checkin",)),
                    tmp_path / "instance")
        with gunicorn(url, 2, 4, tmp_path / "gunicorn.log") as (base, master):
            scans_url = f"{base}/api/v1/workshops/{data.workshop}/checkins"
            workers = children(master)
            assert len(workers) == 2
            answered = Counter()
            lock = threading.Lock()

            def scan(pass_token: str) -> dict:
                answer = scan_until_answered(scans_url, data.token, pass_token)
                with lock:
                    answered["scans"] += 1
                return answer

            storm = [pass_token for pass_token in data.passes for _phone in range(phones)]
            with ThreadPoolExecutor(max_workers=16) as pool:
                futures = [pool.submit(scan, pass_token) for pass_token in storm]
                deadline = time.monotonic() + 60
                while answered["scans"] < len(storm) // 4 and time.monotonic() < deadline:
                    time.sleep(0.005)
                victim = min(workers)
                os.kill(victim, signal.SIGKILL)
                killed_while = len(storm) - answered["scans"]
                results = [future.result(timeout=120) for future in futures]
            replacement = children(master) - workers
        checked_in = check_ins_by_pass(url)

    assert killed_while > 0, "the worker must die while scans are still coming"
    assert replacement, "gunicorn replaces the killed worker"
    assert [r for r in results if r["status"] != 200 or r.get("result") not in SCANNED] == []
    told_checked_in = Counter(r["pass"] for r in results if r["result"] == "checked_in")
    # Every scan the phones were told about is in the database, each invitation once.
    assert {r["pass"] for r in results} <= set(checked_in)
    assert set(checked_in.values()) == {1}
    assert len(checked_in) == invitations == len(told_checked_in)
    # No pass was announced "checked in" to two phones.
    assert set(told_checked_in.values()) == {1}


# -- b. the outbox sender killed mid-send --------------------------------------------------------

def outbox_sender(url: str, smtp_server, log: Path) -> subprocess.Popen:
    """`flask outbox send --loop` as an operator runs it, in its own session."""
    env = {**os.environ, "DATABASE_URL": url, "MAIL_SERVER": smtp_server.host,
           "MAIL_PORT": str(smtp_server.port), "SECRET_KEY": "faults", "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--loop",
                                 "--interval", "0.2"], cwd=REPO, env=env, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the session we started, nothing else
        process.wait(timeout=5)


def wait_for(condition, limit: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"not within {limit:.0f} s: {what}"
        time.sleep(0.02)


def statuses() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(select(OutboxMessage.status)))


@pytest.fixture
def mail_app(make_app, smtp_server):
    app = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    with app.app_context():
        yield app


@pytest.mark.slow
def test_an_outbox_sender_killed_mid_send_loses_no_invitation_and_repeats_at_most_one(
        mail_app, database_url_for_test, smtp_server, tmp_path):
    workshop = factories.make_letter_workshop()
    invitations = [factories.make_invitee(workshop) for _ in range(10)]
    assert outbox.queue_invitation_emails(workshop).queued == 10
    queued = {m.message_id: m.to_address for m in db.session.scalars(select(OutboxMessage))}
    smtp_server.handler.delay = 0.2  # each message takes a while: the kill lands mid-send
    log = tmp_path / "outbox.log"

    sender = outbox_sender(database_url_for_test, smtp_server, log)
    try:
        wait_for(lambda: len(smtp_server.handler.message_ids()) >= 3, what=log.read_text())
        time.sleep(0.1)  # halfway through the next message's DATA
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)
    finally:
        stop(sender, signal.SIGKILL)
    at_kill = statuses()
    in_flight = set(db.session.scalars(select(OutboxMessage.message_id)
                                       .where(OutboxMessage.status == "sending")))
    assert len(in_flight) == 1 and at_kill["queued"] > 0, at_kill

    # The dead sender's claim lapses after CLAIM_TIMEOUT; rather than wait 10 minutes, move the
    # lapse into the past: the restarted sender requeues the message itself.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "sending")
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    restarted = outbox_sender(database_url_for_test, smtp_server, log)
    try:
        wait_for(lambda: statuses() == Counter(sent=10), what="every message sent")
    finally:
        stop(restarted)

    assert "Xếp lại 1 thư bị gián đoạn." in log.read_text()
    received = Counter(smtp_server.handler.message_ids())
    assert set(received) == set(queued)  # every invitation's e-mail arrived
    duplicates = {message_id for message_id, count in received.items() if count > 1}
    # Only the message in flight at the kill may arrive twice, under its one Message-ID.
    assert duplicates <= in_flight and sum(received.values()) - len(received) == len(duplicates)
    # One message per invitation, each to its invitee.
    assert sorted(queued.values()) == sorted(invitation.email for invitation in invitations)


# -- c. the database out of reach, then back -----------------------------------------------------

class Forwarder:
    """A TCP relay on a free loopback port to the real PostgreSQL: closed, the database is
    unreachable at that address; opened, the same address reaches it again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener: socket.socket | None = None

    def open(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            source.close()
            sink.close()


@pytest.fixture
def outage(database, database_url_for_test, tmp_path):
    """(URL of the test's database as seen through a link that is down, a function bringing it
    back): a SQLite file in a directory not there yet, or PostgreSQL behind a closed relay."""
    if database["kind"] == "sqlite":
        gone = tmp_path / "gone" / "test.db"

        def bring_back() -> None:
            gone.parent.mkdir()
            # SQLite's online backup: a consistent copy, whatever still sits in the WAL.
            with closing(sqlite3.connect(make_url(database_url_for_test).database)) as source, \
                    closing(sqlite3.connect(gone)) as copy:
                source.backup(copy)

        yield f"sqlite:///{gone}", bring_back
        return
    real = make_url(database_url_for_test)
    relay = Forwarder((real.host, real.port or 5432))
    try:
        yield real.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False), relay.open
    finally:
        relay.close()


def test_an_unreachable_database_gives_a_clear_503_and_the_same_app_recovers(
        ctx, api_headers, outage, tmp_path):
    invitation = factories.make_invitee(factories.make_letter_workshop())
    attendee_page, workshop_code = f"/i/{invitation.token}", invitation.workshop.code
    headers = api_headers("staff")
    db.session.remove()
    unreachable_url, bring_back = outage
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": unreachable_url,
                      "INSTANCE_PATH": tmp_path / "outage"})
    client = app.test_client()
    try:
        page = client.get(attendee_page)
        assert page.status_code == 503
        assert "không kết nối được cơ sở dữ liệu" in page.get_data(as_text=True)
        assert "Traceback" not in page.get_data(as_text=True)
        api = client.get("/api/v1/workshops", headers=headers)
        assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503

        bring_back()

        assert client.get("/readyz").status_code == 200
        assert client.get(attendee_page).status_code == 200
        api = client.get("/api/v1/workshops", headers=headers)
        assert api.status_code == 200 and workshop_code in json.dumps(api.json)
    finally:
        with app.app_context():
            db.engine.dispose()
