"""The biên bản (organizer edits, chair reads) and the thông báo kết luận (chair and organizer
edit its items): the editing pages, the A4 print pages and the DOCX files."""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..auth.decorators import role_required
from ..events.services import workshop_or_404
from ..expired_session import keeps_input
from ..models import Workshop
from ..office import download
from ..refusals import show_refusal
from ..security import allowing_style
from . import services
from .forms import MinutesForm, NoticeForm, RedraftForm

bp = Blueprint("minutes", __name__, url_prefix="/workshops/<code>")

BLANK_ROWS = 3  # empty rows under the items, to add new ones


def _revision(value: str | None) -> int:
    return int(value) if value else 0


# --- the biên bản -------------------------------------------------------------------------------


def _minutes_page(workshop: Workshop, form: MinutesForm | None = None, status: int = 200):
    text, minutes = services.minutes_text(workshop)
    revision = str(minutes.revision if minutes else 0)
    if form is None:
        form = MinutesForm(formdata=None, data={**text.__dict__, "revision": revision})
    can_edit = current_user.has_role("organizer") and not (minutes and minutes.is_final)
    return render_template("minutes/minutes.html", workshop=workshop, minutes=minutes, form=form,
                           redraft_form=RedraftForm(formdata=None, data={"revision": revision}),
                           can_edit=can_edit), status


@bp.get("/minutes")
@role_required("chair")
def minutes(code: str):
    return _minutes_page(workshop_or_404(code))


@bp.post("/minutes")
@role_required("organizer")
@keeps_input
def save_minutes(code: str):
    workshop = workshop_or_404(code)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _minutes_page(workshop, form, 422)
    text = services.MinutesText(**{name: getattr(form, name).data or ""
                                   for name in services.MinutesText.__dataclass_fields__})
    try:
        saved = services.save_minutes(workshop, text, current_user, _revision(form.revision.data),
                                      final=form.finish.data)
    except services.DocumentError as error:
        current = services.minutes_of(workshop)
        return _minutes_page(workshop, form, show_refusal(
            form, error, revision_field="revision", revision=current.revision if current else 0))
    flash(_("Đã hoàn thành biên bản hội thảo.") if saved.is_final
          else _("Đã lưu dự thảo biên bản."), "success")
    return redirect(url_for(".minutes", code=code))


@bp.post("/minutes/redraft")
@role_required("organizer")
def redraft_minutes(code: str):
    """Write the sections again from the record (what was edited in them is replaced)."""
    workshop = workshop_or_404(code)
    form = RedraftForm()
    if not form.validate_on_submit():
        flash(_("Yêu cầu không hợp lệ; vui lòng thử lại."), "error")
        return redirect(url_for(".minutes", code=code))
    try:
        services.redraft_minutes(workshop, current_user, _revision(form.revision.data))
    except services.DocumentError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã lập lại dự thảo biên bản từ dữ liệu hội thảo."), "success")
    return redirect(url_for(".minutes", code=code))


@dataclass(frozen=True)
class Kind:
    """One document of this feature: its lines, its DOCX, the page that edits it, its file."""

    build: Callable[[Workshop], services.Document]
    docx: Callable[[Workshop], bytes]
    edit: str  # endpoint
    filename: str  # "bien-ban" (+ "-<code>.docx")


DOCUMENTS = {
    "minutes": Kind(services.minutes_document, services.minutes_docx, "minutes.minutes",
                    "bien-ban"),
    "conclusions": Kind(services.conclusions_document, services.conclusions_docx,
                        "minutes.conclusions", "thong-bao-ket-luan"),
}


def print_html(workshop: Workshop, name: str) -> str:
    """The A4 print page of the biên bản (`minutes`) or the thông báo (`conclusions`): the
    browser prints it, and the documents' PDF is made from it."""
    kind = DOCUMENTS[name]
    css = render_template("minutes/_document.css")
    with force_locale("vi"):
        # Our own stylesheet, no user text in it.
        return render_template("minutes/print.html", workshop=workshop, doc=kind.build(workshop),
                               back=url_for(kind.edit, code=workshop.code),
                               docx=url_for(f"minutes.{name}_docx", code=workshop.code),
                               css=Markup(css))  # nosec B704


def _print_page(workshop: Workshop, name: str):
    """A self-contained A4 page (its style inline, allowed by its hash), as the PDF is made from."""
    css = render_template("minutes/_document.css")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    response = make_response(print_html(workshop, name))
    response.headers["Content-Security-Policy"] = allowing_style(digest)
    return response


def _docx(workshop: Workshop, name: str):
    kind = DOCUMENTS[name]
    return download(kind.docx(workshop), f"{kind.filename}-{workshop.code}.docx")


@bp.get("/minutes/print")
@role_required("chair")
def minutes_print(code: str):
    return _print_page(workshop_or_404(code), "minutes")


@bp.get("/minutes.docx")
@role_required("chair")
def minutes_docx(code: str):
    return _docx(workshop_or_404(code), "minutes")


# --- the thông báo kết luận ---------------------------------------------------------------------


def _notice_form(workshop: Workshop) -> NoticeForm:
    current = services.notice(workshop)
    rows = [{"id": str(item.id), "position": position, "text": item.text,
             "organization_id": item.organization_id, "due_on": item.due_on}
            for position, item in enumerate(current.items, start=1)]
    rows += [{} for _ in range(BLANK_ROWS)]
    return NoticeForm(formdata=None, data={**current.text.__dict__, "items": rows,
                                           "revision": str(current.revision)})


def _notice_page(workshop: Workshop, form: NoticeForm, status: int = 200):
    return render_template("minutes/conclusions.html", workshop=workshop, form=form,
                           notice=services.notice(workshop)), status


@bp.get("/conclusions")
@role_required("chair")
def conclusions(code: str):
    workshop = workshop_or_404(code)
    return _notice_page(workshop, _notice_form(workshop))


@bp.post("/conclusions")
@role_required("chair")
@keeps_input
def save_conclusions(code: str):
    workshop = workshop_or_404(code)
    form = NoticeForm()
    if not form.validate_on_submit():
        return _notice_page(workshop, form, 422)
    rows = [(entry, entry.form) for entry in form.items.entries]
    kept = [(entry, row) for entry, row in rows if not row.is_blank() and not row.delete.data]
    items = [services.ItemInput(text=row.text.data or "", organization_id=row.organization_id.data,
                                due_on=row.due_on.data, id=int(row.id.data) if row.id.data else None,
                                position=row.position.data) for _entry, row in kept]
    text = services.NoticeText(
        number=form.number.data or "", issued_on=form.issued_on.data, opening=form.opening.data or "",
        signer_authority=form.signer_authority.data or "", signer_title=form.signer_title.data or "",
        signer_name=form.signer_name.data or "")
    try:
        services.save_notice(workshop, text, items, _revision(form.revision.data))
    except services.DocumentError as error:
        saved = services.notice_of(workshop)
        return _notice_page(workshop, form, show_refusal(
            form, error, revision_field="revision", revision=saved.revision if saved else 0,
            row=kept[error.index][1] if error.index is not None else None))
    flash(_("Đã lưu thông báo kết luận."), "success")
    return redirect(url_for(".conclusions", code=code))


@bp.get("/conclusions/print")
@role_required("chair")
def conclusions_print(code: str):
    return _print_page(workshop_or_404(code), "conclusions")


@bp.get("/conclusions.docx")
@role_required("chair")
def conclusions_docx(code: str):
    return _docx(workshop_or_404(code), "conclusions")
