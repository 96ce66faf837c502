"""API rows for the agency directory."""
from dataclasses import asdict

from ..directory import imports, services
from ..directory.forms import ImportForm
from ..directory.schemas import (
    ImportedSchema,
    OrganizationArgs,
    OrganizationBody,
    OrganizationSchema,
    serialize,
)
from ..errors import ApiError, validation_error
from ..schemas import page_of, paginate
from .access import allow, bp, refuses

ORGANIZATION_FIELDS = ("name", "kind", "parent_id", "code", "leader_name", "leader_title", "email",
                       "phone", "address", "leader_salutation")


@bp.route("/organizations", methods=["GET"])
@allow("staff")
@bp.arguments(OrganizationArgs, location="query")
@bp.response(200, page_of(OrganizationSchema))
def list_organizations(args: dict):
    """List and search agencies.

    `q` matches name, code and leader without Vietnamese accents; `kind` filters."""
    return paginate(services.search_statement(args["q"], args["kind"]), serialize, args)


@bp.route("/organizations", methods=["POST"])
@allow("organizer")
@bp.arguments(OrganizationBody)
@bp.response(201, OrganizationSchema)
def create_organization(body: dict):
    """Add an agency; without `code`, it gets a generated one (CQ-<id>) that imports can update."""
    values = {name: body[name] for name in ORGANIZATION_FIELDS}
    values["code"] = values["code"].strip() if values["code"] else values["code"]
    return serialize(services.create_organization(**values))


IMPORT_FILE = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}


@bp.route("/organizations/import", methods=["POST"])
@allow("organizer")
@bp.doc(requestBody={"required": True, "content": IMPORT_FILE})
@bp.response(200, ImportedSchema)
@refuses({422: "invalid_import with every bad row, or no file"})
def import_organizations():
    """Import agencies from a CSV or XLSX file.

    multipart/form-data with `file`: CSV (UTF-8, with or without BOM, `,` or `;`) or XLSX,
    header row `code, name, kind, parent_code, leader_name, leader_title, email, phone, address`
    (only `name` and `kind` required). A row whose `code` exists updates that agency. Any bad
    row: 422 `invalid_import` listing `rows: [{row, field, message}]`, and nothing is imported."""
    # The upload is the page's form field: one rule for the file's kind, pages and API alike.
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
