"""Answers, creations, scans and undos sent at the same instant, against a
running threaded server, on SQLite and PostgreSQL alike: never a 5xx, never a wrong row."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from workshop.extensions import db
from workshop.models import CheckIn, Invitation

from . import factories

ROUNDS = 40


@pytest.fixture
def other_worker(make_app):
    """A second app on the same database, served apart: another gunicorn worker, with its own
    connections, so that the two answers of a round really meet in the database."""
    server = make_server("127.0.0.1", 0, make_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _call(url: str, body: dict | None, headers: dict[str, str], method: str = "POST"
          ) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _at_once(*calls):
    """Run the calls in threads released together; their (status, body) in the same order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(position: int) -> None:
        barrier.wait()
        results[position] = calls[position]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- two answers at the same instant --------------------------------------------------------

ACCEPT = {"response": "accept"}
DELEGATE = {"response": "delegate", "delegate_name": "Trần Thị Bình",
            "delegate_title": "Phó Giám đốc Sở", "delegate_phone": "0912 345 678"}
EXPECTED = {
    "accept": ("accepted", None, None, None),
    "delegate": ("delegated", "Trần Thị Bình", "Phó Giám đốc Sở", "0912 345 678"),
}


def _row(invitation_id: int) -> tuple:
    db.session.rollback()
    invitation = db.session.get(Invitation, invitation_id)
    db.session.refresh(invitation)
    return (invitation.status, invitation.delegate_name, invitation.delegate_title,
            invitation.delegate_phone)


def test_an_accept_and_a_delegate_at_the_same_instant_leave_one_of_the_two_answers(
        ctx, live_server, other_worker):
    workshop = factories.make_workshop()
    urls = (f"{live_server}/api/v1/rsvp", f"{other_worker}/api/v1/rsvp")
    failures, mixed = [], []
    for round_ in range(ROUNDS):
        invitation = factories.make_invitee(workshop, status="sent")
        headers = {"X-Invitation-Token": invitation.token}
        bodies = (ACCEPT, DELEGATE) if round_ % 2 else (DELEGATE, ACCEPT)
        answers = _at_once(*(lambda url=url, body=body, headers=headers: _call(url, body, headers)
                             for url, body in zip(urls, bodies, strict=True)))
        failures += [status for status, _body in answers if status != 200]
        row = _row(invitation.id)
        if row not in EXPECTED.values():
            mixed.append(row)
        # Each client is told a state that one of the two answers made.
        assert {answer.get("status") for _status, answer in answers} <= {"accepted", "delegated"}
    assert failures == []
    assert mixed == []


