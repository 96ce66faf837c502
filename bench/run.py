"""`make bench`: check-in at the door under gunicorn, beside /healthz of the same server.

For each database (SQLite always, PostgreSQL when it answers) and each worker count: a fresh
database, `flask db upgrade`, one workshop with N invitations, a staff API token, gunicorn on a
free loopback port, then the load generator (`bench/load.py`, its own process) runs the cases.
The figures that travel between machines are the ratios to /healthz and the server CPU per
request; the correctness check (exactly N check-ins) must say OK whatever the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workshop import create_app
from workshop.auth.services import create_api_token, create_user
from workshop.config import database_url
from workshop.extensions import db
from workshop.models import Invitation, Organization, Workshop
from workshop.models.invitations import new_short_code
from workshop.timeutil import utcnow

REPO = Path(__file__).resolve().parent.parent
LOAD = REPO / "bench" / "load.py"
HOST = "127.0.0.1"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CASES = ("healthz", "checkin", "resend")
AGENCY_KINDS = ("department", "district", "subdepartment", "provincial_agency")


def options(argv: list[str] | None) -> argparse.Namespace:
    def numbers(value: str) -> list[int]:
        return [int(part) for part in value.split(",") if part.strip()]

    def names(value: str) -> list[str]:
        chosen = [part.strip() for part in value.split(",") if part.strip()]
        unknown = set(chosen) - {"sqlite", "postgresql"}
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown database {', '.join(sorted(unknown))}")
        return chosen

    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=1000, help="passes in the workshop")
    parser.add_argument("--workers", type=numbers, default=[2, 4], help="gunicorn worker counts")
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--databases", type=names, default=["sqlite", "postgresql"])
    parser.add_argument("--phones", type=int, default=2, help="phones scanning every pass")
    parser.add_argument("--concurrency", type=int, default=4, help="connections per phone")
    parser.add_argument("--healthz", type=int, default=4000, help="GET /healthz requests")
    parser.add_argument("--resends", type=int, default=500,
                        help="scans sent again with their client_id (0: none)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="healthz and checkin alternate in this many slices")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="seconds per case at most (per server)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_ADMIN),
                        help="a PostgreSQL server where the bench may create and drop a database")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.md")
    args = parser.parse_args(argv)
    if min(args.invitations, args.phones, args.concurrency, args.healthz, *args.workers) < 1:
        parser.error("--invitations, --phones, --concurrency, --healthz and --workers must be positive")
    return args


# -- databases ---------------------------------------------------------------------------------

def postgres_unreachable(admin_url: str) -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    url = make_url(database_url(admin_url))
    try:
        socket.create_connection((url.host or HOST, url.port or 5432), timeout=1).close()
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure means: run without PostgreSQL, and say why
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


@contextmanager
def fresh_database(kind: str, workdir: Path, admin_url: str) -> Iterator[str]:
    """A new, empty database for one run: a file in the temp dir, or a uniquely named
    PostgreSQL database dropped afterwards whatever happens."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    admin = create_engine(make_url(database_url(admin_url)), isolation_level="AUTOCOMMIT")
    name = f"workshop_bench_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + secrets.token_hex(16),
            "PYTHONUNBUFFERED": "1"}


def migrate(url: str) -> None:
    """The migrations through the command an operator runs: `flask --app wsgi db upgrade`."""
    finished = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                              cwd=REPO, env=server_environment(url), capture_output=True, text=True,
                              timeout=120, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{finished.stderr[-2000:]}")


@dataclass
class Seed:
    workshop: str
    token: str
    passes: list[str]


