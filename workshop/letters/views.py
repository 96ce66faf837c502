"""The invitation letters as printable A4 pages and as DOCX, one or a whole list at once."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..auth.decorators import role_required
from ..events.services import workshop_or_404
from ..extensions import db
from ..models import Invitation, Workshop
from ..office import download
from . import services
from .forms import LetterFilterForm

bp = Blueprint("letters", __name__, url_prefix="/workshops/<code>")



def _invitation(workshop: Workshop, invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.workshop_id != workshop.id:
        abort(404)
    return invitation


def _filter() -> LetterFilterForm:
    form = LetterFilterForm(formdata=request.args)
    if not form.validate():
        abort(400, _("Trạng thái giấy mời không hợp lệ."))
    return form


def _page(workshop: Workshop, letters: list[services.Letter], docx_url: str,
          form: LetterFilterForm | None = None, pdf_url: str | None = None):
    # The letters themselves are official Vietnamese documents whatever the screen's language.
    with force_locale("vi"):
        # An autoescaped template.
        sheets = Markup(render_template("letters/_letter.html", letters=letters))  # nosec B704
    return render_template("letters/letters.html", workshop=workshop, letters=letters,
                           sheets=sheets, docx_url=docx_url, pdf_url=pdf_url, form=form)



@bp.get("/invitations/<int:invitation_id>/letter")
@role_required("organizer")
def letter(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    invitation = _invitation(workshop, invitation_id)
    docx_url = url_for(".letter_docx", code=code, invitation_id=invitation.id)
    pdf_url = url_for("documents.pdf", code=code, name="letters", invitation_id=invitation.id)
    return _page(workshop, [services.build_letter(invitation)], docx_url, pdf_url=pdf_url)


@bp.get("/letters")
@role_required("organizer")
def letters(code: str):
    workshop = workshop_or_404(code)
    form = _filter()
    letters = services.letters_for(workshop, form.status.data or None)
    docx_url = url_for(".letters_docx", code=code, status=form.status.data or None)
    pdf_url = url_for("documents.pdf", code=code, name="letters", status=form.status.data or None)
    return _page(workshop, letters, docx_url, form, pdf_url)


@bp.get("/invitations/<int:invitation_id>/letter.docx")
@role_required("organizer")
def letter_docx(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    invitation = _invitation(workshop, invitation_id)
    data = services.letters_docx([services.build_letter(invitation)])
    return download(data, f"giay-moi-{workshop.code}-{invitation.letter_number or invitation.id}.docx")


@bp.get("/letters.docx")
@role_required("organizer")
def letters_docx(code: str):
    workshop = workshop_or_404(code)
    form = _filter()
    letters = services.letters_for(workshop, form.status.data or None)
    if not letters:
        flash(_("Không có giấy mời nào để tải về."), "warning")
        return redirect(url_for(".letters", code=code, status=form.status.data or None))
    return download(services.letters_docx(letters), f"giay-moi-{workshop.code}.docx")