def test_a_changed_answer_at_the_same_instant_as_another_stays_consistent(ctx, live_server):
    """Starting from a deputy already named: "accept" must clear every deputy field."""
    workshop = factories.make_workshop()
    url = f"{live_server}/api/v1/rsvp"
    bad = []
    for _round in range(ROUNDS // 2):
        invitation = factories.make_invitee(workshop, status="delegated", delegate_name="Người cũ",
                                            delegate_phone="0900 000 000")
        headers = {"X-Invitation-Token": invitation.token}
        other = {**DELEGATE, "delegate_name": "Người mới"}
        answers = _at_once(lambda h=headers: _call(url, ACCEPT, h),
                           lambda h=headers, o=other: _call(url, o, h))
        bad += [status for status, _body in answers if status != 200]
        row = _row(invitation.id)
        if row not in {EXPECTED["accept"], ("delegated", "Người mới") + EXPECTED["delegate"][2:]}:
            bad.append(row)
    assert bad == []


# --- invitations created in parallel ------------------------------------------------------

def test_eight_clients_creating_invitations_at_once_all_get_a_number(ctx, live_server, api_headers):
    """An import script with 8 clients, 15 invitations each: 120 × 201, 120 distinct numbers."""
    workshop = factories.make_workshop()
    url = f"{live_server}/api/v1/workshops/{workshop.code}/invitations"
    headers = api_headers("organizer")

    def client(n: int):
        return [_call(url, {"name": f"Đại biểu {n}-{k}"}, headers) for k in range(15)]

    answers = [answer for batch in _at_once(*(lambda n=n: client(n) for n in range(8)))
               for answer in batch]
    assert sorted({status for status, _body in answers}) == [201]
    numbers = [body["letter_number"] for _status, body in answers]
    assert sorted(numbers) == list(range(1, 121))
    db.session.rollback()
    stored = db.session.scalars(select(Invitation.letter_number)
                                .where(Invitation.workshop_id == workshop.id))
    assert sorted(stored) == list(range(1, 121))


# --- an undo and a re-scan at the same moment -------------------------------------------------

def _consistent(checked_in_before: bool, scan: tuple[int, dict], undo: tuple[int, dict],
                present: bool) -> bool:
    """Whether the final state and the two answers fit one order of the two requests.

    Checked in before: the undo must say "undone"; the scan says "checked_in" only if it came
    after the undo (then the person is present), "already_checked_in" if before (then absent).
    Not checked in before: the scan must say "checked_in"; the undo says "undone" if it came
    after the scan (then absent), 404 if before (then present)."""
    (scan_status, scan_body), (undo_status, _undo_body) = scan, undo
    if scan_status != 200 or undo_status not in (200, 404):
        return False
    result = scan_body["result"]
    if scan_body.get("checked_in_at") is None:
        return False
    if checked_in_before:
        return undo_status == 200 and present == (result == "checked_in")
    return result == "checked_in" and present == (undo_status == 404)


def test_an_undo_and_a_rescan_at_the_same_moment_leave_what_the_scanner_was_told(
        ctx, live_server, api_headers):
    from workshop.checkin import services as checkin

    workshop = factories.make_workshop()
    headers = api_headers("staff")
    scan_url = f"{live_server}/api/v1/workshops/{workshop.code}/checkins"
    wrong = []
    for round_ in range(ROUNDS):
        invitation = factories.make_invitee(workshop, status="accepted")
        checked_in_before = round_ % 2 == 0
        if checked_in_before:
            checkin.check_in(workshop, invitation.pass_token)
        undo_url = (f"{live_server}/api/v1/workshops/{workshop.code}/invitations/"
                    f"{invitation.id}/checkin")
        body = {"token": invitation.pass_token, "client_id": f"rescan-{round_}"}
        scan, undo = _at_once(lambda b=body: _call(scan_url, b, headers),
                              lambda u=undo_url: _call(u, None, headers, method="DELETE"))
        db.session.rollback()
        present = db.session.scalar(
            select(CheckIn.id).where(CheckIn.invitation_id == invitation.id)) is not None
        if not _consistent(checked_in_before, scan, undo, present):
            wrong.append((checked_in_before, scan, undo, present))
    assert [(before, scan[0], scan[1].get("result"), scan[1].get("checked_in_at"), undo[0], present)
            for before, scan, undo, present in wrong] == []


# --- the migration fixes existing rows --------------------------------------------------------

def test_the_migration_clears_deputies_of_other_answers_and_starts_the_counter(tmp_path):
    """Rows written before the CHECK (an accepted invitation that kept the deputy of a racing
    answer) are repaired, and each workshop's counter starts at its highest letter number."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from .conftest import _app_for

    app = _app_for(f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0006_audit_log")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO workshops (id, code, title, starts_at, venue, screen_token, "
                "allow_anonymous_questions, live_version, created_at) VALUES (1, 'cu', 'Cũ', "
                "'2030-08-12 01:00:00', 'Hội trường', 's', 0, 0, '2030-01-01 00:00:00')"))
            for number, status, deputy in ((4, "accepted", "Người thừa"), (7, "delegated", "Phó")):
                connection.execute(text(
                    "INSERT INTO invitations (workshop_id, name, token, pass_token, short_code, "
                    "letter_number, status, delegate_name, delegate_phone, walk_in, created_at) "
                    "VALUES (1, 'A', :t, :p, :c, :n, :s, :d, '0912 345 678', 0, "
                    "'2030-01-01 00:00:00')"),
                    {"t": f"t{number}", "p": f"p{number}", "c": f"C{number}", "n": number,
                     "s": status, "d": deputy})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT status, delegate_name, delegate_phone FROM invitations ORDER BY id")).all()
            counter = connection.execute(text("SELECT last_invitation_number FROM workshops")).scalar()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [("accepted", None, None),
                                            ("delegated", "Phó", "0912 345 678")]
    assert counter == 7


def test_two_undos_at_the_same_moment_remove_one_check_in_once(ctx, live_server, other_worker,
                                                                api_headers):
    from workshop.checkin import services as checkin
    from workshop.models import CheckInAttempt

    workshop = factories.make_workshop()
    headers = api_headers("staff")
    statuses = []
    for _round in range(ROUNDS // 4):
        invitation = factories.make_invitee(workshop, status="accepted")
        checkin.check_in(workshop, invitation.pass_token)
        path = f"/api/v1/workshops/{workshop.code}/invitations/{invitation.id}/checkin"
        answers = _at_once(*(lambda u=base + path: _call(u, None, headers, method="DELETE")
                             for base in (live_server, other_worker)))
        statuses.append(sorted(status for status, _body in answers))
        db.session.rollback()
        undone = db.session.scalars(select(CheckInAttempt.result).where(
            CheckInAttempt.invitation_id == invitation.id, CheckInAttempt.result == "undone"))
        assert len(list(undone)) == 1
    assert statuses == [[200, 404]] * (ROUNDS // 4)
