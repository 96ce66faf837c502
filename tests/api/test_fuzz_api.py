"""Schemathesis against /api/v1/openapi.json, in process, with real credentials: no input
gives a server error, every refusal is the contract's JSON error and changes nothing.

One test per operation, each on a fresh database; the cases of each are drawn with Hypothesis
inside the test, so that the per-test fixtures (database, accounts) are built once per test."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests import factories
from workshop.api.openapi import _openapi_path
from workshop.api.routing import ATTENDEE, ENDPOINTS, STAFF_ROLES
from workshop.auth.services import create_api_token
from workshop.extensions import db
from workshop.models import Question

# Scans are audited whether or not they check anyone in (CheckInAttempt), by design.
AUDIT_TABLES = ("checkin_attempts",)
OPERATIONS = [(_openapi_path(ep.rule)[0], ep.method, ep.who) for ep in ENDPOINTS]


@pytest.fixture
def world(ctx, users):
    """A workshop with a moderated and an open session, an invitation and a question, and the
    credentials of an organizer and of that invitee."""
    workshop = factories.make_workshop(code="fuzz-ht")
    workshop.sessions[0].moderated = True
    invitation = factories.make_invitee(workshop, status="sent")
    question = Question(workshop_id=workshop.id, session_id=workshop.sessions[1].id,
                        invitation_id=invitation.id, text="Câu hỏi có sẵn để thử")
    db.session.add(question)
    db.session.commit()
    return {
        "path": {"code": workshop.code, "question_id": question.id,
                 "session_id": workshop.sessions[1].id, "invitation_id": invitation.id},
        "staff": {"Authorization": f"Bearer {create_api_token(users['organizer'])}"},
        "attendee": {"X-Invitation-Token": invitation.token},
    }


@pytest.mark.parametrize(("path", "method", "who"), OPERATIONS,
                         ids=[f"{method} {path}" for path, method, _who in OPERATIONS])
def test_operation_never_fails_and_refusals_change_nothing(app, world, path, method, who):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    attendee_only = ATTENDEE in who and not any(role in STAFF_ROLES for role in who)
    headers = world["attendee"] if attendee_only else world["staff"]
    parameters = {name: world["path"][name] for name in world["path"] if "{" + name + "}" in path}
    cases = st.one_of(*(operation.as_strategy(mode, path_parameters=parameters or None)
                        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))

    @given(case=cases)
    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        before = factories.database_snapshot(ignore=AUDIT_TABLES)
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])
        if response.status_code >= 400:
            error = response.json()["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
            assert factories.database_snapshot(ignore=AUDIT_TABLES) == before, case.as_curl_command()

    check()
