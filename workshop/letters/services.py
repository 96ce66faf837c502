"""The official invitation letter (giấy mời, Decree 30/2020/NĐ-CP, Appendix template 1.7).

One `Letter` holds every line of a letter; the A4 HTML page, the DOCX file and the invitation
e-mail are all written from it, so the three never say different things.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..links import personal_url
from ..models import Invitation, Workshop
from ..office.docx import (
    CENTER,
    add_run,
    borderless_table,
    docx_bytes,
    keep,
    number_pages,
    paragraph,
    set_properties,
    set_up_a4,
)
from ..office.letterhead import (
    day_and_month,
    foot,
    official_date,
    write_letterhead,
    write_recipients,
    write_signature,
    write_title,
)
from ..qr import qr_png, qr_svg
from ..text import fold
from ..timeutil import WEEKDAYS, as_local

LETTER_TITLE = "GIẤY MỜI"  # the kind of document is never translated


@dataclass(frozen=True)
class AgendaRow:
    time: str  # "08 giờ 00 - 08 giờ 15"
    title: str
    presenter: str


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
    # Added for the one-page form 1.7: the đầu mối liên hệ, what to send ahead, the agenda as
    # rows, and whether it goes to the attached "CHƯƠNG TRÌNH HỘI THẢO" page.
    contact: str = ""
    contribution: str = ""
    agenda_rows: tuple[AgendaRow, ...] = ()
    agenda_attached: bool = False
    attachment_caption: str = ""
    you: str = ""  # how the text speaks to the invitee: "Ông", "Bà" or "đồng chí"

    @property
    def qr_svg(self) -> Markup:
        """Our own generated SVG of the personal link: safe to place in the page as markup."""
        return qr_svg(self.url)

    @property
    def qr_png(self) -> bytes:
        return qr_png(self.url)


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
    # The shared words as the agency's name writes them: "Trưởng ban" at "Ban Dân tộc" is
    # "Trưởng Ban Dân tộc".
    return " ".join(title_words[:len(title_words) - overlap] + agency_words)


def letter_date(invitation: Invitation) -> datetime:
    """The letter is dated the day its invitation was made: the workshop has no issue date of its
    own, and a letter printed again later must carry the same date as the one first sent."""
    return invitation.created_at


def short_date(value: datetime) -> str:
    """"12/8/2014", "05/02/2015": the day and month as the date line writes them."""
    day, month = day_and_month(value)
    return f"{day}/{month}/{as_local(value).year}"


def letter_time(workshop: Workshop) -> str:
    """"08 giờ 00, Thứ Ba, ngày 12/8/2014", as the register writes the time of a meeting."""
    start = as_local(workshop.starts_at)
    return _("%(time)s, %(weekday)s, ngày %(date)s", time=clock(start),
             weekday=WEEKDAYS[start.weekday()], date=short_date(start))


# An agenda goes to the attached page when the letter would not keep to one A4 page with it:
# more sessions than AGENDA_SESSIONS, or more lines than the page holds. Measured on the print
# page (Times New Roman 13 pt on the 165 mm of text width): about LINE_CHARACTERS characters to a
# line, and PAGE_LINES lines for the subject, the addressee and the body between the letterhead
# and the signature block.
AGENDA_SESSIONS = 5
LINE_CHARACTERS = 80
PAGE_LINES = 27


def _lines(text: str, width: int = LINE_CHARACTERS) -> int:
    return max(1, -(-len(text) // width))


def _fits_one_page(subject: str, addressee: str, body: list[str], agenda: list[str]) -> bool:
    """Whether these lines leave room for the signature block on the first page (with a line to
    spare: a measure of characters is not the browser's or Word's measure)."""
    lines = _lines(subject, LINE_CHARACTERS - 10) + _lines(addressee, LINE_CHARACTERS - 5)
    lines += sum(_lines(text, LINE_CHARACTERS - 8) for text in body)  # each indented 10 mm
    lines += sum(_lines(item, LINE_CHARACTERS - 10) for item in agenda)
    return lines <= PAGE_LINES - 1
BLANK_NUMBER = "……"


def letter_register_number(workshop: Workshop) -> str:
    """"125/GM-SKHCN" as the organizer entered it; without it, "……/GM-SKHCN" (or "……/GM-……")
    for the văn thư to fill in by hand."""
    if workshop.letter_number:
        return workshop.letter_number
    host = workshop.host_organization
    code = workshop.letter_code or (host.code if host and host.code else BLANK_NUMBER)
    return f"{BLANK_NUMBER}/GM-{code}"


def addressee_of(invitation: Invitation) -> str:
    """"Ông Lê Văn Cường, Giám đốc Sở Tư pháp" with a salutation; without one, by position:
    "Giám đốc Sở Công Thương" (the title and the agency), or the name and agency when the
    directory has no title. Never "Ông/Bà" before a name (that can be a surname: Ông Văn Bảo)."""
    agency = invitation.organization.name if invitation.organization else None
    if invitation.title:
        position = position_at_agency(invitation.title, agency)
    elif agency and fold(agency) not in fold(invitation.name):
        position = agency
    else:
        position = None
    if invitation.salutation:
        return ", ".join(filter(None, [f"{invitation.salutation} {invitation.name}", position]))
    if invitation.title and agency:
        return position
    return ", ".join(filter(None, [invitation.name, position]))


def is_hosts_signer(invitation: Invitation) -> bool:
    """The letter's own signer, invited from the host agency: no letter goes to them."""
    workshop = invitation.workshop
    return bool(workshop.signer_name and workshop.host_organization_id
                and invitation.organization_id == workshop.host_organization_id
                and fold(invitation.name) == fold(workshop.signer_name))


