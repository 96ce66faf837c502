"""The authorization matrix: every route of the app and the API, every method, for six
actors: anonymous, the attendee of workshop A, the attendee of workshop B ("another workshop"),
staff, chair and organizer. The routes come from `app.url_map`, the expectations from
`tests/auth/authz_rules.py`; a route without a rule there fails `test_every_route_has_a_rule`.

What a cell accepts:
- allow: the actor got in; 2xx, 304 or a redirect (not to the sign-in page), or 400/409/422 since
  the input may be refused for its own reasons (a deadline passed, a duplicate);
- refused: a page open to them, but what they send changes nothing (200/400/409/422);
- login: a redirect to /login?next=… for pages, 401 for the API and the scripts' JSON;
- forbid: exactly 403; not_found: exactly 404, where hiding existence is the intent (secret links).
Never a 500. Every refusal of an unsafe method (refused, login, forbid, not_found) leaves every row
of every table as it was. No actor is shown the people, questions or feedback of a workshop that is
not theirs, nor a secret token that is not theirs (`FOREIGN`, `SECRETS` in the rules).

One world per actor (a fresh database): the cells of one actor run in order, safe methods first,
each with a fresh client and its own application context, as separate requests are in production.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule as UrlRule

from tests import factories
from tests.conftest import login_as
from workshop.auth.identity import INVITATION_HEADER, SESSION_INVITATION_KEY
from workshop.auth.services import create_api_token
from workshop.directory.imports import store_upload
from workshop.extensions import db
from workshop.models import Question, TeamMember, User
from workshop.outbox.services import queue_invitation_emails
from workshop.summary.services import save_conclusions
from workshop.tasks.services import add_report, create_task
from workshop.timeutil import input_datetime_value, utcnow

from .authz_rules import (
    ACCOUNTS,
    ACTORS,
    ALLOW,
    ATTENDEE,
    FORBID,
    FOREIGN,
    HELD,
    LOGIN,
    NOT_FOUND,
    ORGANIZER,
    OTHER_ATTENDEE,
    REFUSED,
    RULES,
    SECRETS,
    STAFF_ROLES,
    TEAM_ACTORS,
    TEAM_CHAIR,
    Rule,
)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
GOT_IN = {200, 201, 202, 204, 301, 302, 303, 304, 400, 409, 422}
INPUT_REFUSED = {200, 400, 409, 422}
# A secret URL argument the actor does not hold: a well-formed guess.
GUESSED = "Zq7guessed0token0nobody0holds0this0value00"
# Written by every authenticated API call; not a change to what the call is about.
IGNORED_COLUMNS = {("api_tokens", "last_used_at")}
# URL arguments naming a record by an identifier unique across workshops (a summary version's
# number is not: it counts within its workshop).
RECORD_ARGUMENTS = {"invitation_id", "session_id", "contribution_id", "batch", "task_id",
                    "report_id", "member_id"}


@dataclass
class World:
    values: dict[str, str]  # "{name}" in the rules, and URL arguments by name
    private: dict[str, list[str]]  # what only some may read, by group (FOREIGN in the rules)
    users: dict[str, int]  # role (or team actor) -> user id
    api_headers: dict[str, dict[str, str]]  # actor -> headers of an API call


def build_world(app: Flask, users, api_headers) -> World:
    """Workshop A on its day, after questions and feedback came in (the attendee is Nguyễn Văn An,
    checked in); workshop B with its own attendee and question; an outbox batch and a summary
    version of A; an uploaded directory file waiting for its confirmation."""
    a = factories.make_reviewed_workshop()
    workshop = a.workshop
    now = utcnow()
    workshop.starts_at, workshop.ends_at = now - timedelta(hours=1), now + timedelta(hours=4)
    workshop.rsvp_deadline = None
    a.contribution.attachment = b"%PDF-1.4 bao cao tham luan"
    a.contribution.attachment_name, a.contribution.attachment_type = "tham-luan.pdf", "application/pdf"
    db.session.commit()
    b = factories.make_workshop(title="Hội thảo chuyển đổi số cấp huyện")
    other = factories.make_invitee(b, "Trịnh Thị Bê", status="accepted", title="Chủ tịch UBND huyện")
    b_question = Question(workshop_id=b.id, session_id=b.sessions[0].id, invitation_id=other.id,
                          text="Hội thảo B: kinh phí chuyển đổi số cấp xã lấy từ đâu?")
    db.session.add(b_question)
    db.session.commit()
    with app.test_request_context():
        batch = queue_invitation_emails(workshop, [a.silent.id]).batch
    version = save_conclusions(workshop, "Dự thảo kết luận của chủ trì.", users["chair"])
    import_token = store_upload(Path(app.instance_path) / "imports", "danh-ba.csv",
                                "name,kind\nSở Thử nghiệm Nhập,department\n".encode())
    task, task_token = create_task(workshop, "Rà soát quy trình ISO.", a.agencies["noi_vu"].id,
                                   now.date() + timedelta(days=30))
    report = add_report(task, "Đã hoàn thành 50%.", attachment=("bao-cao.pdf", b"%PDF-1.4 bc"))
    values = {
        "task_id": task.id, "report_id": report.id, "task_token": task_token,
        "code": workshop.code, "invitation_id": a.accepted.id, "question_id": a.answered.id,
        "session_id": a.sessions[0].id, "second_session_id": a.sessions[1].id,
        "contribution_id": a.contribution.id, "batch": batch, "number": version.version,
        "organization_id": a.agencies["noi_vu"].id, "spare_invitation_id": a.silent.id,
        "duplicate_question_id": a.pending_answer.id, "starts_at": input_datetime_value(workshop.starts_at),
        "attendee_token": a.accepted.token, "attendee_pass_token": a.accepted.pass_token,
        "neighbour_token": a.delegated.token, "neighbour_pass_token": a.delegated.pass_token,
        "other_token": other.token, "screen_token": workshop.screen_token,
        "import_token": import_token, "staff_email": users["staff"].email, "other_code": b.code,
    }
    private = {
        "A": [a.accepted.name, a.delegated.name, a.delegated.delegate_name, a.silent.name,
              a.declined.name, a.answered.text, a.pending_answer.text, a.feedback[1].text],
        "A_contacts": [a.delegated.email, a.silent.email, a.declined.email],
        "A_moderated": [a.hidden.text, a.merged.text],
        "A_unpublished": [version.conclusions, a.feedback[2].text, a.feedback[4].text,
                          a.contribution.results],
        "B": [other.name, b_question.text],
    }
    # The team accounts: a chair of A's team; staff and a chair of B's team only; and a spare
    # member of A's team for the organizer to remove (one for the page, one for the API).
    accounts = {**users}
    for actor, role in TEAM_ACTORS.items():
        accounts[actor] = factories.make_user(role)
        db.session.add(TeamMember(workshop_id=workshop.id if actor == TEAM_CHAIR else b.id,
                                  user_id=accounts[actor].id, role=role))
    spare, api_spare = (TeamMember(workshop_id=workshop.id, user_id=factories.make_user("staff").id,
                                   role="staff") for _ in range(2))
    db.session.add_all([spare, api_spare])
    db.session.commit()
    values["member_id"], values["api_member_id"] = spare.id, api_spare.id
    headers = {role: api_headers(role) for role in STAFF_ROLES}
    headers |= {actor: {"Authorization": f"Bearer {create_api_token(accounts[actor])}"}
                for actor in TEAM_ACTORS}
    headers[ATTENDEE] = {INVITATION_HEADER: a.accepted.token}
    headers[OTHER_ATTENDEE] = {INVITATION_HEADER: other.token}
    return World({name: str(value) for name, value in values.items()}, private,
                 {role: user.id for role, user in accounts.items()}, headers)


@dataclass
class Cell:
    key: str  # "METHOD /rule", as in RULES
    url_rule: UrlRule
    method: str
    rule: Rule


def matrix(app: Flask) -> tuple[list[Cell], list[str]]:
    """Every route and method of the app (but static files), safe methods first; and the
    "METHOD /rule" that the table lacks."""
    cells, missing = [], []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static":
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            key = f"{method} {url_rule.rule}"
            if key in RULES:
                cells.append(Cell(key, url_rule, method, RULES[key]))
            else:
                missing.append(key)
    cells.sort(key=lambda cell: (cell.method not in SAFE_METHODS, cell.key))
    return cells, missing


def test_every_route_has_a_rule(app):
    cells, missing = matrix(app)
    assert not missing, (
        "These routes have no rule in tests/auth/authz_rules.py: add each to RULES, saying who may "
        "use it (and a valid body for POST/PATCH/DELETE):\n  " + "\n  ".join(sorted(missing)))
    stale = set(RULES) - {cell.key for cell in cells}
    assert not stale, f"RULES names routes the app no longer has; remove them: {sorted(stale)}"
    for key, rule in RULES.items():
        assert set(rule.who) == set(ACTORS), f"{key}: say what every actor gets"


def fill(template, values: dict[str, str]):
    """The rule's body or argument with the world's values; (filename, bytes) becomes an upload."""
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, tuple):
        filename, content = template
        return io.BytesIO(content), filename
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {name: fill(value, values) for name, value in template.items()}
    return template


def as_json_types(value):
    """A JSON body as a client writes it: ids and numbers as JSON numbers, not as text (the API
    refuses a number sent as text, CONTRACT.md "Text input")."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, list):
        return [as_json_types(item) for item in value]
    if isinstance(value, dict):
        return {name: as_json_types(item) for name, item in value.items()}
    return value


