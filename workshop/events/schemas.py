"""The JSON shapes of workshops and their sessions: what the API takes and answers."""
from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, pre_load

from ..invitations.schemas import phone_rule
from ..models import ROLE_LABELS, TEAM_ROLES, TeamMember, Workshop, WorkshopSession
from ..schemas import Answer, Body, Bool, Choice, Email, Int, LocalDateTime, Num, Str, Text, Time
from ..timeutil import isoformat
from .forms import REGISTER_NUMBER, without_so
from .services import SessionData, WorkshopData


def register_number(value: str | None) -> None:
    """A number of the outgoing register: "125/GM-SKHCN", no spaces, starting with its number."""
    if value and not REGISTER_NUMBER.fullmatch(value):
        raise ValidationError(_("Số giấy mời ghi như trong sổ văn bản đi, ví dụ 125/GM-SKHCN "
                                "(bắt đầu bằng chữ số, không có dấu cách)."))


class WorkshopBody(Body):
    """`POST /workshops`, and the fields a `PATCH` may change."""

    code = Text(max_length=40, strip=True, metadata={"description": _l(
        "Dùng trong đường dẫn, ví dụ iso9001-2014: chữ thường không dấu, chữ số, dấu "
        "gạch ngang. Để trống để hệ thống tự đặt. Không đổi được sau khi tạo.")})
    title = Text(required=True, max_length=500, strip=True,
                 required_message=_l("Vui lòng nhập tên hội thảo."))
    starts_at = LocalDateTime(required=True, required_message=_l("Vui lòng nhập thời gian bắt đầu."))
    ends_at = LocalDateTime()
    venue = Text(required=True, max_length=500, strip=True,
                 required_message=_l("Vui lòng nhập địa điểm."))
    rsvp_deadline = LocalDateTime()
    description = Text(multiline=True, strip=True)
    host_organization_id = Int()
    host_parent_name = Text(max_length=255, strip=True)
    letter_code = Text(max_length=40, strip=True)
    letter_place = Text(max_length=100, strip=True)
    signer_authority = Text(max_length=100, strip=True)
    signer_title = Text(max_length=100, strip=True)
    signer_name = Text(max_length=255, strip=True)
    letter_number = Text(max_length=40, strip=True, validate=[register_number])
    contact_name = Text(max_length=255, strip=True)
    contact_phone = Text(max_length=64, strip=True, validate=[phone_rule])
    contribution_deadline = LocalDateTime()
    previous_code = Text(max_length=40, strip=True)
    deputy_approval = Bool(metadata={"description": _l(
        "Người dự thay phải được Ban tổ chức duyệt trước khi nhận thẻ dự hội thảo.")})

    @pre_load
    def _register_number_without_so(self, data: Any, **kwargs: Any) -> Any:
        """ "Số: 125/GM-SKHCN" typed whole is the number 125/GM-SKHCN: the letter prints "Số:"."""
        if isinstance(data, dict) and isinstance(data.get("letter_number"), str):
            data = {**data, "letter_number": without_so(data["letter_number"].strip()) or ""}
        return data

    @post_load
    def _codes_in_lower_case(self, data: dict, **kwargs: Any) -> dict:
        for name in ("code", "previous_code"):
            if data.get(name):
                data[name] = data[name].lower()
        return data


class WorkshopChanges(WorkshopBody):
    """`PATCH /workshops/<code>`: any field of `POST /workshops` (loaded with partial=True)."""


def workshop_data(values: dict) -> WorkshopData:
    return WorkshopData(**{item.name: values.get(item.name) for item in dataclass_fields(WorkshopData)})


def workshop_values(workshop: Workshop) -> dict:
    """What a `PATCH` keeps of the workshop for the fields its body leaves out."""
    return {item.name: getattr(workshop, item.name) for item in dataclass_fields(WorkshopData)}


class SessionBody(Body):
    """`POST /workshops/<code>/sessions`: the chair is named by the e-mail of their account."""

    title = Text(required=True, max_length=500, strip=True,
                 required_message=_l("Vui lòng nhập tên phiên."))
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    presenter = Text(max_length=255, strip=True)
    chair_email = Email(max_length=255, strip=True)
    moderated = Bool()
    description = Text(multiline=True, strip=True)


