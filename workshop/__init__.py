"""The workshop application: invitations, check-in, questions and lessons for review workshops."""
from __future__ import annotations

import time
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, sqlite  # noqa: F401  sqlite: its connection listeners
from .accesslog import install_werkzeug_filter
from .extensions import babel, csrf, db, limiter, login_manager, migrate

LOCALES = ("vi", "en")
# One folder per feature, each with a `views.py` that holds its blueprint `bp`.
FEATURES = ("main", "auth", "directory", "events", "invitations", "letters", "outbox", "checkin",
            "questions", "feedback", "summary", "minutes", "audit", "documents", "tasks",
            "seating")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_PATH),
        template_folder=str(config.REPO_ROOT / "templates"),
        static_folder=str(config.REPO_ROOT / "static"),
    )
    if test_config and "INSTANCE_PATH" in test_config:
        app.instance_path = str(test_config["INSTANCE_PATH"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
        if test_config.get("MAIL_SERVER") and "MAIL_CONFIGURED" not in test_config:
            app.config["MAIL_CONFIGURED"] = True  # a mail server named in the configuration
    from . import live
    from .polls import PollGate

    # Inside ProxyFix: a poll answered 304 never reaches Flask, its session or its extensions.
    app.wsgi_app = PollGate(app, app.wsgi_app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    live.init_app(app)
    migrate.init_app(app, db, directory=str(config.REPO_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _init_i18n(app)
    _init_login(app)

    from importlib import import_module

    from . import api, assets, core, expired_session, qr, security

    app.url_map.converters["int"] = core.IdConverter
    for feature in FEATURES:
        app.register_blueprint(import_module(f".{feature}.views", __name__).bp)
    api.init_app(app)

    core.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    qr.init_app(app)
    from .invitations import passes  # noqa: F401  (new passes drawn once committed)
    expired_session.init_app(app)
    install_werkzeug_filter()  # `flask run` logs requests: without the secrets of links

    from .cli import register

    register(app)
    return app


# A pooled connection unused for this long is tried (SELECT 1) before it is handed out, and
# replaced when it fails: the database restarted, or a firewall dropped the idle connection.
# pool_pre_ping would try it on every checkout, a round trip more on every request (a scan at
# the door is six statements); a connection in steady use is known to work. A restart while
# the workers are busy fails the requests of that moment, as it would in any case, and the
# pool replaces the connections that failed.
IDLE_PING_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _note_return(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        connection_record.info["returned_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    returned = connection_record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
        return  # new, or back from a request a moment ago
    ping(dbapi_connection)  # the pool connects anew and checks out again when it fails


def ping(dbapi_connection) -> None:
    """Try a connection left idle (SELECT 1); DisconnectionError when it no longer works."""
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as error:  # whatever the driver raises, this connection is unusable
        raise DisconnectionError() from error


def select_locale() -> str:
    """The language chosen on this browser, else WORKSHOP_LOCALE (Vietnamese)."""
    if has_request_context():
        return chosen_locale(session.get("lang"), request.args.get("lang"),
                             current_app.config["WORKSHOP_LOCALE"])
    return chosen_locale(None, None, current_app.config["WORKSHOP_LOCALE"])


def chosen_locale(in_session: str | None, in_query: str | None, default: str) -> str:
    """The one rule, also read by the poll gate (workshop/polls.py) before Flask runs."""
    for chosen in (in_session, in_query):
        if chosen in LOCALES:
            return chosen
    return default if default in LOCALES else "vi"


def _init_i18n(app: Flask) -> None:
    from .i18n import compile_catalogs, install_page_gettext

    translations = config.REPO_ROOT / "translations"
    compile_catalogs(translations)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_timezone="Asia/Ho_Chi_Minh",
        default_translation_directories=str(translations),
    )
    install_page_gettext(app)


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from .auth.identity import SessionInterface
    from .auth.services import user_for_login
    from .models import User

    app.session_interface = SessionInterface()  # a Bearer call has none (auth/identity.py)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(login_id: str) -> User | None:
        """The session and the remember cookie carry a sign-in, not an account id."""
        return user_for_login(login_id)
