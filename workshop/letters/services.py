"""The official invitation letter (giấy mời, Decree 30/2020/NĐ-CP, Appendix template 1.7).

One `Letter` holds every line of a letter; the A4 HTML page, the DOCX file and the invitation
e-mail are all written from it, so the three never say different things.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import WEEKDAYS
from ..extensions import db
from ..links import personal_url
from ..models import Invitation, Workshop
from ..office import add_run, borderless_table, paragraph, rule, set_up_a4
from ..qr import qr_png, qr_svg
from ..text import fold
from ..timeutil import as_local

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
LETTER_TITLE = "GIẤY MỜI"  # the national title, motto and kind of document are never translated


@dataclass(frozen=True)
class Letter:
    invitation: Invitation
    parent_agency: str  # upper case, e.g. "UBND TỈNH THÁI NGUYÊN"
    host_agency: str  # upper case, bold in the header
    number: str  # "Số: 12/GM-SKHCN"
    place_and_date: str  # "Thái Nguyên, ngày 05 tháng 8 năm 2014"
    subject: str  # "Dự Hội thảo …"
    addressee: str  # "Ông/Bà Lê Văn Cường, Giám đốc Sở Tư pháp"
    invitation_text: str  # "<Host> trân trọng kính mời Ông/Bà tới dự …"
    time: str
    venue: str
    description: str
    agenda: list[str]
    rsvp_request: str
    closing: str
    url: str
    short_code: str
    qr_note: str
    recipients: list[str]
    signer_authority: str
    signer_title: str
    signer_name: str

    @property
    def qr_svg(self) -> Markup:
        """Our own generated SVG of the personal link: safe to place in the page as markup."""
        return qr_svg(self.url)

    @property
    def qr_png(self) -> bytes:
        return qr_png(self.url)


def official_date(value: datetime, place: str | None = None) -> str:
    """"Thái Nguyên, ngày 05 tháng 8 năm 2014": Decree 30 writes a zero before days 1–9 and
    months 1 and 2 only (so "tháng 02" but "tháng 8")."""
    local = as_local(value)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    date = _("ngày %(day)s tháng %(month)s năm %(year)s",
             day=f"{local.day:02d}", month=month, year=local.year)
    return f"{place}, {date}" if place else date[:1].upper() + date[1:]


def clock(value: datetime) -> str:
    """"08 giờ 00", the way an official letter writes a time."""
    local = as_local(value)
    return _("%(hour)s giờ %(minute)s", hour=f"{local.hour:02d}", minute=f"{local.minute:02d}")


def workshop_time(workshop: Workshop) -> str:
    """"Từ 08 giờ 00 đến 11 giờ 30, Thứ Ba, ngày 12/08/2014" (the end only when on the same day)."""
    start = as_local(workshop.starts_at)
    end = as_local(workshop.ends_at)
    day = _("%(weekday)s, ngày %(date)s", weekday=WEEKDAYS[start.weekday()],
            date=start.strftime("%d/%m/%Y"))
    if end and end.date() == start.date() and end > start:
        return _("Từ %(start)s đến %(end)s, %(day)s", start=clock(start), end=clock(end), day=day)
    return f"{clock(start)}, {day}"


def position_at_agency(title: str | None, agency: str | None) -> str:
    """"Giám đốc Sở" at "Sở Tư pháp" is "Giám đốc Sở Tư pháp": the title runs into the agency's
    name, the words they share written once (a title that already names the agency stays as is)."""
    title_words, agency_words = (title or "").split(), (agency or "").split()
    overlap = 0
    for size in range(min(len(title_words), len(agency_words)), 0, -1):
        if fold(" ".join(title_words[-size:])) == fold(" ".join(agency_words[:size])):
            overlap = size
            break
    return " ".join(title_words + agency_words[overlap:])


def letter_date(invitation: Invitation) -> datetime:
    """The letter is dated the day its invitation was made: the workshop has no issue date of its
    own, and a letter printed again later must carry the same date as the one first sent."""
    return invitation.created_at


def build_letter(invitation: Invitation) -> Letter:
    """Every line of `invitation`'s letter, always in Vietnamese: it is an official document,
    whatever language the organizer's screen uses."""
    with force_locale("vi"):
        return _build_letter(invitation)