def build_letter(invitation: Invitation) -> Letter:
    """Every line of `invitation`'s letter, always in Vietnamese: it is an official document,
    whatever language the organizer's screen uses."""
    with force_locale("vi"):
        return _build_letter(invitation)


def _deadline(value: datetime) -> str:
    return _("trước %(time)s ngày %(date)s", time=clock(value), date=short_date(value))


def _contact(workshop: Workshop, host_name: str) -> str:
    if workshop.contact_name and workshop.contact_phone:
        return _("Đầu mối liên hệ: %(name)s, điện thoại %(phone)s.", name=workshop.contact_name,
                 phone=workshop.contact_phone)
    if workshop.contact_name:
        return _("Đầu mối liên hệ: %(name)s.", name=workshop.contact_name)
    phone = workshop.contact_phone or (workshop.host_organization.phone
                                       if workshop.host_organization else None)
    if phone:
        return _("Đầu mối liên hệ: %(host)s, điện thoại %(phone)s.", host=host_name, phone=phone)
    return ""


def _build_letter(invitation: Invitation) -> Letter:
    workshop = invitation.workshop
    host = workshop.host_organization
    host_name = host.name if host else _("Ban tổ chức hội thảo")
    register = letter_register_number(workshop)
    # How the body speaks to the invitee: "Ông"/"Bà", else "đồng chí" (by position).
    you = invitation.salutation or _("đồng chí")
    deadline = (_deadline(workshop.rsvp_deadline) if workshop.rsvp_deadline
                else _("trước ngày diễn ra hội thảo"))
    rows = tuple(agenda_row(session) for session in workshop.sessions)
    agenda = [agenda_line(session) for session in workshop.sessions]
    # The agenda is the letter's "Nội dung" (or its attached page); the free description stands
    # in when there is none (both would not fit one A4 page).
    description = "" if workshop.sessions else workshop.description or ""
    contribution = _("Đề nghị %(you)s chuẩn bị ý kiến tham gia", you=you)
    if workshop.contribution_deadline:
        contribution = _(
            "%(start)s và gửi báo cáo tham luận (nếu có) về Ban tổ chức %(deadline)s; khi đến dự "
            "vui lòng mang theo tài liệu liên quan.", start=contribution,
            deadline=_deadline(workshop.contribution_deadline))
    else:
        contribution = _("%(start)s và mang theo tài liệu liên quan khi đến dự.", start=contribution)
    letter = Letter(
        invitation=invitation,
        parent_agency=(workshop.host_parent_name or "").upper(),
        host_agency=(host.name if host else "").upper(),
        number=_("Số: %(number)s", number=register),
        place_and_date=official_date(letter_date(invitation), workshop.letter_place),
        subject=_("Dự %(title)s", title=workshop.title),
        addressee=addressee_of(invitation),
        invitation_text=_("%(host)s trân trọng kính mời %(you)s tới dự %(title)s.",
                          host=host_name, you=you, title=workshop.title),
        time=letter_time(workshop),
        venue=workshop.venue,
        description=description,
        agenda=agenda,
        rsvp_request=_(
            "Đề nghị %(you)s xác nhận tham dự hoặc cử người dự thay %(deadline)s: mở đường liên "
            "kết cá nhân hoặc quét mã QR in trên giấy mời này; khi đến dự, xuất trình mã QR để "
            "điểm danh.", you=you, deadline=deadline,
        ),
        closing=_("Rất mong %(you)s thu xếp thời gian tới dự./.", you=you),
        url=personal_url(invitation),
        short_code=invitation.short_code,
        qr_note=_("Mã xác nhận %(code)s dùng để điểm danh tại cửa hoặc trả lời qua điện thoại.",
                  code=invitation.short_code),
        recipients=[_("Như trên;"), _("Lưu: VT.")],
        signer_authority=workshop.signer_authority or "",
        signer_title=workshop.signer_title or "",
        signer_name=workshop.signer_name or "",
        contact=_contact(workshop, host_name),
        contribution=contribution,
        agenda_rows=rows,
        agenda_attached=False,
        you=you,
        attachment_caption=_("(Kèm theo Giấy mời số %(number)s ngày %(date)s của %(host)s)",
                             number=register, date=short_date(letter_date(invitation)),
                             host=host_name),
    )
    body = [letter.invitation_text, letter.time, letter.venue, letter.description,
            letter.contribution, letter.rsvp_request, letter.contact, letter.closing]
    if len(rows) > AGENDA_SESSIONS or not _fits_one_page(letter.subject, letter.addressee,
                                                         [text for text in body if text], agenda):
        letter = replace(letter, agenda_attached=True, description=_(
            "Theo Chương trình hội thảo gửi kèm theo Giấy mời này."))
    return letter


