"""The door's counter kept by the database (door_groups, workshop/models/door.py): after every
kind of change of invitations and check-ins, through the real services and through Core
statements no ORM hook sees, the scan's counter equals the board's recount; under concurrent
scans and answers too; and the migration that makes it goes up and down on both databases."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, text, update

from tests import factories
from workshop.attendance import DOOR_FIELDS, attendance, door_count, door_recount
from workshop.checkin import services as checkin
from workshop.checkin.self_checkin import screen_secret, self_check_in
from workshop.extensions import db
from workshop.invitations import deputies, inviting, rsvp
from workshop.models import CheckIn, DoorGroup, Invitation, Workshop
from workshop.models.door import TRIGGERS


def kept_groups(workshop_id: int) -> dict[tuple, tuple[int, int]]:
    """The kept rows that count something (a group emptied keeps its row, at zero)."""
    rows = db.session.execute(
        select(DoorGroup.walk_in, DoorGroup.status, DoorGroup.deputy_state, DoorGroup.invited,
               DoorGroup.arrived).where(DoorGroup.workshop_id == workshop_id)).all()
    return {(walk_in, status, state): (invited, arrived)
            for walk_in, status, state, invited, arrived in rows if invited or arrived}


def recounted_groups(workshop_id: int) -> dict[tuple, tuple[int, int]]:
    rows = db.session.execute(
        select(Invitation.walk_in, Invitation.status, Invitation.deputy_state,
               func.count(Invitation.id), func.count(CheckIn.id))
        .outerjoin(CheckIn, CheckIn.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop_id)
        .group_by(Invitation.walk_in, Invitation.status, Invitation.deputy_state)).all()
    return {(walk_in, status, state or ""): (invited, arrived)
            for walk_in, status, state, invited, arrived in rows}


def assert_exact(workshop: Workshop) -> dict[str, int]:
    """The scan's counter (read from the kept rows, as at the door) is the board's numbers,
    and every kept group is its recount; returns the counter."""
    db.session.rollback()  # read what is committed, as a request would
    counter = dict(zip(DOOR_FIELDS[:4], db.session.execute(
        select(*door_count(workshop.id).c)).one(), strict=True))
    board = attendance(db.session.get(Workshop, workshop.id))
    assert counter == {name: getattr(board, name) for name in DOOR_FIELDS[:4]}
    assert counter == dict(zip(DOOR_FIELDS[:4], db.session.execute(
        select(*door_recount(workshop.id).c)).one(), strict=True))
    assert kept_groups(workshop.id) == recounted_groups(workshop.id)
    return counter


def test_every_kind_of_change_keeps_the_counter_exact(ctx, users):
    workshop = factories.make_workshop(deputy_approval=True)
    other = factories.make_workshop()
    agencies = [factories.make_organization(f"Sở thử nghiệm {n}") for n in range(4)]
    organizer = users["organizer"]

    # Invitations made: the directory's agencies (an import of the chosen), a person by hand.
    invited = inviting.invite_organizations(workshop, [agency.id for agency in agencies],
                                            actor=organizer).created
    by_hand = inviting.invite_person(workshop, "Trần Thị Hoa", "Chuyên viên", actor=organizer)
    assert assert_exact(workshop)["expected"] == 0

    # The organizer marks the letters sent; the invitees answer.
    inviting.mark_sent(workshop, actor=organizer)
    assert_exact(workshop)
    first, second, third, fourth = invited
    rsvp.respond(first, "accept")
    rsvp.respond(second, "decline")
    rsvp.respond(third, "delegate", delegate_name="Lê Văn Thay")
    rsvp.respond(fourth, "delegate", delegate_name="Phạm Thị Thế")
    assert assert_exact(workshop)["expected"] == 3

    # The organizer approves one deputy and refuses the other: a refused deputy is not expected.
    deputies.decide(third, True, actor=organizer)
    deputies.decide(fourth, False, "Không đúng thành phần.", actor=organizer)
    assert assert_exact(workshop)["expected"] == 2

    # The door: a scan, a self check-in, a walk-in, the declined invitee all the same.
    checkin.check_in(workshop, first.pass_token, client_id="phone-1")
    third = db.session.get(Invitation, third.id)
    checkin.check_in(workshop, third.pass_token, client_id="phone-2")
    on_the_day = workshop.starts_at + timedelta(minutes=5)
    answer = self_check_in(workshop, by_hand, screen_secret(workshop, on_the_day),
                           now=on_the_day)
    assert answer.result == "checked_in"
    walk_in = checkin.register_walk_in(workshop, "Hoàng Văn Nam", None, agencies[0].id).invitation
    checkin.check_in(workshop, second.pass_token, client_id="phone-3")
    counter = assert_exact(workshop)
    assert counter == {"expected": 2, "present": 2, "walk_ins": 1, "unannounced": 2}

    # An answer changed once checked in takes the check-in along to its new group.
    rsvp.respond(db.session.get(Invitation, second.id), "accept")
    assert assert_exact(workshop) == {"expected": 3, "present": 3, "walk_ins": 1,
                                      "unannounced": 1}

    # An undo, and a scan after it.
    checkin.undo_check_in(db.session.get(Invitation, first.id))
    assert assert_exact(workshop)["present"] == 2
    checkin.check_in(workshop, first.pass_token, client_id="phone-4")
    assert assert_exact(workshop)["present"] == 3

    # A draft deleted; one checked in (unannounced) deleted too: its check-in goes with it
    # (the database's cascade), counted off once. (delete_invitation refuses it today: the
    # ORM would set the check-in's invitation_id to NULL.)
    draft = inviting.invite_person(workshop, "Nguyễn Văn Nháp", actor=organizer)
    inviting.delete_invitation(draft, actor=organizer)
    draft = inviting.invite_person(workshop, "Đỗ Văn Đến", actor=organizer)
    checkin.check_in(workshop, draft.pass_token, client_id="phone-5")
    assert assert_exact(workshop)["unannounced"] == 2
    db.session.execute(delete(Invitation).where(Invitation.id == draft.id))
    db.session.commit()
    assert assert_exact(workshop)["unannounced"] == 1

    # Core statements, as the bench's seeding and any script write: a bulk insert of
    # invitations and of check-ins, a bulk status change, a row moved to another workshop.
    db.session.execute(insert(Invitation), [
        {"workshop_id": workshop.id, "name": f"Đại biểu hàng loạt {n}", "status": "accepted",
         "token": f"bulk-link-{n}", "pass_token": f"bulk-pass-{n}", "short_code": f"BULK{n}"}
        for n in range(20)])
    bulk = db.session.scalars(select(Invitation.id).where(
        Invitation.name.startswith("Đại biểu hàng loạt"))).all()
    db.session.execute(insert(CheckIn), [{"workshop_id": workshop.id, "invitation_id": n}
                                         for n in bulk[:12]])
    db.session.commit()
    assert assert_exact(workshop) == {"expected": 23, "present": 15, "walk_ins": 1,
                                      "unannounced": 1}
    db.session.execute(update(Invitation).where(Invitation.id.in_(bulk[:5]))
                       .values(status="declined"))
    db.session.execute(update(Invitation).where(Invitation.id.in_(bulk[15:]))
                       .values(workshop_id=other.id))
    db.session.commit()
    assert assert_exact(workshop) == {"expected": 13, "present": 10, "walk_ins": 1,
                                      "unannounced": 6}
    assert assert_exact(other)["expected"] == 5
    db.session.execute(delete(CheckIn).where(CheckIn.invitation_id.in_(bulk[:3])))
    db.session.execute(delete(Invitation).where(Invitation.id.in_(bulk[3:8])))
    db.session.commit()
    assert assert_exact(workshop) == {"expected": 10, "present": 7, "walk_ins": 1,
                                      "unannounced": 1}

    # The walk-in's own row, corrected by the organizer, still counts as a walk-in.
    db.session.get(Invitation, walk_in.id).name = "Hoàng Văn Nam (sửa)"
    db.session.commit()
    assert_exact(workshop)

    # A workshop deleted takes its kept rows along; the other's stay exact.
    db.session.delete(db.session.get(Workshop, workshop.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(DoorGroup)
                             .where(DoorGroup.workshop_id == workshop.id)) == 0
    assert_exact(other)


def test_scans_answers_and_undos_at_the_same_moment_end_exact(app):
    """Phones scanning while invitees change their answers, an organizer marks letters sent
    and staff undo check-ins, each on its own connection (threads of one server): on
    PostgreSQL the counter's triggers race on the same rows; the counter ends as the recount.
    On SQLite the writers are serialised, and the ending is the same."""
    with app.app_context():
        workshop = factories.make_workshop()
        people = factories.make_invitees(workshop, 40)
        ids = [person.id for person in people]
        passes = [person.pass_token for person in people]
        workshop_id = workshop.id
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(job):
        try:
            with app.app_context():
                start.wait()
                job(db.session.get(Workshop, workshop_id))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 (the test reports it below)
            errors.append(error)

    def scan(workshop):
        for n, token in enumerate(passes):
            checkin.check_in(workshop, token, client_id=f"phone-{n}")

    def answer(workshop):
        for round_ in range(2):
            for person in ids[round_::2]:
                rsvp.respond(db.session.get(Invitation, person),
                             ("accept", "decline", "delegate")[person % 3],
                             delegate_name="Người dự thay")

    def undo(workshop):
        for person in ids[::3]:
            invitation = db.session.get(Invitation, person)
            checkin.undo_check_in(invitation)
            db.session.rollback()

    def mark(workshop):
        for _ in range(5):
            inviting.mark_sent(workshop)

    threads = [threading.Thread(target=worker, args=(job,)) for job in (scan, answer, undo, mark)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        counter = assert_exact(db.session.get(Workshop, workshop_id))
        assert counter["present"] + counter["unannounced"] == db.session.scalar(
            select(func.count()).select_from(CheckIn))


def test_the_migration_installs_the_triggers_fills_the_table_and_goes_down(ctx):
    """Up from the schema before the counter, the table is filled from what is there and the
    triggers exist (a later migration rebuilding invitations in SQLite's batch mode would drop
    them silently: this fails then); down, both go."""
    from flask_migrate import downgrade, upgrade

    from workshop.demo.services import load_demo

    load_demo()
    demo = db.session.scalars(select(Workshop.id)).all()
    assert demo and any(assert_exact(db.session.get(Workshop, workshop))["present"]
                        for workshop in demo)
    db.session.remove()

    def triggers() -> set[str]:
        if db.engine.dialect.name == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        with db.engine.connect() as connection:
            return {name for (name,) in connection.execute(text(query))}

    assert set(TRIGGERS) <= triggers()
    downgrade(revision="0020_scan")
    assert not set(TRIGGERS) & triggers()
    with db.engine.connect() as connection:
        assert not db.engine.dialect.has_table(connection, "door_groups")
        # The check-ins stay while the counter is gone: the migration counts them again.
        connection.execute(delete(CheckIn).where(
            CheckIn.id == select(func.min(CheckIn.id)).scalar_subquery()))
        connection.commit()
    upgrade()
    assert set(TRIGGERS) <= triggers()
    for workshop in demo:
        assert_exact(db.session.get(Workshop, workshop))
