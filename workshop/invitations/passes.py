"""New invitations' passes drawn as soon as they are committed, ahead of the first visit.

Drawing a pass's QR code is most of what a personal page costs the first time it is opened
(~1 ms of the page's ~3.5 ms): on the day, that is an invitee at the hall's door opening the
page for the first time on the venue's Wi-Fi. The organizer's import or form that made the
invitation pays it instead, once, and every worker then reads the drawing from the shared store
(workshop/qr.py `pass_svg`): an import of 1,000 invitations takes about a second more.

Walk-ins are left out: they are checked in as they are registered, and have no page to open.
A pass that cannot be drawn or kept now (a full disk) is not an error: the page draws it, as
before. A deputy's own pass (invitations/deputies.py, a plain UPDATE) is drawn on its first
visit: there are a handful a workshop."""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import qr
from ..models import Invitation

_log = logging.getLogger(__name__)
PENDING = "invitations.passes_to_draw"  # Session.info: the pass tokens inserted, not yet committed


@event.listens_for(Invitation, "after_insert")
def _note_new_pass(mapper, connection, invitation: Invitation) -> None:
    if invitation.walk_in or not invitation.pass_token:
        return
    session = Session.object_session(invitation)
    if session is not None:
        session.info.setdefault(PENDING, []).append(invitation.pass_token)


@event.listens_for(Session, "after_commit")
def _draw_after_commit(session: Session) -> None:
    tokens = session.info.pop(PENDING, None)
    if not tokens or not has_app_context() or "pass_qr" not in current_app.extensions:
        return  # nowhere to keep them for the other workers: each page draws its own
    try:
        for token in tokens:
            qr.pass_svg(token)
    except Exception:  # the commit has happened: the pages draw what is missing
        _log.warning("Passes not drawn ahead (%d)", len(tokens), exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
