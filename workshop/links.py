"""Absolute links that leave the server (e-mails, letters, QR codes)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for

from .models import Invitation


def base_url() -> str:
    """BASE_URL when configured (e-mails sent from the CLI need it), else the request's origin."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://127.0.0.1:5000"


def personal_url(invitation: Invitation) -> str:
    """The invitee's personal link: the secret token is the only key to their page."""
    return f"{base_url()}/i/{invitation.token}"


def safe_next(target: str | None) -> str:
    """A path on this site to go back to after signing in or switching language, else home.

    Anything that a browser could read as another site is refused: a scheme or host, "//", a
    backslash, or a control character (browsers drop tabs and newlines, so "/\t/evil" would
    become "//evil")."""
    if (target and target.startswith("/") and not any(ch < " " or ch == "\\" for ch in target)
            and not target.startswith("//")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")
