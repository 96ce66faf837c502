"""A draft deleted at the very moment its pass is scanned at the door: the check-in is
attendance on record, and the deletion must not take it with it (a cascade)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import insert, select

from tests import factories
from workshop.extensions import db
from workshop.invitations import inviting
from workshop.invitations.services import InvitationError
from workshop.models import CheckIn, Invitation
from workshop.timeutil import utcnow


def test_a_draft_deleted_while_its_check_in_is_being_written_keeps_the_check_in(app):
    """The scan's check-in is written, not yet committed, on a connection of its own (another
    phone's request); the organizer deletes the draft meanwhile. Once the scan commits, the
    deletion is refused with its message and the check-in stays. Checked before the scan's
    commit, the deletion found no check-in and deleted the one committed in between."""
    with app.app_context():
        workshop = factories.make_workshop()
        invitation = factories.make_invitee(workshop, status="draft")
        invitation_id, workshop_id = invitation.id, workshop.id
        db.session.remove()
        scan = db.engine.connect()
        scan.begin()
        scan.execute(insert(CheckIn).values(invitation_id=invitation_id, workshop_id=workshop_id,
                                            checked_in_at=utcnow(), recorded_at=utcnow(),
                                            method="scan"))
        outcome: list = []

        def organizer():
            try:
                with app.app_context():
                    try:
                        inviting.delete_invitation(db.session.get(Invitation, invitation_id))
                        outcome.append("deleted")
                    except InvitationError as refused:
                        outcome.append(refused.message)
                    finally:
                        db.session.remove()
            except BaseException as error:  # noqa: BLE001 (reported below)
                outcome.append(error)

        thread = threading.Thread(target=organizer)
        thread.start()
        time.sleep(1.0)  # the organizer's request is waiting for the scan by now
        scan.commit()
        scan.close()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert outcome == ["Đại biểu của giấy mời này đã điểm danh tại hội trường; không xóa "
                           "được giấy mời."]
        assert db.session.get(Invitation, invitation_id) is not None
        assert db.session.scalar(select(CheckIn.id).where(CheckIn.invitation_id == invitation_id))
