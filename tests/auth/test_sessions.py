"""Staff sessions: the remember cookie is new at every sign-in, ends at
sign-out, has the session's flags; a sign-in or sign-out keeps nothing of the browser's session
but its language; link secrets stay out of the access log."""
from __future__ import annotations

import logging
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from tests import factories
from workshop.accesslog import RedactingGunicornLogger, redact
from workshop.auth.identity import SESSION_INVITATION_KEY
from workshop.extensions import db
from workshop.models import Login

REMEMBER = "remember_token"


@pytest.fixture
def staff(ctx):
    return factories.make_user("staff", email="canbo@example.org")


def sign_in(client, remember: bool = True):
    data = {"email": "canbo@example.org", "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def remember_cookie(response) -> str:
    return next(header for header in response.headers.getlist("Set-Cookie")
                if header.startswith(f"{REMEMBER}="))


def browser_with(app, **cookies):
    """A new browser holding only these cookies (copied from another one)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="localhost")
    return client


def test_the_remember_cookie_is_new_at_every_sign_in(app, staff):
    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second)
    values = {first.get_cookie(REMEMBER).value, second.get_cookie(REMEMBER).value}
    first.post("/logout")
    sign_in(first)
    values.add(first.get_cookie(REMEMBER).value)
    assert len(values) == 3
    assert all(str(staff.id) != value.split("|")[0] for value in values)  # not the bare id


def test_sign_out_ends_the_remember_cookie_and_the_session_everywhere(app, staff):
    browser = app.test_client()
    sign_in(browser)
    remembered = browser.get_cookie(REMEMBER).value
    copied_session = browser.get_cookie("session").value
    assert browser_with(app, remember_token=remembered).get("/workshops/").status_code == 200
    assert browser_with(app, session=copied_session).get("/workshops/").status_code == 200

    out = browser.post("/logout")
    assert any(header.startswith(f"{REMEMBER}=;") for header in out.headers.getlist("Set-Cookie"))
    assert browser.get("/workshops/").status_code == 302
    # A copy of either cookie, taken before the sign-out, no longer signs anyone in.
    assert browser_with(app, remember_token=remembered).get("/workshops/").status_code == 302
    assert browser_with(app, session=copied_session).get("/workshops/").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Login.ended_at).where(Login.user_id == staff.id)) is not None


def test_a_sign_in_past_its_lifetime_no_longer_works(app, staff):
    browser = app.test_client()
    sign_in(browser)
    login = db.session.scalar(select(Login).where(Login.user_id == staff.id))
    login.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert browser.get("/workshops/").status_code == 302


@pytest.mark.parametrize("secure", [True, False])
def test_the_remember_cookie_has_the_session_cookie_flags(make_app, secure):
    app = make_app(SESSION_COOKIE_SECURE=secure)
    with app.app_context():
        factories.make_user("staff", email="canbo@example.org")
        header = remember_cookie(sign_in(app.test_client()))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert ("Secure" in header.split("; ")) is secure
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)


def test_a_staff_sign_in_keeps_nothing_of_the_attendee_but_the_language(app, staff):
    phone = app.test_client()
    with phone.session_transaction() as session:
        session[SESSION_INVITATION_KEY] = "token-of-an-attendee"
        session["lang"] = "en"
        session["anything"] = "else"
    sign_in(phone, remember=False)
    with phone.session_transaction() as session:
        assert SESSION_INVITATION_KEY not in session and "anything" not in session
        assert session["lang"] == "en" and session["_user_id"]


def test_sign_out_keeps_nothing_but_the_language(app, staff):
    phone = app.test_client()
    sign_in(phone, remember=False)
    with phone.session_transaction() as session:
        session[SESSION_INVITATION_KEY] = "token-of-an-attendee"
        session["lang"] = "en"
    phone.post("/logout")
    with phone.session_transaction() as session:
        assert SESSION_INVITATION_KEY not in session and "_user_id" not in session
        assert session["lang"] == "en"


# --- access log ------------------------------------------------------------------------------


def test_redact_hides_the_secrets_of_links():
    assert redact("GET /i/AbC-123_x/questions?session=2 HTTP/1.1") == \
        "GET /i/***/questions?session=2 HTTP/1.1"
    assert redact("/screen/s3cr3t/feed") == "/screen/***/feed"
    assert redact("GET /x?a=1&token=abc&b=2 HTTP/1.1") == "GET /x?a=1&token=***&b=2 HTTP/1.1"
    assert redact("token=abc") == "token=***"
    assert redact("GET /workshops/ht-1/invitations HTTP/1.1") == \
        "GET /workshops/ht-1/invitations HTTP/1.1"


def test_the_gunicorn_access_log_has_no_link_secret(capsys):
    from types import SimpleNamespace

    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '"%(r)s" %(s)s %(U)s %(q)s "%(f)s"')
    logger = RedactingGunicornLogger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/i/tok111/questions?token=tok222",
               "PATH_INFO": "/i/tok111/questions", "QUERY_STRING": "token=tok222",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "https://h/screen/tok333"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    line = capsys.readouterr().out
    assert '"GET /i/***/questions?token=*** HTTP/1.1" 200' in line
    assert "tok1" not in line and "tok2" not in line and "tok3" not in line


def werkzeug_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "werkzeug"]


def test_the_development_server_log_has_no_link_secret(live_server, caplog, monkeypatch):
    # The migrations' logging configuration (run by the fixtures) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", False)
    caplog.set_level(logging.INFO, logger="werkzeug")
    for path in ("/i/tok111/questions", "/screen/tok222/feed", "/healthz?token=tok333"):
        try:
            urllib.request.urlopen(live_server + path, timeout=5).close()  # noqa: S310 (our server)
        except OSError:
            pass  # a 404 is still logged
    deadline = time.monotonic() + 5  # the server thread logs a request after answering it
    while time.monotonic() < deadline and len(werkzeug_lines(caplog)) < 3:
        time.sleep(0.02)
    requests = werkzeug_lines(caplog)
    assert len(requests) == 3, requests
    assert any("/i/***/questions" in message for message in requests)
    assert not any(secret in message for message in requests
                   for secret in ("tok111", "tok222", "tok333")), requests
