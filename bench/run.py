"""`make bench`: check-in, questions, the chair's summary and attendee pages under gunicorn, beside /healthz.

For each database (SQLite always, PostgreSQL when it answers) and each worker count: a fresh
database, `flask db upgrade`, one workshop with N invitations (and, for the summary, a finished
workshop seeded in bulk), a staff API token, gunicorn on a free loopback port, then the load
generator (`bench/load.py`, its own process) runs the chosen cases (`--cases`).
The figures that travel between machines are the ratios to /healthz and the server CPU per
request; the correctness checks (exactly N check-ins, votes and questions as the phones were
told, the summary's answered count, a DOCX that opens,
every attendee page 200 with its invitee's name) must say OK whatever the machine.
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

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from workshop import create_app
from workshop.auth.services import create_api_token, create_user
from workshop.config import INSTANCE_PATH, database_url
from workshop.extensions import db
from workshop.models import CheckIn, Feedback, Invitation, Organization, Question, Workshop, WorkshopSession
from workshop.models.feedback import FEEDBACK_CATEGORIES
from workshop.models.invitations import new_short_code
from workshop.timeutil import utcnow

REPO = Path(__file__).resolve().parent.parent
LOAD = REPO / "bench" / "load.py"
HOST = "127.0.0.1"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CASES = ("healthz", "checkin", "resend", "poll 304", "poll 200", "post", "vote", "summary", "summary.docx",
         "attendee page", "phones")
CHOSEN = ("checkin", "questions", "summary", "attendee", "phones")
# Passed on to the load generator as they are.
LOAD_OPTIONS = ("healthz", "resends", "phones", "concurrency", "rounds", "time_limit", "question_phones",
                "askers", "voters", "question_rounds", "quiet_polls", "summary_pages", "summary_documents",
                "attendee_pages", "attendee_visits", "polling_phones", "polling_every", "polling_seconds",
                "polling_change_every")
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

    def cases(value: str) -> list[str]:
        chosen = [part.strip() for part in value.split(",") if part.strip()]
        unknown = set(chosen) - set(CHOSEN)
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(f"cases are among {', '.join(CHOSEN)}")
        return chosen

    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=cases, default=list(CHOSEN),
                        help="checkin,questions,summary,attendee,phones")
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
    parser.add_argument("--question-phones", type=int, default=300,
                        help="questions: phones (invitations) polling the list")
    parser.add_argument("--askers", type=int, default=10, help="questions: phones asking, per round")
    parser.add_argument("--voters", type=int, default=60, help="questions: phones voting, per round")
    parser.add_argument("--question-rounds", type=int, default=3,
                        help="questions: rounds of asking and voting, each seen by every phone")
    parser.add_argument("--quiet-polls", type=int, default=1,
                        help="questions: polls per phone and round while nothing changed (304)")
    parser.add_argument("--summary-invitations", type=int, default=1000, help="summary: invitations")
    parser.add_argument("--summary-questions", type=int, default=2000, help="summary: visible questions")
    parser.add_argument("--summary-feedback", type=int, default=5000, help="summary: feedback items")
    parser.add_argument("--summary-growth", type=numbers, default=[2, 4],
                        help="summary: also workshops this many times as large (empty: none)")
    parser.add_argument("--polling-phones", type=int, default=500,
                        help="phones: invitations polling the question list together")
    parser.add_argument("--polling-every", type=float, default=2.0, help="phones: seconds between polls")
    parser.add_argument("--polling-seconds", type=float, default=30.0, help="phones: how long they poll")
    parser.add_argument("--polling-change-every", type=int, default=5,
                        help="phones: rounds between two questions asked meanwhile (0: never)")
    parser.add_argument("--summary-pages", type=int, default=10, help="summary: page requests")
    parser.add_argument("--summary-documents", type=int, default=5, help="summary: DOCX requests")
    parser.add_argument("--attendee-pages", type=int, default=200,
                        help="attendee page: invitations whose personal page /i/<token> is opened")
    parser.add_argument("--attendee-visits", type=int, default=3,
                        help="attendee page: times each of those pages is opened")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_ADMIN),
                        help="a PostgreSQL server where the bench may create and drop a database")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.md")
    args = parser.parse_args(argv)
    if min(args.invitations, args.phones, args.concurrency, args.healthz, *args.workers) < 1:
        parser.error("--invitations, --phones, --concurrency, --healthz and --workers must be positive")
    writers = args.askers + args.voters
    if "questions" in args.cases and not 1 <= writers <= args.question_phones <= args.invitations:
        parser.error("--askers + --voters <= --question-phones <= --invitations, and some phone must write")
    if "summary" in args.cases and min(args.summary_invitations, args.summary_questions,
                                       args.summary_pages, args.summary_documents) < 1:
        parser.error("the --summary-* sizes must be positive")
    if "phones" in args.cases and not 1 <= args.polling_phones <= args.invitations:
        parser.error("1 <= --polling-phones <= --invitations")
    if "attendee" in args.cases and not (1 <= args.attendee_pages <= args.invitations
                                         and args.attendee_visits >= 1):
        parser.error("1 <= --attendee-pages <= --invitations and --attendee-visits >= 1")
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
    """Rate limits off: the bench measures the app, not the limiter. BENCH_RATELIMIT_ENABLED=1
    turns them on, to see that hundreds of phones sharing 127.0.0.1 are never refused."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + secrets.token_hex(16),
            "PYTHONUNBUFFERED": "1",
            "RATELIMIT_ENABLED": os.environ.get("BENCH_RATELIMIT_ENABLED", "0")}


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
    # What the questions and summary cases need: tokens, session, chair, the text to find.
    seeded: dict


