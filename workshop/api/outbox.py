"""API row for e-mailing invitations: POST /workshops/<code>/invitations/send (CONTRACT.md)."""
from ..errors import field_error
from ..events.services import workshop_or_404
from ..outbox import services
from ..outbox.schemas import QueuedSchema, SendBody
from .access import allow, bp, refuses


@bp.route("/workshops/<code>/invitations/send", methods=["POST"])
@allow("organizer")
@bp.arguments(SendBody, required=False)
@bp.response(202, QueuedSchema)
@refuses({404: "No such workshop"})
def send_invitation_emails(body: dict, code: str):
    """Queue the invitation e-mails.

    `ids` chooses invitations (sent again if already e-mailed, e.g. a failed one); without
    it, every invitation with an e-mail address that was never e-mailed, whatever its answer:
    "e-mailed" means a mail server accepted one of its e-mails, so an invitation whose e-mails
    all failed is sent again, and one whose e-mail still waits in the outbox is skipped. The
    e-mails are delivered afterwards by `flask outbox send`; `batch` names this send's progress.
    Queueing changes no `status`: an invitation becomes `sent` when its e-mail is accepted."""
    workshop = workshop_or_404(code)
    try:
        result = services.queue_invitation_emails(workshop, body.get("ids") or None)
    except services.OutboxError as error:
        raise field_error("ids", str(error)) from None
    return {"queued": result.queued, "batch": result.batch}