def session_data(values: dict) -> SessionData:
    return SessionData(**{item.name: values.get(item.name) for item in dataclass_fields(SessionData)
                          if item.name in values})


class SessionSchema(Answer):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_at = Time()
    ends_at = Time()
    presenter = Str()
    chair_email = Str()
    chair_name = Str()
    moderated = fields.Boolean(required=True)
    open_for_questions = fields.Boolean(required=True)
    description = Str()


class WorkshopSchema(Answer):
    code = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = Time(required=True)
    ends_at = Time()
    venue = Str()
    rsvp_deadline = Time()
    description = Str()
    host_organization_id = Num()
    host_parent_name = Str()
    letter_code = Str()
    letter_place = Str()
    signer_authority = Str()
    signer_title = Str()
    signer_name = Str()
    letter_number = Str()
    contact_name = Str()
    contact_phone = Str()
    contribution_deadline = Time()
    previous_code = Str()
    deputy_approval = fields.Boolean(required=True)
    sessions = fields.List(fields.Nested(SessionSchema), required=True)


def serialize_session(session: WorkshopSession) -> dict:
    return {
        "id": session.id,
        "position": session.position,
        "title": session.title,
        "starts_at": isoformat(session.starts_at),
        "ends_at": isoformat(session.ends_at),
        "presenter": session.presenter,
        "chair_email": session.chair.email if session.chair else None,
        "chair_name": session.chair.name if session.chair else None,
        "moderated": session.moderated,
        "open_for_questions": session.open_for_questions,
        "description": session.description,
    }


def serialize_workshop(workshop: Workshop) -> dict:
    return {
        "code": workshop.code,
        "title": workshop.title,
        "starts_at": isoformat(workshop.starts_at),
        "ends_at": isoformat(workshop.ends_at),
        "venue": workshop.venue,
        "rsvp_deadline": isoformat(workshop.rsvp_deadline),
        "description": workshop.description,
        "host_organization_id": workshop.host_organization_id,
        "host_parent_name": workshop.host_parent_name,
        "letter_code": workshop.letter_code,
        "letter_place": workshop.letter_place,
        "signer_authority": workshop.signer_authority,
        "signer_title": workshop.signer_title,
        "signer_name": workshop.signer_name,
        "letter_number": workshop.letter_number,
        "contact_name": workshop.contact_name,
        "contact_phone": workshop.contact_phone,
        "contribution_deadline": isoformat(workshop.contribution_deadline),
        "previous_code": workshop.previous_code,
        "deputy_approval": workshop.deputy_approval,
        "sessions": [serialize_session(session) for session in workshop.sessions],
    }


# --- the team of a workshop ---------------------------------------------------------------------


class TeamBody(Body):
    """`POST /workshops/<code>/team`: the account, by its e-mail, and its role on this workshop."""

    email = Email(required=True, max_length=255, strip=True,
                  required_message=_l("Vui lòng nhập e-mail của tài khoản."))
    role = Choice(TEAM_ROLES, required=True,
                  required_message=_l("Vui lòng chọn vai trò: chair hoặc staff."),
                  message=_l("Vai trò trong nhóm phải là chair (Chủ trì) hoặc staff (Cán bộ điểm danh)."))


class TeamMemberSchema(Answer):
    id = fields.Integer(metadata={"description": "The member's row, for DELETE"})
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": list(TEAM_ROLES)})
    role_label = fields.String()
    created = fields.Boolean(metadata={"description": "Whether the call added the member "
                                                      "(false: it changed the role)"})


class SessionRefSchema(Answer):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class TeamSchema(Answer):
    items = fields.List(fields.Nested(TeamMemberSchema))
    unchaired_sessions = fields.List(fields.Nested(SessionRefSchema), metadata={
        "description": "After a removal: the sessions the member chaired, now without a chair, "
                       "for the organizer to give them another"})


def serialize_member(member: TeamMember, created: bool = False) -> dict:
    return {"id": member.id, "email": member.user.email, "name": member.user.name,
            "role": member.role, "role_label": str(ROLE_LABELS[member.role]), "created": created}
