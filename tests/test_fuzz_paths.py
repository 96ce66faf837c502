"""Hypothesis on the paths where outsiders' input lands: the directory import, the answer to an
invitation, questions and check-in. No input gives a server error or another exception, and a
refused request changes nothing.

Each property builds its world once per test (function-scoped fixtures) and only reads or
refuses between examples, or states what may change; hence the suppressed health check."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from workshop.auth.services import create_api_token
from workshop.directory.imports import COLUMNS, ImportRejected, import_organizations
from workshop.extensions import db
from workshop.models import CheckIn, Organization, Question
from workshop.timeutil import LOCAL_TZ

from . import factories

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Scans are audited whether or not they check anyone in (CheckInAttempt), by design.
AUDIT_TABLES = ("checkin_attempts",)

# Text as people and broken programs send it: Vietnamese, control characters, surrogates
# excluded (JSON cannot carry them), sometimes very long.
any_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=3000),
    st.sampled_from(["", " ", "\x00", "\u202e", "Phổ Yên", "<script>alert(1)</script>",
                     "' OR 1=1 --", "9" * 40, "-1", "0", "1e309", "NaN"]),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        any_text)
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- Directory import --------------------------------------------------------------------

def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


kinds = st.sampled_from(["department", "district", "Sở", "huyện", "other", "", "phường", "x"])
cell = st.one_of(any_text, st.sampled_from(["SO-1", "SO-2", "HUYEN-1", "a@b.vn", "khong-email"]))
header = st.one_of(st.just(list(COLUMNS)), st.just(["name", "kind"]),
                   st.lists(st.sampled_from(COLUMNS), max_size=9), st.lists(any_text, max_size=5))
well_formed_row = st.tuples(st.text(min_size=1, max_size=60), kinds).map(list)
table = st.builds(lambda head, body: [head, *body], header,
                  st.lists(st.one_of(well_formed_row, st.lists(st.one_of(cell, kinds), max_size=10)),
                           max_size=6))
import_files = st.one_of(
    st.binary(max_size=400),
    st.builds(_csv, table),
    any_text.map(lambda text: text.encode("utf-8")),
    st.builds(lambda rows: b"\xef\xbb\xbf" + _csv(rows), table),
    st.builds(lambda rows: _csv(rows).replace(b",", b";"), table),
)


@FUZZ
@given(content=import_files, filename=st.sampled_from(["danh-ba.csv", "danh-ba.xlsx", "a.xls", ""]))
def test_import_accepts_or_rejects_whole_files(ctx, content, filename):
    before = factories.database_snapshot()
    try:
        result = import_organizations(filename, content)
    except ImportRejected as rejected:
        event("import rejected")
        db.session.rollback()
        assert rejected.problems
        assert factories.database_snapshot() == before
    else:
        event("import accepted")
        assert result.created + result.updated >= 1
        assert _count(Organization) == len(before["organizations"]) + result.created


# --- RSVP ----------------------------------------------------------------------------------

rsvp_bodies = st.one_of(
    json_value,
    st.fixed_dictionaries({"response": st.one_of(st.sampled_from(["accept", "decline", "delegate"]),
                                                 st.sampled_from(["accept", "delegate"]),
                                                 json_value)},
                          optional={"delegate_name": json_value, "delegate_title": json_value,
                                    "delegate_phone": json_value}),
)


@pytest.fixture
def invitees(ctx):
    """An invitation whose answers are open and one whose RSVP deadline has passed."""
    open_ = factories.make_invitee(factories.make_workshop(sessions=0), status="sent")
    closed = factories.make_invitee(factories.make_workshop(
        sessions=0, rsvp_deadline=datetime(2020, 1, 1, tzinfo=LOCAL_TZ)), status="sent")
    return {False: open_, True: closed}


@FUZZ
@given(body=rsvp_bodies, closed=st.booleans())
def test_rsvp_answers_or_refuses_without_change(client, invitees, body, closed):
    invitation = invitees[closed]
    before = factories.database_snapshot()
    response = client.post("/api/v1/rsvp", json=body,
                           headers={"X-Invitation-Token": invitation.token})
    event(f"rsvp {response.status_code}")
    assert response.status_code in (200, 400, 409, 422), response.get_data(as_text=True)
    if response.status_code == 200:
        db.session.refresh(invitation)
        assert invitation.status == {"accept": "accepted", "decline": "declined",
                                     "delegate": "delegated"}[body["response"]]
    else:
        assert response.get_json()["error"]["code"]
        assert factories.database_snapshot() == before


# --- Questions -----------------------------------------------------------------------------

@pytest.fixture
def hall(ctx, users):
    """Two workshops, each with an invitee; the first has a moderated and an open session."""
    workshop, other = factories.make_workshop(), factories.make_workshop()
    workshop.sessions[0].moderated = True
    db.session.commit()
    return SimpleNamespace(
        workshop=workshop, other=other,
        invitation=factories.make_invitee(workshop, status="accepted"),
        stranger=factories.make_invitee(other, status="accepted"),
        staff={"Authorization": f"Bearer {create_api_token(users['staff'])}"},
    )


# Database ids are 32-bit or 64-bit integers; see the report for larger ones.
small_ints = st.integers(min_value=-2**31, max_value=2**31 - 1)


@FUZZ
@given(data=st.data())
def test_question_is_posted_or_refused_without_change(client, hall, data):
    sessions = [s.id for s in hall.workshop.sessions + hall.other.sessions]
    body = data.draw(st.one_of(json_value, st.fixed_dictionaries({
        "session_id": st.one_of(st.sampled_from(sessions), st.sampled_from(sessions[:2]),
                                small_ints, any_text, json_value),
        "text": st.one_of(any_text, st.text(min_size=1, max_size=1000), json_value),
    }, optional={"anonymous": st.one_of(st.booleans(), json_value)})))
    code = data.draw(st.sampled_from([hall.workshop.code, hall.workshop.code, hall.other.code]))
    before = factories.database_snapshot()
    response = client.post(f"/api/v1/workshops/{code}/questions", json=body,
                           headers={"X-Invitation-Token": hall.invitation.token})
    event(f"question {response.status_code}")
    assert response.status_code in (201, 400, 403, 404, 409, 422), response.get_data(as_text=True)
    if response.status_code == 201:
        assert response.get_json()["status"] in ("visible", "pending")
        assert _count(Question) == len(before["questions"]) + 1
    else:
        assert response.get_json()["error"]["code"]
        assert factories.database_snapshot() == before


# --- Check-in ------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_checkin_is_once_and_unknown_tokens_check_in_nobody(client, hall, data):
    known = [hall.invitation.pass_token, hall.invitation.token, hall.invitation.short_code,
             hall.stranger.pass_token]
    body = data.draw(st.one_of(json_value, st.fixed_dictionaries({
        "token": st.one_of(st.sampled_from(known), st.sampled_from(known), any_text, json_value),
    }, optional={
        "client_id": st.one_of(st.sampled_from(["may-1", "may-2"]), any_text, json_value),
        "scanned_at": st.one_of(st.datetimes().map(datetime.isoformat), any_text, json_value),
    })))
    before = factories.database_snapshot(ignore=AUDIT_TABLES)
    response = client.post(f"/api/v1/workshops/{hall.workshop.code}/checkins", json=body,
                           headers=hall.staff)
    event(f"check-in {response.status_code}")
    assert response.status_code in (200, 400, 404, 409, 422), response.get_data(as_text=True)
    answer = response.get_json()
    if response.status_code == 200:
        assert answer["result"] in ("checked_in", "already_checked_in")
        assert answer["invitation_id"] == hall.invitation.id
    else:
        assert answer["error"]["code"]
        assert factories.database_snapshot(ignore=AUDIT_TABLES) == before
    assert db.session.scalars(select(CheckIn.invitation_id)).all() in ([], [hall.invitation.id])