def _build_letter(invitation: Invitation) -> Letter:
    workshop = invitation.workshop
    host = workshop.host_organization
    host_name = host.name if host else _("Ban tổ chức hội thảo")
    code = workshop.letter_code or (host.code if host and host.code else "")
    number = str(invitation.letter_number) if invitation.letter_number else "\u2002" * 4
    agency = invitation.organization.name if invitation.organization else None
    position = position_at_agency(invitation.title, agency)
    salutation = _("Ông/Bà")
    if workshop.rsvp_deadline:
        deadline = _("trước %(time)s ngày %(date)s", time=clock(workshop.rsvp_deadline),
                     date=as_local(workshop.rsvp_deadline).strftime("%d/%m/%Y"))
    else:
        deadline = _("trước ngày diễn ra hội thảo")
    return Letter(
        invitation=invitation,
        parent_agency=(workshop.host_parent_name or "").upper(),
        host_agency=(host.name if host else "").upper(),
        number=_("Số: %(number)s/GM-%(code)s", number=number, code=code),
        place_and_date=official_date(letter_date(invitation), workshop.letter_place),
        subject=_("Dự %(title)s", title=workshop.title),
        addressee=", ".join(filter(None, [f"{salutation} {invitation.name}", position])),
        invitation_text=_("%(host)s trân trọng kính mời %(salutation)s tới dự %(title)s.",
                          host=host_name, salutation=salutation, title=workshop.title),
        time=workshop_time(workshop),
        venue=workshop.venue,
        # The agenda is the letter's "Nội dung"; the free description stands in when there is none
        # (both would not fit one A4 page).
        description="" if workshop.sessions else workshop.description or "",
        agenda=[agenda_line(session) for session in workshop.sessions],
        rsvp_request=_(
            "Đề nghị %(salutation)s xác nhận tham dự, hoặc cử người dự thay, qua đường liên kết "
            "cá nhân (hoặc quét mã QR trên giấy mời) %(deadline)s. Khi đến dự, %(salutation)s "
            "vui lòng xuất trình mã QR cá nhân để điểm danh.",
            salutation=salutation, deadline=deadline,
        ),
        closing=_("Rất mong %(salutation)s dành thời gian tới dự./.", salutation=salutation),
        url=personal_url(invitation),
        short_code=invitation.short_code,
        qr_note=_("Mã QR cá nhân của %(salutation)s: quét để xác nhận tham dự; xuất trình khi đến "
                  "dự để điểm danh.", salutation=salutation),
        recipients=[_("Như trên;"), _("Lưu: VT.")],
        signer_authority=workshop.signer_authority or "",
        signer_title=workshop.signer_title or "",
        signer_name=workshop.signer_name or "",
    )


def agenda_line(session) -> str:
    """"08 giờ 00 - 08 giờ 15: Khai mạc hội thảo (Phó Giám đốc Sở …)"."""
    times = " - ".join(clock(value) for value in (session.starts_at, session.ends_at) if value)
    line = f"{times}: {session.title}" if times else session.title
    return f"{line} ({session.presenter})" if session.presenter else line


def letters_for(workshop: Workshop, status: str | None = None) -> list[Letter]:
    """The workshop's letters in number order (unnumbered last), optionally of one status."""
    statement = (select(Invitation).where(Invitation.workshop_id == workshop.id)
                 .options(selectinload(Invitation.organization)))
    if status:
        statement = statement.where(Invitation.status == status)
    statement = statement.order_by(
        Invitation.letter_number.is_(None), Invitation.letter_number, Invitation.name, Invitation.id
    )
    return [build_letter(invitation) for invitation in db.session.scalars(statement)]


# --- DOCX -------------------------------------------------------------------------------------

TEXT_WIDTH = Mm(165)  # A4 less the 30 mm and 15 mm side margins
HEAD_WIDTHS = (Mm(65), Mm(100))


def letters_docx(letters: list[Letter]) -> bytes:
    """One DOCX with `letters`, each starting on a new page."""
    document = Document()
    set_up_a4(document)
    with force_locale("vi"):
        for index, letter in enumerate(letters):
            if index:
                document.add_page_break()
            _write_letter(document, letter)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()






def _write_letter(document, letter: Letter) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    agency, nation = borderless_table(document, HEAD_WIDTHS)
    paragraph(agency, letter.parent_agency, size=12, align=center, space_after=0)
    paragraph(agency, letter.host_agency, bold=True, size=12, align=center, space_after=0)
    rule(agency, Mm(25))
    paragraph(agency, letter.number, align=center)
    paragraph(nation, NATIONAL_TITLE, bold=True, size=12, align=center, space_after=0)
    paragraph(nation, NATIONAL_MOTTO, bold=True, align=center, space_after=0)
    rule(nation, Mm(55))
    paragraph(nation, letter.place_and_date, italic=True, align=center)

    title = paragraph(document, LETTER_TITLE, bold=True, size=14, align=center, space_after=0)
    title.paragraph_format.space_before = Pt(18)
    paragraph(document, letter.subject, bold=True, align=center, space_after=12)
    addressee = paragraph(document, align=center, space_after=12)
    addressee.add_run(_("Kính gửi:") + " ").italic = True
    add_run(addressee, letter.addressee)
    paragraph(document, letter.invitation_text, indent=True)
    for label, value in ((_("Thời gian:"), letter.time), (_("Địa điểm:"), letter.venue)):
        line = paragraph(document, indent=True)
        line.add_run(f"- {label} ").bold = True
        add_run(line, value)
    if letter.description or letter.agenda:
        line = paragraph(document, indent=True)
        line.add_run(f"- {_('Nội dung:')} ").bold = True
        add_run(line, letter.description)
        for item in letter.agenda:
            paragraph(document, f"+ {item}", indent=True, space_after=0)
    paragraph(document, letter.rsvp_request, indent=True)
    paragraph(document, letter.closing, indent=True, space_after=12)

    recipients, signer = borderless_table(document, (Mm(75), Mm(90)))
    paragraph(recipients, _("Nơi nhận:"), bold=True, italic=True, size=12, space_after=0)
    for line in letter.recipients:
        paragraph(recipients, f"- {line}", size=11, space_after=0)
    paragraph(signer, letter.signer_authority, bold=True, align=center, space_after=0)
    # The space for the signature and the seal.
    paragraph(signer, letter.signer_title, bold=True, align=center, space_after=72)
    paragraph(signer, letter.signer_name, bold=True, align=center)

    note, code = borderless_table(document, (Mm(115), Mm(50)))
    paragraph(note, letter.qr_note, italic=True, size=11)
    picture = paragraph(code, align=center, space_after=0)
    picture.add_run().add_picture(io.BytesIO(letter.qr_png), width=Mm(30))
    paragraph(code, letter.short_code, bold=True, size=12, align=center, space_after=0)
    paragraph(code, letter.url, size=8, align=center)
