"""`flask backup`: a consistent copy of the SQLite database while the app runs, and its restore.

SQLite's online backup API copies the pages under one read transaction: with WAL the workers keep
writing meanwhile and the copy is the database as of one instant, never a torn file. PostgreSQL
has its own tool for that (pg_dump); the command says how to use it rather than imitate it.
"""
from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.engine import URL, make_url

from .config import REPO_ROOT
from .timeutil import as_local, utcnow

BACKUP_FOLDER = "backups"


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class Restored:
    revision: str
    previous: Path | None  # the database as it was, kept beside it; None if there was none


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite database URL; None for any other database (or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def default_backup_path(instance_path: Path) -> Path:
    stamp = as_local(utcnow()).strftime("%Y%m%d-%H%M%S")
    return instance_path / BACKUP_FOLDER / f"workshop-{stamp}.db"


def _connect_existing(path: Path, mode: str) -> sqlite3.Connection:
    """Open a database file that must already exist (plain sqlite3.connect would create it)."""
    if not path.is_file():
        raise BackupError(_("Không tìm thấy tệp %(path)s.", path=str(path)))
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=15)


def _check(connection: sqlite3.Connection, path: Path) -> str:
    """The Alembic revision of a sound database of ours; BackupError for anything else."""
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(_("Tệp %(path)s bị hỏng: %(detail)s", path=str(path), detail=verdict))
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(_("Tệp %(path)s không phải là cơ sở dữ liệu của ứng dụng hội thảo.",
                            path=str(path))) from None
    try:
        known = row is not None and ScriptDirectory(str(REPO_ROOT / "migrations")).get_revision(row[0])
    except CommandError:
        known = False
    if not known:
        raise BackupError(_("Tệp %(path)s không mang phiên bản cơ sở dữ liệu của ứng dụng này.",
                            path=str(path)))
    return row[0]


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy `source` into a new file `target` in one backup step: one snapshot, then checked.
    The copy is written under a temporary name so that a half-written file never looks like a
    backup."""
    if target.exists():
        raise BackupError(_("Tệp %(path)s đã có; hãy chọn tên khác.", path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # pages=-1: all at once, under a single read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check(copy, target)
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    copy.close()
    partial.replace(target)


def backup_sqlite(database: Path, target: Path) -> Path:
    """A verified copy of the live database at `target` (which must not exist yet)."""
    source = _connect_existing(database, "ro")
    try:
        _copy(source, target)
    finally:
        source.close()
    return target


def restore_sqlite(backup: Path, database: Path) -> Restored:
    """Put a verified backup's content into the configured database, keeping the current content
    as `<database>.before-restore` (replacing an older one). Written through the backup API into
    the live file, so running workers see the restored data on their next transaction."""
    source = _connect_existing(backup, "ro")
    try:
        revision = _check(source, backup)
        previous = None
        if database.exists():
            previous = database.with_name(database.name + ".before-restore")
            previous.unlink(missing_ok=True)
            backup_sqlite(database, previous)
        live = sqlite3.connect(database, timeout=15)
        try:
            source.backup(live)
        finally:
            live.close()
    finally:
        source.close()
    return Restored(revision=revision, previous=previous)


def postgresql_advice(url: str) -> list[str]:
    """What to run instead on a server database; the password is never printed."""
    parsed = make_url(url)
    address = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                         database=parsed.database, query=parsed.query)
    target = shlex.quote(address.render_as_string(hide_password=False))
    dump = f"workshop-{as_local(utcnow()).strftime('%Y%m%d-%H%M%S')}.dump"
    return [
        _("Cơ sở dữ liệu là PostgreSQL: hãy sao lưu bằng pg_dump (mật khẩu lấy từ PGPASSWORD "
          "hoặc ~/.pgpass)."),
        _("Sao lưu:"),
        f"  pg_dump --format=custom --file={dump} {target}",
        _("Khôi phục (ghi đè dữ liệu hiện có):"),
        f"  pg_restore --clean --if-exists --no-owner --dbname={target} {dump}",
    ]


def _configured_sqlite() -> Path:
    """The configured SQLite file; on PostgreSQL print how to use pg_dump and exit non-zero."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    database = sqlite_path(url)
    if database is None:
        for line in postgresql_advice(url):
            click.echo(line, err=True)
        raise click.exceptions.Exit(2)
    return database


@click.group("backup", invoke_without_command=True,
             help="Back up the SQLite database while the app runs; `backup restore PATH` restores.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the copy (default instance/backups/workshop-YYYYmmdd-HHMMSS.db).")
@click.pass_context
@with_appcontext
def backup_cli(context: click.Context, output: Path | None) -> None:
    if context.invoked_subcommand is not None:
        return
    database = _configured_sqlite()
    target = output or default_backup_path(Path(current_app.instance_path))
    try:
        backup_sqlite(database, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Đã sao lưu và kiểm tra toàn vẹn:"))
    click.echo(str(target))


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup into the configured SQLite database (the current one is kept)."""
    database = _configured_sqlite()
    try:
        restored = restore_sqlite(path, database)
    except BackupError as error:
        raise click.ClickException(str(error) + " " + _("Không có gì thay đổi.")) from None
    click.echo(_("Đã khôi phục %(path)s (phiên bản %(revision)s) vào %(database)s.",
                 path=str(path), revision=restored.revision, database=str(database)))
    if restored.previous:
        click.echo(_("Dữ liệu trước khi khôi phục được giữ ở %(path)s.", path=str(restored.previous)))
    click.echo(_("Nếu bản sao lưu cũ hơn mã nguồn, hãy chạy `flask --app wsgi db upgrade`."))