def seed(url: str, args: argparse.Namespace, instance: Path) -> Seed:
    """One workshop with `--invitations` accepted invitations across some agencies and one
    session for questions, a staff account with an API token, and (summary case) a finished
    workshop; written straight through the models."""
    invitations = args.invitations
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
        seeded: dict = {}
        if "questions" in args.cases or "phones" in args.cases:
            session = WorkshopSession(workshop_id=workshop.id, position=1, title="Phiên thảo luận")
            db.session.add(session)
            db.session.commit()
            phones = max(args.question_phones if "questions" in args.cases else 0,
                         args.polling_phones if "phones" in args.cases else 0)
            tokens = db.session.scalars(
                db.select(Invitation.token).where(Invitation.workshop_id == workshop.id)
                .order_by(Invitation.id).limit(phones)).all()
            seeded["questions"] = {"session_id": session.id, "tokens": list(tokens)}
        if "attendee" in args.cases:
            # The first invitations, as the questions case takes them: (token, invitee's name).
            pages = db.session.execute(
                db.select(Invitation.token, Invitation.name).where(Invitation.workshop_id == workshop.id)
                .order_by(Invitation.id).limit(args.attendee_pages)).all()
            seeded["attendee"] = {"pages": [[token, name] for token, name in pages]}
        if "summary" in args.cases:
            seeded["summary"] = seed_summary(args, agencies)
            seeded["summary"]["growth"] = [
                {"scale": scale, **seed_summary(args, agencies, code=f"tong-ket-{scale}x", scale=scale)}
                for scale in args.summary_growth]
        db.session.remove()
        db.engine.dispose()
    return Seed("bench", token, passes, seeded)


def seed_summary(args: argparse.Namespace, agencies: list[Organization], code: str = "tong-ket",
                 scale: int = 1) -> dict:
    """A finished workshop: invitations with mixed answers, ~70% checked in, visible questions
    (half answered) over 5 sessions, feedback in the four categories; bulk inserts. `scale`
    times the --summary-* sizes (the growth rows)."""
    invitations, questions, feedback = (scale * args.summary_invitations, scale * args.summary_questions,
                                        scale * args.summary_feedback)
    workshop = Workshop(code=code, title="Hội thảo tổng kết đo tải", starts_at=utcnow(),
                        venue="Hội trường")
    db.session.add(workshop)
    db.session.flush()
    sessions = [WorkshopSession(workshop_id=workshop.id, position=n, title=f"Phiên {n}") for n in range(1, 6)]
    db.session.add_all(sessions)
    db.session.flush()
    answers = ("accepted", "accepted", "accepted", "delegated", "declined", "sent")
    db.session.execute(insert(Invitation), [
        {"workshop_id": workshop.id, "organization_id": agencies[n % len(agencies)].id,
         "name": f"Đại biểu {n}", "title": "Phó Giám đốc", "status": answers[n % len(answers)],
         "letter_number": n, "short_code": f"S{scale}{n:06d}",
         "delegate_name": f"Người dự thay {n}" if n % 6 == 3 else None}
        for n in range(1, invitations + 1)])
    invited = db.session.scalars(db.select(Invitation.id).where(Invitation.workshop_id == workshop.id)
                                 .order_by(Invitation.id)).all()
    db.session.execute(insert(CheckIn), [{"workshop_id": workshop.id, "invitation_id": invitation_id}
                                         for n, invitation_id in enumerate(invited)
                                         if n % 10 < 7])
    db.session.execute(insert(Question), [
        {"workshop_id": workshop.id, "session_id": sessions[n % 5].id,
         "invitation_id": invited[n % len(invited)], "text": f"Câu hỏi tổng kết số {n}",
         "status": "visible", "votes": n % 7,
         "answer": f"Trả lời câu hỏi số {n}" if n % 2 == 0 else None,
         "answered_by": "Giám đốc Sở" if n % 2 == 0 else None}
        for n in range(questions)])
    db.session.execute(insert(Feedback), [
        {"workshop_id": workshop.id, "invitation_id": invited[n % len(invited)],
         "session_id": sessions[n % 5].id, "category": FEEDBACK_CATEGORIES[n % 4],
         "text": f"Ý kiến góp ý số {n}", "rating": n % 5 + 1}
        for n in range(feedback)])
    db.session.commit()
    chair = f"chair-{secrets.token_hex(4)}@example.org"
    password = secrets.token_urlsafe(12)
    create_user(chair, "chair", password)
    answered = (questions + 1) // 2
    return {"workshop": workshop.code, "chair": f"{chair}:{password}",
            "needle": f"{answered}/{questions} câu hỏi đã được trả lời"}