def url_of(app: Flask, cell: Cell, actor: str, world: World, **overrides: str) -> str:
    """The cell's URL as `actor` would write it; the rule's `query` is added to it."""
    args = fill(cell.rule.query, world.values)
    for name in cell.url_rule.arguments:
        if name in overrides:
            args[name] = overrides[name]
        elif name in cell.rule.args:
            args[name] = fill(cell.rule.args[name], world.values)
        elif name in HELD:
            held = HELD[name].get(actor)
            args[name] = world.values[held] if held else GUESSED
        elif name in world.values:
            args[name] = world.values[name]
        else:
            raise AssertionError(f"{cell.key}: no value for <{name}>: add it to the world "
                                 "(build_world) or to the rule's args")
    return app.url_map.bind("localhost").build(cell.url_rule.endpoint, args, method=cell.method)


def client_of(app: Flask, actor: str, world: World):
    """A browser of this actor: signed in, or having opened its personal link."""
    client = app.test_client()
    if actor in ACCOUNTS:
        login_as(client, db.session.get(User, world.users[actor]))
    elif actor in (ATTENDEE, OTHER_ATTENDEE):
        with client.session_transaction() as session:
            session[SESSION_INVITATION_KEY] = world.api_headers[actor][INVITATION_HEADER]
    return client


