"""API rows for the agency directory."""
from dataclasses import asdict

from flask import request

from ..directory import imports, services
from ..directory.forms import ImportForm, OrganizationForm
from ..models import ORGANIZATION_KINDS
from .errors import ApiError
from .routing import choice_arg, endpoint, json_form, paginate, validation_error


def serialize(organization) -> dict:
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


@endpoint("/organizations", "GET", who="staff", summary="List and search agencies")
def list_organizations():
    """`q` matches name, code and leader without Vietnamese accents; `kind` filters."""
    statement = services.search_statement(request.args.get("q"),
                                          choice_arg("kind", ORGANIZATION_KINDS))
    return paginate(statement, serialize)


@endpoint("/organizations", "POST", who="organizer", summary="Add an agency", body=OrganizationForm,
          responses={201: "The agency", 422: "Invalid fields"})
def create_organization():
    """Without `code`, the agency gets a generated one (CQ-<id>) that imports can update."""
    form = json_form(OrganizationForm)
    return serialize(services.create_organization(**form.values())), 201


@endpoint("/organizations/import", "POST", who="organizer",
          summary="Import agencies from a CSV or XLSX file",
          responses={200: "{created, updated}", 422: "invalid_import with every bad row"})
def import_organizations():
    """multipart/form-data with `file`: CSV (UTF-8, with or without BOM, `,` or `;`) or XLSX,
    header row `code, name, kind, parent_code, leader_name, leader_title, email, phone, address`
    (only `name` and `kind` required). A row whose `code` exists updates that agency. Any bad
    row: 422 `invalid_import` listing `rows: [{row, field, message}]`, and nothing is imported."""
    form = ImportForm(meta={"csrf": False})
    if not form.validate():
        raise validation_error(form.errors)
    upload = form.file.data
    try:
        result = imports.import_organizations(upload.filename, upload.read())
    except imports.ImportRejected as rejected:
        raise ApiError(422, "invalid_import", str(rejected),
                       rows=[asdict(problem) for problem in rejected.problems]) from None
    return {"created": result.created, "updated": result.updated}
