"""The documents for signed-in browsers: `/workshops/<code>/documents/<name>.docx` and `….pdf`,
the same files as the API's, for the buttons of the letter, invitation and summary pages."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.rights import can_act_on
from ..events.services import workshop_or_404
from . import registry

bp = Blueprint("documents", __name__, url_prefix="/workshops/<code>/documents")


def _send(code: str, name: str, kind: str):
    document = registry.find(name) or abort(404, _("Không có văn bản này."))
    if not can_act_on(current_user, code, document.reader):  # its role, on this workshop
        abort(403)
    workshop = workshop_or_404(code)
    try:
        return registry.attachment(registry.make(document, workshop, kind, request.args))
    except registry.DocumentError as error:
        abort(400, error.message)
    except registry.DocumentNotFound as error:
        abort(404, error.message)


@bp.get("/<name>.pdf")
@login_required
def pdf(code: str, name: str):
    return _send(code, name, "pdf")


@bp.get("/<name>.docx")
@login_required
def docx(code: str, name: str):
    return _send(code, name, "docx")