def database_rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, as committed."""
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            columns = [column for column in table.columns
                       if (table.name, column.name) not in IGNORED_COLUMNS]
            statement = select(*columns).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in db.session.execute(statement)]
        return rows


def outcome_problem(expected: str, response, path: str) -> str | None:
    """What is wrong with this answer for the expected outcome, if anything."""
    status = response.status_code
    location = urlsplit(response.location or "")
    to_sign_in = location.path == "/login" and "next" in parse_qs(location.query)
    if status >= 500:
        return f"answered {status}"
    if expected == ALLOW:
        ok = status in GOT_IN and not to_sign_in
    elif expected == REFUSED:
        ok = status in INPUT_REFUSED
    elif expected == LOGIN:
        ok = status == 401 if path.startswith("/api/") else (status == 401 or to_sign_in)
    elif expected == FORBID:
        ok = status == 403
    elif expected == NOT_FOUND:
        ok = status == 404
    else:
        return f"unknown outcome {expected!r} in the rules"
    if not ok:
        target = f" -> {response.location}" if response.location else ""
        return f"expected {expected}, got {status}{target}"
    if path.startswith("/api/") and expected in (LOGIN, FORBID, NOT_FOUND):
        error = (response.get_json(silent=True) or {}).get("error") or {}
        if not (error.get("code") and error.get("message")):
            return f"{status} without the API's error shape: {response.get_data(as_text=True)[:200]}"
    return None


def leaks(actor: str, response, world: World) -> list[str]:
    """Foreign people, questions, feedback or secrets in the body or the Location header."""
    text = response.get_data().decode("utf-8", "replace") + (response.location or "")
    found = []
    for group in FOREIGN.get(actor, ()):
        for marker in world.private[group]:
            escaped = json.dumps(marker)[1:-1]  # as jsonify writes it (ASCII escapes)
            if marker in text or escaped in text:
                found.append(f"shows {group}: {marker[:40]!r}")
    for name, readers in SECRETS.items():
        if actor not in readers and world.values[name] in text:
            found.append(f"shows the secret {name}")
    return found


def check(app: Flask, world: World, cell: Cell, actor: str, expected: str, path: str) -> list[str]:
    """Send the cell's request as `actor`; what is wrong with the answer, if anything."""
    check_unchanged = cell.method not in SAFE_METHODS and expected != ALLOW
    client = client_of(app, actor, world)  # signing in writes a row: before the snapshot
    before = database_rows(app) if check_unchanged else None
    options = {"headers": world.api_headers.get(actor, {}) if path.startswith("/api/") else {}}
    if cell.rule.json is not None:
        options["json"] = as_json_types(fill(cell.rule.json, world.values))
    elif cell.rule.form is not None:
        options["data"] = fill(cell.rule.form, world.values)
    with app.app_context():  # its own session and `g`, as a request has in production
        response = client.open(path, method=cell.method, **options)
    found = [outcome_problem(expected, response, path), *leaks(actor, response, world)]
    if check_unchanged:
        after = database_rows(app)
        changed = [table for table in before if before[table] != after[table]]
        if changed:
            found.append(f"changed {', '.join(changed)}")
    return [f"{cell.method} {path} ({cell.key}): {problem}" for problem in found if problem]


@pytest.mark.parametrize("actor", ACTORS)
def test_authorization_matrix(app, users, api_headers, actor):
    """Every cell of this actor's row of the table (see the module's docstring)."""
    world = build_world(app, users, api_headers)
    problems = []
    for cell in matrix(app)[0]:
        problems += check(app, world, cell, actor, cell.rule.who[actor], url_of(app, cell, actor, world))
    assert not problems, f"{actor}:\n" + "\n".join(problems)


def test_records_are_found_only_under_their_own_workshop(app, users, api_headers):
    """A record of workshop A (invitation, session, contribution, e-mail batch) asked for under
    workshop B's code is not found and nothing changes: every route that takes a workshop and
    one of its records checks that they belong together. The organizer, who may use every
    route, is the one who tries."""
    world = build_world(app, users, api_headers)
    problems = []
    for cell in matrix(app)[0]:
        if "code" in cell.url_rule.arguments and cell.url_rule.arguments & RECORD_ARGUMENTS:
            path = url_of(app, cell, ORGANIZER, world, code=world.values["other_code"])
            problems += check(app, world, cell, ORGANIZER, NOT_FOUND, path)
    assert not problems, "\n".join(problems)
