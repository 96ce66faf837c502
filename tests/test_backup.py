"""`flask backup`: a consistent copy while check-ins keep coming, a restore that brings back
exactly the backed-up rows, refusals that change nothing, and pg_dump advice on PostgreSQL."""
from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import _app_for
from workshop.backup import backup_cli
from workshop.extensions import db
from workshop.models import CheckIn, Invitation

from . import factories


@pytest.fixture
def app(tmp_path):
    """Backups are SQLite's online backup: these tests use a migrated SQLite file of their own,
    whatever database the rest of the suite runs on (PostgreSQL's pg_dump advice is tested
    below)."""
    app = _app_for(f"sqlite:///{tmp_path / 'workshop.db'}", tmp_path / "instance")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _count(model) -> int:
    db.session.rollback()  # a fresh transaction: see what others committed
    return db.session.scalar(select(func.count()).select_from(model))


def _wait_for(condition, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _counts_in(path) -> tuple[int, int]:
    with sqlite3.connect(path) as copy:
        return (copy.execute("SELECT count(*) FROM invitations").fetchone()[0],
                copy.execute("SELECT count(*) FROM checkins").fetchone()[0])


def test_backup_while_check_ins_are_written_is_a_sound_snapshot(app, ctx, tmp_path):
    workshop_id = factories.make_workshop().id
    stop = threading.Event()
    failures: list[BaseException] = []

    def door() -> None:
        """Each walk-in arrives as one transaction: an invitation and its check-in together."""
        with app.app_context():
            try:
                n = 0
                while not stop.is_set():
                    n += 1
                    invitation = Invitation(workshop_id=workshop_id, name=f"Khách mời {n}", walk_in=True)
                    db.session.add(CheckIn(invitation=invitation, workshop_id=workshop_id, method="walk_in"))
                    db.session.commit()
            except BaseException as error:  # reported by the main thread
                failures.append(error)
            finally:
                db.session.remove()

    writer = threading.Thread(target=door, daemon=True)
    writer.start()
    try:
        _wait_for(lambda: _count(CheckIn) >= 20)
        target = tmp_path / "during.db"
        result = app.test_cli_runner().invoke(backup_cli, ["--output", str(target)])
        assert result.exit_code == 0, result.output
        assert result.output.strip().splitlines()[-1] == str(target)
        invitations, checkins = _counts_in(target)
        _wait_for(lambda: _count(CheckIn) > checkins + 10)  # the door kept working after the copy
    finally:
        stop.set()
        writer.join(timeout=20)
    assert not failures, failures
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert checkins >= 20
    assert invitations == checkins  # every transaction whole or absent: a snapshot of one instant
    assert _count(CheckIn) > checkins
    assert not list(tmp_path.glob("*.partial"))


def test_default_backup_goes_to_instance_backups(app, ctx):
    result = app.test_cli_runner().invoke(backup_cli, [])
    assert result.exit_code == 0, result.output
    written = result.output.strip().splitlines()[-1]
    folder = os.path.join(app.instance_path, "backups")
    assert os.path.dirname(written) == folder
    assert os.listdir(folder) == [os.path.basename(written)]
    assert os.path.basename(written).startswith("workshop-") and written.endswith(".db")


def _names() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(Invitation.name)))


def test_restore_brings_back_exactly_the_backed_up_rows(app, ctx, tmp_path):
    workshop = factories.make_workshop()
    first = {factories.make_invitee(workshop).name for _ in range(3)}
    backup = tmp_path / "before.db"
    runner = app.test_cli_runner()
    assert runner.invoke(backup_cli, ["-o", str(backup)]).exit_code == 0
    later = {factories.make_invitee(workshop).name for _ in range(2)}
    assert _names() == first | later

    result = runner.invoke(backup_cli, ["restore", str(backup)])

    assert result.exit_code == 0, result.output
    assert _names() == first  # the running app's own connections see the restored data
    database = db.engine.url.database
    with sqlite3.connect(database + ".before-restore") as previous:
        kept = {row[0] for row in previous.execute("SELECT name FROM invitations")}
    assert kept == first | later
    assert ".before-restore" in result.output


def _refused(app, path) -> str:
    workshop = factories.make_workshop()
    factories.make_invitee(workshop, name="Nguyễn Văn An")
    result = app.test_cli_runner().invoke(backup_cli, ["restore", str(path)])
    assert result.exit_code == 1
    assert _names() == {"Nguyễn Văn An"}
    assert not os.path.exists(db.engine.url.database + ".before-restore")
    return result.output


def test_restore_refuses_a_file_that_is_not_a_database(app, ctx, tmp_path):
    bogus = tmp_path / "danh-sach.db"
    bogus.write_text("Họ và tên;Cơ quan\n" * 200, encoding="utf-8")
    output = _refused(app, bogus)
    assert "không phải là cơ sở dữ liệu của ứng dụng hội thảo" in output
    assert "Không có gì thay đổi." in output


def test_restore_refuses_a_database_of_another_application(app, ctx, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
    output = _refused(app, other)
    assert "không mang phiên bản cơ sở dữ liệu của ứng dụng này" in output


def test_backup_refuses_to_overwrite_a_file(app, ctx, tmp_path):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"earlier")
    result = app.test_cli_runner().invoke(backup_cli, ["-o", str(existing)])
    assert result.exit_code == 1
    assert "đã có" in result.output
    assert existing.read_bytes() == b"earlier"


@pytest.mark.parametrize("args", [[], ["restore", "anything.dump"]])
def test_on_postgresql_it_prints_pg_dump_commands_without_the_password(make_app, args):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://hoithao:bi-mat@db.tinh.vn:5432/workshop")
    result = app.test_cli_runner().invoke(backup_cli, args)
    assert result.exit_code == 2
    assert "pg_dump --format=custom --file=workshop-" in result.output
    restore = "pg_restore --clean --if-exists --no-owner --dbname=postgresql://hoithao@db.tinh.vn:5432/workshop"
    assert restore in result.output
    assert "bi-mat" not in result.output