def agenda_row(session) -> AgendaRow:
    times = " - ".join(clock(value) for value in (session.starts_at, session.ends_at) if value)
    return AgendaRow(times, session.title, session.presenter or "")


def agenda_line(session) -> str:
    """"08 giờ 00 - 08 giờ 15: Khai mạc hội thảo (Phó Giám đốc Sở …)"."""
    times = " - ".join(clock(value) for value in (session.starts_at, session.ends_at) if value)
    line = f"{times}: {session.title}" if times else session.title
    return f"{line} ({session.presenter})" if session.presenter else line


def letters_for(workshop: Workshop, status: str | None = None) -> list[Letter]:
    """The workshop's letters in number order (unnumbered last), optionally of one status:
    every invitation but the walk-ins (who came without one) and the host's own signer."""
    statement = (select(Invitation)
                 .where(Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False))
                 .options(selectinload(Invitation.organization)))
    if status:
        statement = statement.where(Invitation.status == status)
    statement = statement.order_by(
        Invitation.letter_number.is_(None), Invitation.letter_number, Invitation.name, Invitation.id
    )
    return [build_letter(invitation) for invitation in db.session.scalars(statement)
            if not is_hosts_signer(invitation)]


# --- DOCX -------------------------------------------------------------------------------------

HEAD_SIZE = 12.5  # the agency's name and the national title: Decree 30 allows 12 to 13 pt
CELL_MARGIN = Mm(1)


def letters_docx(letters: list[Letter]) -> bytes:
    """One DOCX with `letters`: each letter its own section of one page (and its programme
    page, numbered 2), so that page numbers start again with every letter."""
    document = Document()
    set_up_a4(document)
    with force_locale("vi"):
        workshop = letters[0].invitation.workshop if letters else None
        host = workshop.host_organization.name if workshop and workshop.host_organization else ""
        set_properties(
            document, author=host, subject=workshop.title if workshop else "",
            title=_("Giấy mời: %(title)s", title=workshop.title) if workshop else LETTER_TITLE)
        for index, letter in enumerate(letters):
            section = document.sections[0] if not index else document.add_section(WD_SECTION.NEW_PAGE)
            _restart_page_numbers(section, first=not index)
            _write_letter(document, letter)
    return docx_bytes(document)


