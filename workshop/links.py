"""Absolute links that leave the server (e-mails, letters, QR codes)."""
from __future__ import annotations

from flask import current_app, has_request_context, request

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
