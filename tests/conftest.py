"""Fixtures: a migrated database per test run, a fresh copy per test, clients per role.

SQLite (the default): the migrated database file is copied for every test.
PostgreSQL (TEST_DATABASE_URL set): a uniquely named database is created for the run, built
with the migrations, emptied after every test and dropped at the end.
"""
from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from workshop import create_app
from workshop.auth.services import create_api_token, start_login
from workshop.config import database_url
from workshop.extensions import db

from . import factories

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 1,
    # One PBKDF2 round instead of scrypt: every fixture account would otherwise cost ~0.45 s.
    # test_auth.py checks the production method once.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
}


def _app_for(url: str, instance: Path, **overrides):
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                       "INSTANCE_PATH": instance, **overrides})


def _migrate(url: str, instance: Path) -> None:
    app = _app_for(url, instance)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def pytest_collection_modifyitems(items):
    """A test marked `postgresql` checks what only PostgreSQL has: on SQLite, said skipped."""
    if os.environ.get("TEST_DATABASE_URL"):
        return
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: set TEST_DATABASE_URL"))


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The URL of this run's migrated database (PostgreSQL) or template file (SQLite)."""
    instance = tmp_path_factory.mktemp("instance")
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        template = tmp_path_factory.mktemp("db") / "template.db"
        _migrate(f"sqlite:///{template}", instance)
        yield {"kind": "sqlite", "template": template}
        return
    admin_url = make_url(database_url(server))
    name = f"workshop_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url, instance)
        yield {"kind": "postgresql", "url": url}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url_for_test(database, tmp_path) -> str:
    if database["kind"] == "sqlite":
        copy = tmp_path / "test.db"
        shutil.copyfile(database["template"], copy)
        return f"sqlite:///{copy}"
    return database["url"]


@pytest.fixture
def make_app(database, database_url_for_test, tmp_path):
    """Build an app on this test's database, with extra configuration if a test needs it."""
    apps = []

    def factory(**overrides):
        app = _app_for(database_url_for_test, tmp_path / "instance", **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if database["kind"] == "postgresql":
        _empty_postgresql(database["url"])


def _empty_postgresql(url: str) -> None:
    """Every row gone and every id counter back at 1, as in a fresh copy of the SQLite template.
    DELETE, not TRUNCATE: TRUNCATE gives each table and index a new file, which cost ~0.8 s per
    test here, most of a PostgreSQL run; deleting a test's few rows takes milliseconds."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):  # children before their parents
            connection.execute(table.delete())
        connection.execute(text(
            "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)"
            " FROM pg_sequences WHERE schemaname = current_schema()"))
    engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    # Tests push one app context for many requests; Flask-Login caches the user in `g` there.
    app.before_request(_forget_cached_login)
    return app


def _forget_cached_login() -> None:
    g.pop("_login_user", None)


@pytest.fixture
def ctx(app):
    """An application context, for tests that call services and factories directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login_as(client, user) -> None:
    """Sign a test client in as `user` without going through the form (the form has its tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = start_login(user)
        session["_fresh"] = True


@pytest.fixture
def users(ctx):
    """One account per role."""
    return {role: factories.make_user(role) for role in ("organizer", "chair", "staff")}


@pytest.fixture
def client_as(app, users):
    """client_as("chair") is a test client signed in as that role's account."""

    def make(role: str):
        client = app.test_client()
        login_as(client, users[role])
        return client

    return make


@pytest.fixture
def api_headers(ctx, users):
    """api_headers("staff") gives the Bearer header of a fresh API token for that role."""

    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_api_token(users[role])}"}

    return make


@pytest.fixture
def live_server(app):
    """The test's app served on 127.0.0.1:<free port>, threaded like a real server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