def _restart_page_numbers(section, first: bool) -> None:
    """Pages numbered from 2 (Decree 30): the first page of each letter shows no number; the
    numbers start at 1 again in every letter's section."""
    section.different_first_page_header_footer = True
    properties = section._sectPr
    for old in properties.findall(qn("w:pgNumType")):  # a new section copies the last one's
        properties.remove(old)
    number_type = OxmlElement("w:pgNumType")
    number_type.set(qn("w:start"), "1")
    properties.insert_element_before(number_type, "w:cols", "w:formProt", "w:vAlign",
                                     "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                                     "w:rtlGutter", "w:docGrid", "w:printerSettings",
                                     "w:sectPrChange")
    if first:  # the later sections' headers are linked to the first's
        number_pages(section)


def _write_letter(document, letter: Letter) -> None:
    write_letterhead(document, letter, size=HEAD_SIZE, margin=CELL_MARGIN)
    write_title(document, LETTER_TITLE, letter.subject, space_before=14, space_after=8)
    addressee = paragraph(document, align=CENTER, space_after=8)
    add_run(addressee, _("Kính gửi:") + " " + letter.addressee)
    paragraph(document, letter.invitation_text, indent=True)
    for label, value in ((_("Thời gian:"), letter.time), (_("Địa điểm:"), letter.venue)):
        line = paragraph(document, indent=True)
        line.add_run(f"- {label} ").bold = True
        add_run(line, value)
    if letter.description or letter.agenda:
        line = paragraph(document, indent=True)
        line.add_run(f"- {_('Nội dung:')} ").bold = True
        add_run(line, letter.description)
        if not letter.agenda_attached:
            for index, item in enumerate(letter.agenda, start=1):
                paragraph(document, f"+ {item}", indent=True,
                          space_after=None if index == len(letter.agenda) else 0)
    paragraph(document, letter.contribution, indent=True)
    paragraph(document, letter.rsvp_request, indent=True)
    if letter.contact:
        paragraph(document, letter.contact, indent=True)
    # The closing line goes with the signature block: never a block alone on a page.
    keep(paragraph(document, letter.closing, indent=True, space_after=8))

    recipients, signer = foot(document)
    write_recipients(recipients, _("Nơi nhận:"), letter.recipients, kept=True)
    note, code = borderless_table(recipients, (Mm(28), Mm(45)))
    picture = paragraph(note, space_after=0)
    picture.paragraph_format.space_before = Pt(8)
    picture.add_run().add_picture(io.BytesIO(letter.qr_png), width=Mm(26))
    caption = paragraph(code, letter.short_code, bold=True, size=12, space_after=0)
    caption.paragraph_format.space_before = Pt(8)
    paragraph(code, letter.qr_note, italic=True, size=10, space_after=0)
    paragraph(code, letter.url, size=7, space_after=0)
    write_signature(signer, letter.signer_authority, letter.signer_title, letter.signer_name,
                    space=62, kept=True)
    if letter.agenda_attached:
        _write_programme(document, letter)


def _write_programme(document, letter: Letter) -> None:
    """The attached "CHƯƠNG TRÌNH HỘI THẢO" page (page 2 of the letter)."""
    title = paragraph(document, _("CHƯƠNG TRÌNH HỘI THẢO"), bold=True, size=14, align=CENTER,
                      space_after=0)
    title.paragraph_format.page_break_before = True
    paragraph(document, letter.attachment_caption, italic=True, align=CENTER, space_after=10)
    widths = (Mm(40), Mm(80), Mm(45))
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, width, text in zip(table.rows[0].cells, widths,
                                 (_("Thời gian"), _("Nội dung"), _("Thực hiện")), strict=True):
        cell.width = width
        cell.paragraphs[0].alignment = CENTER
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on a new page
    for row in letter.agenda_rows:
        cells = table.add_row().cells
        for cell, width, text in zip(cells, widths, (row.time, row.title, row.presenter), strict=True):
            cell.width = width
            add_run(cell.paragraphs[0], text)
        cells[0]._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
