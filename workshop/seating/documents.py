"""The name plates (biển tên) and the seating plan (sơ đồ chỗ ngồi) as print pages (and so PDF)
and DOCX, from the one plan of services.py. Both name the person at the door: the deputy, with
the deputy's own title, when one was sent."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape  # &, <, > and quotes: what the text of a WordprocessingML element needs

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.shared import Mm, Pt
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..minutes.services import host_name
from ..models import Invitation, Workshop
from ..office.docx import CENTER, FONT, docx_bytes, paragraph, set_properties, set_up_a4
from ..text import writable
from ..timeutil import as_local
from .services import HEAD_TABLE, Plan, plan_of


@dataclass(frozen=True)
class Line:
    """One person as the plates and the plan print them."""

    name: str
    title: str | None
    agency: str | None
    seat: str  # the place in its row ("5"), empty when not seated
    head_table: bool
    stands_in_for: str | None = None  # the invitee a deputy stands in for

    @property
    def deputy_note(self) -> str | None:
        """"Dự thay ông/bà …" under a deputy's name on the plan, as the seating page and the
        pass say it; the plates name the person seated only."""
        if not self.stands_in_for:
            return None
        return _("Dự thay ông/bà %(name)s", name=self.stands_in_for)


def line_of(invitation: Invitation) -> Line:
    return Line(invitation.attendee_name, invitation.attendee_title,
                invitation.organization.name if invitation.organization else None,
                str(invitation.seat_number or ""), invitation.seat_row == HEAD_TABLE,
                invitation.stands_in_for)


def plates_of(workshop: Workshop, row: int | None = None) -> list[Line]:
    """Every plate, in the plan's order; `row` (0: the head table) only that row's."""
    plan = plan_of(workshop)
    people = plan.everyone if row is None else [person for person in plan.seated
                                                  if person.seat_row == row]
    return [line_of(person) for person in people]


@dataclass(frozen=True)
class Section:
    label: str
    lines: list[Line]
    numbered: bool


def sections_of(plan: Plan) -> list[Section]:
    sections = [Section(row.label, [line_of(person) for person in row.seats], True)
                for row in plan.rows]
    if plan.unseated:
        sections.append(Section(_("Chưa xếp chỗ"), [line_of(person) for person in plan.unseated],
                                False))
    return sections


def _when(workshop: Workshop) -> str:
    local = as_local(workshop.starts_at)
    return _("%(time)s ngày %(date)s, tại %(venue)s", time=local.strftime("%Hh%M"),
             date=local.strftime("%d/%m/%Y"), venue=workshop.venue)


# --- print pages --------------------------------------------------------------------------------


def plates_html(workshop: Workshop, plates: list[Line]) -> str:
    with force_locale("vi"):
        return render_template("seating/plates.html", workshop=workshop, plates=plates,
                               back=url_for("seating.index", code=workshop.code),
                               docx=url_for("documents.docx", code=workshop.code, name="nameplates"))


def plan_html(workshop: Workshop) -> str:
    with force_locale("vi"):
        return render_template("seating/plan.html", workshop=workshop,
                               sections=sections_of(plan_of(workshop)),
                               host=host_name(workshop), when=_when(workshop),
                               back=url_for("seating.index", code=workshop.code),
                               docx=url_for("documents.docx", code=workshop.code, name="seating"))


# --- DOCX ---------------------------------------------------------------------------------------

# DrawingML sizes are in EMU (36,000 per millimetre).
EMU_PER_MM = 36000
PLATE_WIDTH_MM, HALF_HEIGHT_MM = 277, 94


def _run_xml(text: str, size: float, *, bold: bool = False) -> str:
    half_points = int(size * 2)
    return (f'<w:r><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>'
            f'{"<w:b/>" if bold else ""}<w:sz w:val="{half_points}"/>'
            f'<w:szCs w:val="{half_points}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(writable(text))}</w:t></w:r>')


def _face_xml(line: Line, shape_id: int, upside_down: bool) -> str:
    """One half of a plate: a borderless text box the size of the half, its text centred; the
    upper half's box turned by 180° (Word and LibreOffice draw a text box turned, which a
    table cell cannot be)."""
    paragraphs = []
    if line.head_table:
        paragraphs.append((_("CHỦ TỌA"), 16, True))
    paragraphs.append((line.name, 38 if len(line.name) > 22 else 48, True))
    if line.title:
        paragraphs.append((line.title, 22, False))
    if line.agency:
        paragraphs.append((line.agency, 20, False))
    body = "".join(f'<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:before="0" w:after="60"/>'
                   f'</w:pPr>{_run_xml(text, size, bold=bold)}</w:p>'
                   for text, size, bold in paragraphs)
    width, height = PLATE_WIDTH_MM * EMU_PER_MM, HALF_HEIGHT_MM * EMU_PER_MM
    rotation = ' rot="10800000"' if upside_down else ""
    return (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:docPr id="{shape_id}" name="Plate {shape_id}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm{rotation}><a:off x="0" y="0"/>'
        f'<a:ext cx="{width}" cy="{height}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        '<a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{body}</w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr">'
        '<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    )


def plates_docx(workshop: Workshop, plates: list[Line]) -> bytes:
    document = new_document()
    set_up_a4(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    # Two halves of 94 mm and their paragraphs' lines inside 210 mm less the margins.
    section.top_margin = section.bottom_margin = Mm(8)
    section.left_margin = section.right_margin = Mm(10)
    shape_id = 0
    with force_locale("vi"):
        for index, line in enumerate(plates):
            for upside_down in (True, False):
                shape_id += 1
                holder = paragraph(document, align=CENTER, space_after=0)
                holder.paragraph_format.space_before = Pt(0)
                if index and upside_down:
                    holder.paragraph_format.page_break_before = True
                holder._p.append(parse_xml(_face_xml(line, shape_id, upside_down)))
        set_properties(document, title=f"Biển tên {workshop.code}", author=host_name(workshop))
    return docx_bytes(document)


def plan_docx(workshop: Workshop) -> bytes:
    document = new_document()
    set_up_a4(document)
    with force_locale("vi"):
        paragraph(document, host_name(workshop).upper(), bold=True, align=CENTER)
        paragraph(document, _("SƠ ĐỒ CHỖ NGỒI"), bold=True, size=15, align=CENTER)
        paragraph(document, f"{workshop.title} — {_when(workshop)}", italic=True, align=CENTER,
                  space_after=8)
        sections = sections_of(plan_of(workshop))
        if not sections:
            paragraph(document, _("Chưa có đại biểu nào để xếp chỗ."), italic=True)
        for part in sections:
            paragraph(document, part.label, bold=True, space_after=3)
            table = document.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            heads = (_("Ghế") if part.numbered else _("STT"), _("Họ và tên"), _("Chức vụ"),
                     _("Cơ quan, đơn vị"))
            for cell, text in zip(table.rows[0].cells, heads, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
            for number, line in enumerate(part.lines, start=1):
                cells = table.add_row().cells
                values = (line.seat if part.numbered else str(number), line.name,
                          line.title or "", line.agency or "")
                for cell, text in zip(cells, values, strict=True):
                    cell.paragraphs[0].add_run(writable(text))
                if line.deputy_note:
                    cells[1].add_paragraph().add_run(writable(line.deputy_note)).italic = True
            paragraph(document, space_after=4)
        set_properties(document, title=f"Sơ đồ chỗ ngồi {workshop.code}",
                       author=host_name(workshop))
    return docx_bytes(document)
