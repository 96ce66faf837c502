"""Directory pages: the list with search, add and edit, import with a preview, export."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.decorators import role_required
from ..expired_session import keeps_input
from ..extensions import db
from ..models import KIND_LABELS, ORGANIZATION_KINDS, Organization
from ..office import download
from . import imports, services
from .forms import ConfirmImportForm, ImportForm, OrganizationForm

bp = Blueprint("directory", __name__, url_prefix="/directory")



def _uploads() -> Path:
    return Path(current_app.instance_path) / "imports"


def _filters() -> tuple[str, str | None]:
    kind = request.args.get("kind")
    return request.args.get("q", "").strip(), kind if kind in ORGANIZATION_KINDS else None


@bp.get("/")
@role_required("staff")
def index():
    query, kind = _filters()
    return render_template(
        "directory/index.html",
        organizations=services.search_organizations(query, kind),
        counts=services.kind_counts(query),
        kind_labels=KIND_LABELS,
        query=query,
        kind=kind,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def create():
    form = OrganizationForm()
    if form.validate_on_submit():
        organization = services.create_organization(**form.values())
        flash(_("Đã thêm cơ quan “%(name)s”.", name=organization.name), "success")
        return redirect(url_for(".index", q=organization.name))
    return render_template("directory/form.html", form=form, organization=None)


@bp.route("/<int:organization_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def edit(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    form = OrganizationForm(organization=organization)
    if form.validate_on_submit():
        services.update_organization(organization, **form.values())
        flash(_("Đã lưu thông tin cơ quan “%(name)s”.", name=organization.name), "success")
        return redirect(url_for(".index", q=organization.name))
    return render_template("directory/form.html", form=form, organization=organization)


@bp.route("/import", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def upload():
    form = ImportForm()
    if form.validate_on_submit():
        token = imports.store_upload(_uploads(), form.file.data.filename, form.file.data.read())
        return redirect(url_for(".preview", token=token))
    return render_template("directory/import.html", form=form, kind_labels=KIND_LABELS)


def _render_preview(token: str, filename: str, content: bytes, status: int = 200):
    preview = imports.parse_import(filename, content)
    form = ConfirmImportForm(token=token)
    return render_template("directory/preview.html", preview=preview, form=form,
                           kind_labels=KIND_LABELS), status


@bp.get("/import/<token>")
@role_required("organizer")
def preview(token: str):
    upload = imports.load_upload(_uploads(), token)
    if upload is None:
        flash(_("Tệp tải lên không còn. Vui lòng tải lên lại."), "error")
        return redirect(url_for(".upload"))
    return _render_preview(token, *upload)


@bp.post("/import/confirm")
@role_required("organizer")
def confirm_import():
    form = ConfirmImportForm()
    upload = imports.load_upload(_uploads(), form.token.data) if form.validate_on_submit() else None
    if upload is None:
        flash(_("Tệp tải lên không còn. Vui lòng tải lên lại."), "error")
        return redirect(url_for(".upload"))
    try:
        result = imports.import_organizations(*upload)
    except imports.ImportRejected as rejected:
        flash(str(rejected), "error")
        return _render_preview(form.token.data, *upload, status=422)
    imports.discard_upload(_uploads(), form.token.data)
    flash(_("Đã nhập danh bạ: thêm mới %(created)d, cập nhật %(updated)d cơ quan.",
            created=result.created, updated=result.updated), "success")
    return redirect(url_for(".index"))


@bp.get("/export")
@role_required("staff")
def export():
    query, kind = _filters()
    content = imports.export_xlsx(services.search_organizations(query, kind))
    return download(content, imports.EXPORT_FILENAME)
