"""The health checks (`/healthz` answers without the database: load balancers and the bench's
baseline), the language switch and the home page."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ..extensions import db

bp = Blueprint("main", __name__)


@bp.get("/healthz")
def healthz():
    """Answers without touching the database: for load balancers and as the bench baseline."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.get("/lang/<code>")
def set_language(code: str):
    from .. import LOCALES

    if code in LOCALES:
        session["lang"] = code
    from ..links import safe_next

    target = safe_next(request.args.get("next"))
    return redirect(target)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("events.list_workshops"))
    return redirect(url_for("auth.login"))
