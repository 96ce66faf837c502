"""The organizer's tracking of the invitations: the counts by state and agency kind, the agencies
nobody will represent, and the tracking workbook."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from ..attendance import AgencyWithoutAnyone, agencies_without_anyone
from ..extensions import db
from ..models import (
    INVITATION_STATUSES,
    KIND_LABELS,
    ORGANIZATION_KINDS,
    STATUS_LABELS,
    Invitation,
    Organization,
    Workshop,
)
from ..office import add_sheet, workbook_bytes, workshop_heading
from .services import COMING, UNANSWERED, _kind, list_invitations

# --- tracking -------------------------------------------------------------------------------


@dataclass
class StatusCounts:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(INVITATION_STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unanswered(self) -> int:
        return sum(self.counts[status] for status in UNANSWERED)

    @property
    def coming(self) -> int:
        return sum(self.counts[status] for status in COMING)


@dataclass
class InvitationCounts:
    by_status: StatusCounts
    by_kind: dict[str, StatusCounts]  # only the kinds that have invitations, in directory order


def invitation_counts(workshop: Workshop) -> InvitationCounts:
    """Invitations by state, overall and by agency kind, from one grouped query."""
    kind = _kind()
    rows = db.session.execute(
        select(kind, Invitation.status, func.count(Invitation.id))
        .select_from(Invitation)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .where(Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False))
        .group_by(kind, Invitation.status)
    )
    overall, by_kind = StatusCounts(), {}
    for row_kind, status, count in rows:
        overall.counts[status] += count
        by_kind.setdefault(row_kind, StatusCounts()).counts[status] += count
    ordered = {k: by_kind[k] for k in ORGANIZATION_KINDS if k in by_kind}
    return InvitationCounts(overall, ordered)


def agencies_not_coming(workshop: Workshop) -> list[AgencyWithoutAnyone]:
    """The invited agencies without anyone (one definition: workshop/attendance.py): the
    agencies to chase."""
    return agencies_without_anyone(workshop)


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

    counts = invitation_counts(workshop)
    add_sheet(
        workbook, _("Tổng hợp"),
        [_("Loại cơ quan"), _("Đã mời")] + [str(STATUS_LABELS[s]) for s in INVITATION_STATUSES],
        [[str(KIND_LABELS[kind]), numbers.total] + [numbers.counts[s] for s in INVITATION_STATUSES]
         for kind, numbers in counts.by_kind.items()]
        + [[_("Tổng cộng"), counts.by_status.total]
           + [counts.by_status.counts[s] for s in INVITATION_STATUSES]],
        heading=heading,
    )
    add_sheet(
        workbook, _("Chưa có ai dự"),
        [_("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Lãnh đạo"), _("Điện thoại"),
         _("Không tham dự"), _("Chưa trả lời")],
        [[agency.organization.name, agency.organization.kind_label, agency.organization.leader_name,
          agency.organization.phone, agency.declined, agency.unanswered]
         for agency in agencies_not_coming(workshop)],
        heading=heading,
    )
    return workbook_bytes(workbook)