def stored(url: str) -> dict[str, int]:
    """What the database holds after the run in the bench workshop: check-ins, recorded
    attempts, each question's vote count and the vote rows."""
    engine = create_engine(url)
    with engine.connect() as connection:
        bench = "(SELECT id FROM workshops WHERE code = 'bench')"
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table} WHERE workshop_id = {bench}"))
                  .scalar_one() for table in ("checkins", "checkin_attempts")}
        counts["votes"] = dict(connection.execute(text(
            "SELECT q.id, q.votes FROM questions q JOIN workshops w ON w.id = q.workshop_id "
            "WHERE w.code = 'bench'")).all())
        counts["vote_rows"] = connection.execute(text(
            "SELECT count(*) FROM question_votes v JOIN questions q ON q.id = v.question_id "
            "JOIN workshops w ON w.id = q.workshop_id WHERE w.code = 'bench'")).scalar_one()
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


def load(base: str, master: int, data: Seed, workdir: Path, args: argparse.Namespace) -> dict:
    """The load generator, in its own process, against one server; its JSON report per case."""
    passes, seeded = workdir / "passes.json", workdir / "seeded.json"
    passes.write_text(json.dumps(data.passes))
    seeded.write_text(json.dumps(data.seeded))
    command = [sys.executable, str(LOAD), "--url", base, "--server-pid", str(master),
               "--token", data.token, "--workshop", data.workshop, "--passes", str(passes),
               "--seeded", str(seeded), "--cases", ",".join(args.cases),
               "--docx-out", str(workdir / "summary.docx")]
    for name in LOAD_OPTIONS:
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
        # The server's own instance folder, as an organizer's import on the server uses: the
        # passes drawn as the invitations are made (workshop/invitations/passes.py) are the
        # ones its workers read.
        data = seed(url, args, INSTANCE_PATH)
        with gunicorn(url, workers, args.threads, workdir / "gunicorn.log") as (base, master):
            reports = load(base, master, data, workdir, args)
        counts = stored(url)
        counts["docx_opens"] = docx_opens(workdir / "summary.docx")
        version = database_version(kind, url)
    growth = [f"summary {scale}×" for scale in args.summary_growth]
    order = [*CASES[:CASES.index("summary.docx") + 1], *growth, *CASES[CASES.index("summary.docx") + 1:]]
    rows = [Row(kind, f"{workers}×{args.threads}", case, reports[case], reports["healthz"])
            for case in order if case in reports]
    judge(rows, counts, args)
    return rows, version


def docx_opens(path: Path) -> bool:
    """Whether the last DOCX the chair received opens in python-docx."""
    if not path.exists():
        return False
    from docx import Document

    try:
        return bool(Document(str(path)).paragraphs)
    except Exception:  # any failure to read it means it does not open
        return False


