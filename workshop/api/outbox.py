"""API row for e-mailing invitations: POST /workshops/<code>/invitations/send (CONTRACT.md)."""
from flask import request
from sqlalchemy import select

from ..extensions import db
from ..models import Workshop
from ..outbox import services
from ..outbox.forms import SendForm
from .errors import ApiError
from .routing import endpoint, json_form


@endpoint("/workshops/<code>/invitations/send", "POST", who="organizer",
          summary="Queue the invitation e-mails", body=SendForm,
          responses={202: "Queued: {queued, batch}", 404: "No such workshop"})
def send_invitation_emails(code: str):
    """`ids` chooses invitations (sent again if already e-mailed, e.g. a failed one); without
    it, every invitation with an e-mail address that was never e-mailed, whatever its answer:
    "e-mailed" means a mail server accepted one of its e-mails, so an invitation whose e-mails
    all failed is sent again, and one whose e-mail still waits in the outbox is skipped. The
    e-mails are delivered afterwards by `flask outbox send`; `batch` names this send's progress.
    Queueing changes no `status`: an invitation becomes `sent` when its e-mail is accepted."""
    workshop = db.one_or_404(select(Workshop).where(Workshop.code == code))
    # The whole body is optional: no body means the default selection.
    if request.get_data(cache=True).strip():
        form = json_form(SendForm)
    else:
        form = SendForm(formdata=None, meta={"csrf": False})
    try:
        result = services.queue_invitation_emails(workshop, form.ids.data or None)
    except services.OutboxError as error:
        raise ApiError(422, "invalid", str(error), fields=[{"field": "ids", "message": str(error)}]) from None
    return {"queued": result.queued, "batch": result.batch}, 202
