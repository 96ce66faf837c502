"""Schemathesis against /api/v1/openapi.json, in process, with real credentials: no input
gives a server error, every answer has a status, content type and body that the document
declares for the operation, every refusal is the contract's JSON error and changes nothing.

One test per operation, each on a fresh database; the cases of each are drawn with Hypothesis
inside the test, so that the per-test fixtures (database, accounts) are built once per test."""
from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from workshop import create_app
from workshop.auth.services import create_api_token
from workshop.extensions import db
from workshop.models import Question

# Scans are audited whether or not they check anyone in (CheckInAttempt), by design.
AUDIT_TABLES = ("checkin_attempts",)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _operations() -> list[tuple[str, str, bool]]:
    """Every operation of the document: its path, method, and whether only an invitee may call."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": instance,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return [(path, method.upper(), operation["security"] == [{"invitationToken": []}])
            for path, item in spec["paths"].items()
            for method, operation in item.items() if method != "parameters"]


OPERATIONS = _operations()


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


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) >= 33
    assert ("/api/v1/workshops/{code}/checkins", "POST", False) in OPERATIONS
    assert ("/api/v1/rsvp", "POST", True) in OPERATIONS


@pytest.mark.parametrize(("path", "method", "attendee_only"), OPERATIONS,
                         ids=[f"{method} {path}" for path, method, _who in OPERATIONS])
def test_operation_answers_as_documented_and_refusals_change_nothing(app, world, path, method,
                                                                     attendee_only):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
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
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
            assert factories.database_snapshot(ignore=AUDIT_TABLES) == before, case.as_curl_command()

    check()


def test_every_operation_documents_its_answers(client):
    """A body schema for each success, and the contract's error shape for any other status."""
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            successes = {status: answer for status, answer in operation["responses"].items()
                         if status.startswith("2")}
            assert successes, f"{method} {path}"
            for status, answer in successes.items():
                (content,) = answer["content"].values()
                assert content["schema"], f"{method} {path} {status}"
            assert operation["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