def judge(rows: list[Row], counts: dict, args: argparse.Namespace) -> None:
    """The correctness check: every pass checked in exactly once, every phone told the truth,
    every resend answered as the first time without being applied again; every question told
    201 stored, each question's votes the distinct voters told 200; every poll answered 200
    after a change and 304 while nothing changed; the summary showing its answered count and
    its DOCX opening. A run cut short by the time limit is judged on what was answered."""
    reports = {row.case: row.report for row in rows}
    answered = reports.get("checkin", {}).get("requests", 0)
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
        elif row.case == "post":
            # The phones case asks a few questions too, in the same session.
            stored_ids = set(counts["votes"]) - set(reports.get("phones", {}).get("asked", []))
            posted = set(report["posted"])
            ok = report["errors"] == 0 and (stored_ids == posted
                                            or report["timed_out"] and posted <= stored_ids)
            row.check = f"{len(stored_ids)} questions stored for {len(posted)} told 201"
        elif row.case == "vote":
            told = {int(question): votes for question, votes in reports["post"]["votes_told"].items()}
            voted = {question: votes for question, votes in counts["votes"].items() if votes}
            ok = report["errors"] == 0 and voted == told and counts["vote_rows"] == sum(told.values())
            row.check = (f"{sum(voted.values())} votes stored for {sum(told.values())} distinct votes "
                         f"told 200 ({counts['vote_rows']} vote rows)")
        elif row.case.startswith("poll"):
            ok = report["errors"] == 0
            row.check = f"every poll answered {row.case.split()[1]}"
        elif row.case == "summary":
            ok = report["errors"] == 0
            row.check = (f"every page shows {(args.summary_questions + 1) // 2}/{args.summary_questions}"
                         " questions answered")
        elif row.case == "summary.docx":
            ok = report["errors"] == 0 and counts.get("docx_opens", False)
            row.check = "opens in python-docx" if counts.get("docx_opens") else "does not open in python-docx"
        elif row.case.startswith("summary ") and row.case.endswith("×"):
            scale = int(row.case.split()[1].rstrip("×"))
            questions = scale * args.summary_questions
            ok = report["errors"] == 0
            row.check = (f"{scale}× the data: every page shows {(questions + 1) // 2}/{questions} "
                         "questions answered")
        elif row.case == "phones":
            ok = report["errors"] == 0
            row.check = (f"{args.polling_phones} phones every {args.polling_every:g} s for "
                         f"{report['seconds']:.0f} s, {report['not_modified']} of {report['requests']} "
                         f"answered 304: server {report['cpu_share']:.0%} of the machine's "
                         f"{report['cores']} cores")
        elif row.case == "attendee page":
            ok = report["errors"] == 0
            row.check = "every page answered 200 with the invitee's name"
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
    ]
    if "checkin" in args.cases:
        notes.append(
            f"{args.invitations} passes; {args.phones} phones × {args.concurrency} connections each "
            f"scan every pass once (so half the answers are `already_checked_in`); "
            f"{args.resends} resends of answered scans; all at the same concurrency.")
    if "questions" in args.cases:
        notes.append(
            f"Questions: {args.question_phones} phones (one invitation each, its own ETag) poll one "
            f"session's list (JSON, not compressed); {args.question_rounds} rounds of {args.askers} "
            f"questions asked "
            f"and {args.voters} votes, then every phone polls once (200, the list changed) and "
            f"{args.quiet_polls} more poll(s) each (304); server started with RATELIMIT_ENABLED="
            f"{os.environ.get('BENCH_RATELIMIT_ENABLED', '0')}.")
    if "summary" in args.cases:
        notes.append(
            f"Summary: a workshop of {args.summary_invitations} invitations (~70% checked in), "
            f"{args.summary_questions} visible questions (half answered) over 5 sessions, "
            f"{args.summary_feedback} feedback items; {args.summary_pages} GET of the chair's page and "
            f"{args.summary_documents} of its DOCX, signed in through /login with CSRF.")
    if "attendee" in args.cases:
        notes.append(
            f"Attendee page: the personal pages /i/<token> of the first {args.attendee_pages} "
            f"invitations, each opened {args.attendee_visits} times (200, the invitee's name on it).")
    if "summary" in args.cases and args.summary_growth:
        notes.append(
            "Summary growth: the same workshop at " + ", ".join(f"{scale}×" for scale in args.summary_growth)
            + f" the data, {max(1, args.summary_pages // 2)} GET of each page, one at a time as the 1×"
              " pages (all of them after each worker's first page and document, unmeasured); its CPU"
              " per request against the `summary` row shows how it grows.")
    if "phones" in args.cases:
        notes.append(
            f"Phones: {args.polling_phones} invitations each poll the question list every "
            f"{args.polling_every:g} s with their own ETag for {args.polling_seconds:g} s (one question "
            f"asked every {args.polling_change_every} rounds, then every phone gets a 200); the row's "
            "req/s and CPU are over the whole time, idle gaps included, and its check says the server's "
            "share of the machine.")
    notes.append(f"{args.healthz} GET /healthz, shared between the cases, each alternating with its "
                 f"share in rounds ({args.rounds} for check-in); every case at the same concurrency "
                 f"({args.phones} load-generator phones × {args.concurrency} connections).")
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
    title = "# Benchmark (`make bench`): check-in, questions, summary, attendee page\n\n"
    args.output.write_text(title + table, encoding="utf-8")
    return 1 if any(row.check.startswith("MISMATCH") for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
