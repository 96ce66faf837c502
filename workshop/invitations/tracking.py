"""The organizer's tracking of the invitations: the tracking workbook (the counts themselves are
`attendance()`, their one home)."""
from __future__ import annotations

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from ..attendance import attendance
from ..extensions import db
from ..models import INVITATION_STATUSES, STATUS_LABELS, Invitation, Workshop
from ..office.sheets import add_sheet, workbook_bytes, workshop_heading
from .services import list_invitations


def pending_deputies(workshop: Workshop) -> int:
    """How many deputies wait for the organizer's decision: the dashboard and the tracking page
    say so, since nothing else tells the organizer that an invitee named one."""
    return db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.workshop_id == workshop.id, Invitation.deputy_state == "pending")) or 0


def tracking_xlsx(workshop: Workshop) -> bytes:
    """The tracking view as a workbook: every invitation, the counts by kind, and the agencies
    nobody will represent."""
    workbook = Workbook()
    header = [_("Số giấy mời"), _("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Người được mời"),
              _("Chức vụ"), _("E-mail"), _("Điện thoại"), _("Trạng thái"), _("Người dự thay"),
              _("Chức vụ người dự thay"), _("Điện thoại người dự thay"), _("Trả lời lúc"),
              _("Điểm danh lúc")]
    rows = []
    for invitation in list_invitations(workshop):
        organization = invitation.organization
        rows.append([
            invitation.letter_number, organization.name if organization else None,
            organization.kind_label if organization else None, invitation.name, invitation.title,
            invitation.email, invitation.phone, invitation.status_label, invitation.delegate_name,
            invitation.delegate_title, invitation.delegate_phone,
            invitation.responded_at,
            invitation.checkin.checked_in_at if invitation.checkin else None,
        ])
    heading = workshop_heading(workshop)
    add_sheet(workbook, _("Giấy mời"), header, rows, first=True, heading=heading)

    counts = attendance(workshop)
    add_sheet(
        workbook, _("Tổng hợp"),
        [_("Loại cơ quan"), _("Đã mời")] + [str(STATUS_LABELS[s]) for s in INVITATION_STATUSES],
        [[numbers.label, numbers.invited] + [numbers.by_status[s] for s in INVITATION_STATUSES]
         for numbers in counts.invited_kinds.values()]
        + [[_("Tổng cộng"), counts.invited] + [counts.by_status[s] for s in INVITATION_STATUSES]],
        heading=heading,
    )
    add_sheet(
        workbook, _("Chưa có ai dự"),
        [_("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Lãnh đạo"), _("Điện thoại"),
         _("Không tham dự"), _("Chưa trả lời")],
        [[agency.organization.name, agency.organization.kind_label, agency.organization.leader_name,
          agency.organization.phone, agency.declined, agency.unanswered]
         for agency in counts.without_anyone],
        heading=heading,
    )
    return workbook_bytes(workbook)