def seed(url: str, invitations: int, instance: Path) -> Seed:
    """One workshop with `invitations` accepted invitations across some agencies, and a staff
    account with an API token, written straight through the models."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "SECRET_KEY": "bench-seed"})
    with app.app_context():
        agencies = [Organization(name=f"Cơ quan đo tải {n}", kind=AGENCY_KINDS[n % len(AGENCY_KINDS)])
                    for n in range(1, 36)]
        workshop = Workshop(code="bench", title="Hội thảo đo tải điểm danh", starts_at=utcnow(),
                            venue="Hội trường")
        db.session.add_all([*agencies, workshop])
        db.session.flush()
        short_codes: set[str] = set()
        while len(short_codes) < invitations:
            short_codes.add(new_short_code())
        db.session.add_all(
            Invitation(workshop_id=workshop.id, organization_id=agencies[n % len(agencies)].id,
                       name=f"Đại biểu {n}", title="Giám đốc", status="accepted",
                       letter_number=n, short_code=short_code)
            for n, short_code in enumerate(short_codes, start=1)
        )
        db.session.commit()
        passes = list(db.session.scalars(
            db.select(Invitation.pass_token).where(Invitation.workshop_id == workshop.id)
            .order_by(Invitation.id)
        ))
        staff = create_user(f"bench-{secrets.token_hex(4)}@example.org", "staff", secrets.token_urlsafe(12))
        token = create_api_token(staff)
        db.session.remove()
        db.engine.dispose()
    return Seed("bench", token, passes)


def stored(url: str) -> dict[str, int]:
    """What the database holds after the run: check-ins and recorded attempts."""
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("checkins", "checkin_attempts")}
    engine.dispose()
    return counts


def database_version(kind: str, url: str) -> str:
    if kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(url)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


# -- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int, threads: int, log: Path) -> Iterator[tuple[str, int]]:
    """gunicorn serving wsgi:app on a free loopback port, stopped afterwards whatever happens;
    yields its base URL and the master's pid once /readyz answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
               "--worker-class", "gthread", "--bind", f"{HOST}:{port}", "--graceful-timeout", "5",
               "--log-level", "warning", "wsgi:app"]
    with log.open("ab") as log_file:
        process = subprocess.Popen(command, cwd=REPO, env=server_environment(url), stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{HOST}:{port}"
    try:
        wait_until_ready(base, process, log)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session we started, nothing else
            process.wait(timeout=5)


def wait_until_ready(base: str, process: subprocess.Popen, log: Path, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready after {limit:.0f} s:\n{log.read_text()[-2000:]}")


def load(base: str, master: int, data: Seed, passes: Path, args: argparse.Namespace) -> dict:
    """The load generator, in its own process, against one server; its JSON report per case."""
    command = [sys.executable, str(LOAD), "--url", base, "--server-pid", str(master),
               "--token", data.token, "--workshop", data.workshop, "--passes", str(passes)]
    for name in ("healthz", "resends", "phones", "concurrency", "rounds", "time_limit"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    finished = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=len(CASES) * args.time_limit + 120)
    if finished.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{finished.stderr[-2000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


# -- one run: one database, one worker count ---------------------------------------------------

@dataclass
class Row:
    database: str
    workers: str
    case: str
    report: dict
    baseline: dict
    check: str = ""


def bench_one(kind: str, workers: int, args: argparse.Namespace, workdir: Path) -> tuple[list[Row], str]:
    """Every case against one server; the rows and the database's version."""
    with fresh_database(kind, workdir, args.postgres_url) as url:
        migrate(url)
        data = seed(url, args.invitations, workdir / "instance")
        passes = workdir / "passes.json"
        passes.write_text(json.dumps(data.passes))
        with gunicorn(url, workers, args.threads, workdir / "gunicorn.log") as (base, master):
            reports = load(base, master, data, passes, args)
        counts = stored(url)
        version = database_version(kind, url)
    rows = [Row(kind, f"{workers}×{args.threads}", case, reports[case], reports["healthz"])
            for case in CASES if case in reports]
    judge(rows, counts, args)
    return rows, version


def judge(rows: list[Row], counts: dict[str, int], args: argparse.Namespace) -> None:
    """The correctness check: every pass checked in exactly once, every phone told the truth,
    every resend answered as the first time without being applied again. A run cut short by
    the time limit is judged on the scans that were answered."""
    answered = {row.case: row.report for row in rows}.get("checkin", {}).get("requests", 0)
    for row in rows:
        report = row.report
        if row.case == "checkin":
            ok = (report["errors"] == 0 and report["passes_told_checked_in_twice"] == 0
                  and counts["checkins"] == report["checked_in_answers"]
                  and (report["timed_out"] or counts["checkins"] == args.invitations))
            row.check = f"{counts['checkins']} check-ins for {args.invitations} passes"
        elif row.case == "resend":
            ok = report["errors"] == 0 and counts["checkin_attempts"] == answered
            row.check = f"first answers again; {counts['checkin_attempts']} attempts for {answered} scans"
        else:
            continue
        if report["timed_out"]:
            row.check += f" (time limit: {report['requests']} of {report['planned']} sent)"
        row.check = f"{'OK' if ok else 'MISMATCH'}: {row.check}"


# -- the table ---------------------------------------------------------------------------------

HEADER = ("database", "workers×threads", "case", "requests", "errors", "req/s", "p50 ms", "p99 ms",
          "server CPU ms/req", "req/s ÷ healthz", "p99 ÷ healthz", "CPU ÷ healthz", "check")


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else 0.0


def cells(row: Row) -> list[str]:
    report, base = row.report, row.baseline

    def cpu_per_request(figures: dict) -> float:
        return figures["server_cpu_seconds"] * 1000 / max(1, figures["requests"])

    return [row.database, row.workers, row.case, str(report["requests"]), str(report["errors"]),
            f"{report['throughput']:.0f}", f"{report['p50_ms']:.1f}", f"{report['p99_ms']:.1f}",
            f"{cpu_per_request(report):.2f}", f"{ratio(report['throughput'], base['throughput']):.3f}",
            f"{ratio(report['p99_ms'], base['p99_ms']):.1f}",
            f"{ratio(cpu_per_request(report), cpu_per_request(base)):.1f}", row.check or "—"]


def markdown(rows: list[Row], notes: list[str]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(" --- " for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join(lines + [""] + [f"- {note}" for note in notes]) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    started = time.monotonic()
    rows: list[Row] = []
    notes = [
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %z}, {os.cpu_count()} CPU "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"gunicorn gthread; server, load generator and database on the same machine; server CPU "
        f"counts the gunicorn processes only (not PostgreSQL's).",
        f"{args.invitations} passes; {args.phones} phones × {args.concurrency} connections each "
        f"scan every pass once (so half the answers are `already_checked_in`); "
        f"{args.healthz} GET /healthz alternating with the scans in {args.rounds} rounds; "
        f"{args.resends} resends of answered scans; all at the same concurrency.",
    ]
    load_before = os.getloadavg()[0]
    databases = list(args.databases)
    if "postgresql" in databases:
        reason = postgres_unreachable(args.postgres_url)
        if reason:
            databases.remove("postgresql")
            notes.append(f"PostgreSQL skipped: {reason}")
    versions = []
    for kind in databases:
        for workers in args.workers:
            with tempfile.TemporaryDirectory(prefix="workshop-bench-") as workdir:
                found, version = bench_one(kind, workers, args, Path(workdir))
            rows += found
            print(f"# {kind}, {workers} workers: done after {time.monotonic() - started:.0f} s",
                  file=sys.stderr)
        versions.append(version)
    busiest = max((row.report["client_cpu_seconds"] / row.report["seconds"] for row in rows
                   if row.report["seconds"]), default=0.0)
    notes += [
        "Databases: " + ", ".join(versions) + f". Whole run: {time.monotonic() - started:.0f} s.",
        f"Load generator at most {busiest:.0%} of one core; machine load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work on the machine "
        f"moves the absolute figures more than the ratios).",
    ]
    table = markdown(rows, notes)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Check-in benchmark (`make bench`)\n\n" + table, encoding="utf-8")
    return 1 if any(row.check.startswith("MISMATCH") for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
