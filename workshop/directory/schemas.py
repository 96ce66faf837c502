"""The JSON shapes of the agency directory."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from ..models import ORGANIZATION_KINDS, SALUTATIONS, Organization
from ..schemas import (
    Answer,
    Body,
    Choice,
    Email,
    Int,
    Num,
    PageArgs,
    QueryChoice,
    Str,
    Text,
)
from . import services


def _code_free(code: str | None) -> None:
    problem = services.code_problem(code.strip()) if code else None
    if problem:
        raise ValidationError(problem)


def _parent_known(parent_id: int | None) -> None:
    problem = services.parent_problem(parent_id) if parent_id is not None else None
    if problem:
        raise ValidationError(problem)


def _text(column: str, **kwargs) -> Text:
    return Text(max_length=services.max_length(column), **kwargs)


class OrganizationBody(Body):
    """`POST /organizations`; without `code`, the agency gets a generated one (CQ-<id>)."""

    name = _text("name", required=True, required_message=_l("Vui lòng nhập tên cơ quan."))
    kind = Choice(ORGANIZATION_KINDS, required=True, required_message=_l("Vui lòng chọn loại cơ quan."),
                  message=_l("Loại cơ quan không hợp lệ."))
    parent_id = Int(validate=[_parent_known],
                    error_messages={"invalid": _l("Cơ quan cấp trên không hợp lệ.")})
    code = _text("code", validate=[_code_free])
    leader_name = _text("leader_name")
    leader_title = _text("leader_title")
    leader_salutation = Choice(SALUTATIONS, message=_l("Lựa chọn không hợp lệ."))
    email = Email(max_length=services.max_length("email"))
    phone = _text("phone")
    address = _text("address")


class OrganizationArgs(PageArgs):
    q = Text(max_length=200)
    kind = QueryChoice(ORGANIZATION_KINDS)


class OrganizationSchema(Answer):
    id = fields.Integer(required=True)
    code = Str()
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_id = Num()
    leader_name = Str()
    leader_title = Str()
    leader_salutation = Str()
    email = Str()
    phone = Str()
    address = Str()


class ImportedSchema(Answer):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)


def serialize(organization: Organization) -> dict:
    return {
        "id": organization.id,
        "code": organization.code,
        "name": organization.name,
        "kind": organization.kind,
        "parent_id": organization.parent_id,
        "leader_name": organization.leader_name,
        "leader_title": organization.leader_title,
        "leader_salutation": organization.leader_salutation,
        "email": organization.email,
        "phone": organization.phone,
        "address": organization.address,
    }
