"""The summary as the office sends it up: an official report (báo cáo, Decree 30/2020/NĐ-CP,
Appendix template 1.4) as DOCX and as a printable page, and a workbook for the numbers.

One `Report`, built from the `Summary`, holds every line of the document; the DOCX and the
printable page are both written from it, so the two never say different things. The report is
an official Vietnamese document whatever language the screen uses.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml.etree import SubElement
from openpyxl import Workbook

from ..checkin.services import METHOD_LABELS
from ..collation import invitation_key
from ..letters.services import (
    HEAD_WIDTHS,
    NATIONAL_MOTTO,
    NATIONAL_TITLE,
    borderless_table,
    official_date,
    paragraph,
    rule,
    set_up_a4,
    workshop_time,
)
from ..office import add_sheet, workbook_bytes, workshop_heading
from ..text import writable
from ..timeutil import utcnow
from .services import Summary

REPORT_TITLE = "BÁO CÁO"  # the kind of document is never translated
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Line:
    """A paragraph of the report: `text` (indented prose), `item` ("- …"), `subheading`
    (bold, "1. Sở, Ban, Ngành") or `answer` (a question's answer, under its question)."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[Line]


@dataclass(frozen=True)
class Report:
    parent_agency: str
    host_agency: str
    number: str  # "Số:     /BC-SKHCN": the office writes the number when it registers the report
    place_and_date: str
    draft_mark: str  # "DỰ THẢO" until the conclusions are final
    subtitle: str  # "Kết quả Hội thảo …"
    sections: list[Section]
    recipients_label: str
    recipients: list[str]
    signer_authority: str
    signer_title: str
    signer_name: str
    appendix_title: str
    appendix_subtitle: str
    appendix: list[Section]

    title = REPORT_TITLE
    national_title = NATIONAL_TITLE
    national_motto = NATIONAL_MOTTO


def decimal(value: float) -> str:
    """4.5 as Vietnamese writes it: "4,5"."""
    return f"{value:.1f}".replace(".", ",")


def build_report(summary: Summary) -> Report:
    with force_locale("vi"):
        return _build_report(summary)


def _remark_lines(summary: Summary, category: str) -> list[Line]:
    lines: list[Line] = []
    groups = summary.feedback_groups(category)
    for number, (_kind, label, items) in enumerate(groups, start=1):
        if len(groups) > 1:
            lines.append(Line(f"{number}. {label}", "subheading"))
        for remark in items:
            source = _("báo cáo tham luận") if remark.source == "contribution" else None
            about = "; ".join(filter(None, [remark.agency, remark.session_title, source]))
            lines.append(Line(f"- {remark.text}" + (f" ({about})" if about else ""), "item"))
    return lines or [Line(_("Không có ý kiến."), "text")]


def _participants(summary: Summary) -> list[Line]:
    workshop, numbers = summary.workshop, summary.attendance
    lines = [
        Line(workshop.description or _(
            "Hội thảo được tổ chức nhằm đánh giá kết quả đạt được, chỉ ra những tồn tại, vướng "
            "mắc, rút ra bài học kinh nghiệm và đề xuất, kiến nghị giải pháp trong thời gian tới.")),
        Line(_("Thời gian: %(time)s. Địa điểm: %(venue)s.", time=workshop_time(workshop),
               venue=workshop.venue)),
        Line(_("Ban tổ chức đã mời %(invited)d đại biểu của các cơ quan, đơn vị; %(accepted)d đại "
               "biểu xác nhận tham dự, %(delegated)d đại biểu cử người dự thay, %(declined)d đại "
               "biểu không tham dự, %(unanswered)d đại biểu chưa trả lời. Có mặt tại hội thảo "
               "%(checked_in)d đại biểu: %(present)d/%(expected)d đại biểu dự kiến tham dự, "
               "%(walk_ins)d đại biểu đến trực tiếp (không có giấy mời) và %(unannounced)d đại biểu "
               "chưa đăng ký trước.",
               invited=numbers.invited, accepted=numbers.accepted, delegated=numbers.delegated,
               declined=numbers.declined, unanswered=numbers.unanswered,
               checked_in=numbers.checked_in, present=numbers.present, expected=numbers.expected,
               walk_ins=numbers.walk_ins, unannounced=numbers.unannounced)),
    ]
    lines += [Line(_("- %(kind)s: mời %(invited)d, có mặt %(present)d/%(expected)d dự kiến, "
                     "%(extra)d ngoài dự kiến;", kind=row.label, invited=row.invited,
                     present=row.present, expected=row.expected,
                     extra=row.walk_ins + row.unannounced), "item")
              for row in summary.by_kind]
    if summary.absent:
        lines.append(Line(_("Các cơ quan, đơn vị được mời nhưng không có đại biểu tham dự: %(names)s.",
                            names="; ".join(organization.name for organization in summary.absent))))
    elif numbers.invited:
        lines.append(Line(_("Tất cả các cơ quan, đơn vị được mời đều có đại biểu tham dự.")))
    return lines


def _results(summary: Summary) -> list[Line]:
    lines = _remark_lines(summary, "result")
    lines.append(Line(_("Tại hội thảo, đại biểu đã nêu %(asked)d câu hỏi, ý kiến; %(answered)d câu "
                        "đã được trả lời (chi tiết tại Phụ lục kèm theo).",
                        asked=summary.question_count, answered=summary.answered_count)))
    rated = [(session.title, session.rating) for session in summary.sessions if session.rating]
    if summary.overall_rating:
        rated.append((_("Chung cho cả hội thảo"), summary.overall_rating))
    if rated:
        lines.append(Line(_("Đại biểu chấm điểm các phiên (thang điểm 5):")))
        lines += [Line(_("- %(title)s: %(average)s điểm (%(count)d lượt);", title=title,
                         average=decimal(rating.average), count=rating.count), "item")
                  for title, rating in rated]
    return lines


def _appendix(summary: Summary) -> list[Section]:
    sections = []
    for position, session in enumerate(summary.sessions, start=1):
        lines: list[Line] = []
        for number, question in enumerate(session.questions, start=1):
            about = "; ".join(filter(None, [
                question.agency or question.asker,
                _("%(votes)d lượt bình chọn", votes=question.votes) if question.votes else None]))
            lines.append(Line(f"{number}. {question.text}" + (f" ({about})" if about else ""), "item"))
            if question.answer:
                who = f" ({question.answered_by})" if question.answered_by else ""
                lines.append(Line(_("Trả lời%(who)s: %(answer)s", who=who, answer=question.answer),
                                  "answer"))
            elif question.assigned_to:
                lines.append(Line(_("Chưa trả lời tại hội thảo; giao %(official)s trả lời.",
                                    official=question.assigned_to), "answer"))
            else:
                lines.append(Line(_("Chưa trả lời tại hội thảo."), "answer"))
        sections.append(Section(_("Phiên %(number)d: %(title)s", number=position, title=session.title),
                                lines or [Line(_("Không có câu hỏi."))]))
    return sections


def _build_report(summary: Summary) -> Report:
    workshop = summary.workshop
    host = workshop.host_organization
    code = workshop.letter_code or (host.code if host and host.code else "")
    dated: datetime = summary.version.created_at if summary.version else utcnow()
    blank = "\u2002" * 4
    conclusions = [Line(paragraph.strip()) for paragraph in summary.conclusions.splitlines()
                   if paragraph.strip()] or [Line(_("Chưa có kết luận."))]
    conclusions.append(Line(_("Trên đây là báo cáo kết quả %(title)s./.", title=workshop.title)))
    return Report(
        parent_agency=(workshop.host_parent_name or "").upper(),
        host_agency=(host.name if host else "").upper(),
        number=_("Số: %(number)s/BC-%(code)s", number=blank, code=code),
        place_and_date=official_date(dated, workshop.letter_place),
        draft_mark="" if summary.is_final else _("DỰ THẢO"),
        subtitle=_("Kết quả %(title)s", title=workshop.title),
        sections=[
            Section(_("I. MỤC ĐÍCH, THÀNH PHẦN THAM DỰ"), _participants(summary)),
            Section(_("II. KẾT QUẢ"), _results(summary)),
            Section(_("III. TỒN TẠI, VƯỚNG MẮC"), _remark_lines(summary, "obstacle")),
            Section(_("IV. BÀI HỌC KINH NGHIỆM"), _remark_lines(summary, "lesson")),
            Section(_("V. KIẾN NGHỊ, ĐỀ XUẤT"), _remark_lines(summary, "recommendation")),
            Section(_("VI. KẾT LUẬN"), conclusions),
        ],
        recipients_label=_("Nơi nhận:"),
        recipients=[_("UBND tỉnh (b/c);"), _("Các cơ quan, đơn vị tham dự hội thảo;"), _("Lưu: VT.")],
        signer_authority=workshop.signer_authority or "",
        signer_title=workshop.signer_title or "",
        signer_name=workshop.signer_name or "",
        appendix_title=_("PHỤ LỤC: CÂU HỎI VÀ TRẢ LỜI TẠI HỘI THẢO"),
        appendix_subtitle=_("(Kèm theo Báo cáo số %(number)s/BC-%(code)s)", number=blank, code=code),
        appendix=_appendix(summary),
    )


# --- DOCX ---------------------------------------------------------------------------------------


def report_docx(summary: Summary) -> bytes:
    report = build_report(summary)
    document = Document()
    set_up_a4(document)
    end = document.element.body.sectPr
    with force_locale("vi"):
        _write_head(document, report)
        for section in report.sections:
            _write_section(end, section)
        _write_foot(document, report)
        document.add_page_break()
        center = WD_ALIGN_PARAGRAPH.CENTER
        paragraph(document, report.appendix_title, bold=True, align=center, space_after=0)
        paragraph(document, report.appendix_subtitle, italic=True, align=center, space_after=12)
        for section in report.appendix:
            _write_section(end, section)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write_head(document, report: Report) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    agency, nation = borderless_table(document, HEAD_WIDTHS)
    paragraph(agency, report.parent_agency, size=12, align=center, space_after=0)
    paragraph(agency, report.host_agency, bold=True, size=12, align=center, space_after=0)
    rule(agency, Mm(25))
    paragraph(agency, report.number, align=center)
    paragraph(nation, report.national_title, bold=True, size=12, align=center, space_after=0)
    paragraph(nation, report.national_motto, bold=True, align=center, space_after=0)
    rule(nation, Mm(55))
    paragraph(nation, report.place_and_date, italic=True, align=center)
    if report.draft_mark:
        paragraph(document, report.draft_mark, bold=True, size=12, space_after=0)
    title = paragraph(document, report.title, bold=True, size=14, align=center, space_after=0)
    title.paragraph_format.space_before = Pt(18)
    paragraph(document, report.subtitle, bold=True, align=center, space_after=12)


INDENT = str(567)  # 10 mm in twentieths of a point, as the letters indent their paragraphs


def _line(end, text: str, *, bold: bool = False, italic: bool = False, hanging: bool = False,
          heading: bool = False) -> None:
    """One justified paragraph of the body, its first line indented (or, `hanging`, all of it;
    a `heading` has space above), added before the body's end `end`.

    Written as XML directly: python-docx scans the whole body for every paragraph it adds,
    which takes seconds for a report with thousands of remarks and answers.
    """
    paragraph = OxmlElement("w:p")
    properties = SubElement(paragraph, qn("w:pPr"))
    if heading:
        SubElement(properties, qn("w:spacing")).set(qn("w:before"), "120")  # 6 pt
    SubElement(properties, qn("w:ind")).set(qn("w:left" if hanging else "w:firstLine"), INDENT)
    SubElement(properties, qn("w:jc")).set(qn("w:val"), "both")
    run = SubElement(paragraph, qn("w:r"))
    if bold or italic:
        font = SubElement(run, qn("w:rPr"))
        for flag, tag in ((bold, "w:b"), (italic, "w:i")):
            if flag:
                SubElement(font, qn(tag))
    for index, part in enumerate(writable(text).split("\n")):
        if index:
            SubElement(run, qn("w:br"))
        piece = SubElement(run, qn("w:t"))
        piece.text = part
        piece.set(qn("xml:space"), "preserve")
    end.addprevious(paragraph)


def _write_section(end, section: Section) -> None:
    _line(end, section.heading, bold=True, heading=True)
    for line in section.lines:
        if line.kind == "subheading":
            _line(end, line.text, bold=True, italic=True)
        elif line.kind == "answer":
            _line(end, line.text, italic=True, hanging=True)
        else:
            _line(end, line.text)


def _write_foot(document, report: Report) -> None:
    recipients, signer = borderless_table(document, (Mm(75), Mm(90)))
    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(recipients, report.recipients_label, bold=True, italic=True, size=12, space_after=0)
    for line in report.recipients:
        paragraph(recipients, f"- {line}", size=11, space_after=0)
    paragraph(signer, report.signer_authority, bold=True, align=center, space_after=0)
    paragraph(signer, report.signer_title, bold=True, align=center, space_after=72)
    paragraph(signer, report.signer_name, bold=True, align=center)


# --- XLSX ---------------------------------------------------------------------------------------


def report_xlsx(summary: Summary) -> bytes:
    """Three sheets: "Điểm danh" (every invitation, in Vietnamese order of agency and person),
    "Câu hỏi" (the visible questions), "Góp ý" (feedback and contributions), each under a title
    row naming the workshop and set up for printing (`add_sheet`)."""
    workbook = Workbook()
    with force_locale("vi"):
        _attendance_sheet(workbook, summary)
        _questions_sheet(workbook, summary)
        _feedback_sheet(workbook, summary)
    return workbook_bytes(workbook)


def _attendance_sheet(workbook: Workbook, summary: Summary) -> None:
    rows = []
    for invitation in sorted(summary.attendees, key=invitation_key):
        organization = invitation.organization
        checkin = invitation.checkin
        rows.append([
            invitation.letter_number, organization.name if organization else None,
            organization.kind_label if organization else None, invitation.name, invitation.title,
            _("Đến trực tiếp") if invitation.walk_in else invitation.status_label,
            invitation.delegate_name, _("Có mặt") if checkin else _("Vắng"),
            checkin.checked_in_at if checkin else None,
            str(METHOD_LABELS.get(checkin.method, checkin.method)) if checkin else None,
        ])
    add_sheet(workbook, _("Điểm danh"),
                   [_("Số giấy mời"), _("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Người được mời"),
                    _("Chức vụ"), _("Trả lời"), _("Người dự thay"), _("Điểm danh"),
                    _("Điểm danh lúc"), _("Cách điểm danh")], rows, first=True,
                   heading=workshop_heading(summary.workshop))


def _questions_sheet(workbook: Workbook, summary: Summary) -> None:
    rows = [
        [session.title, question.text, question.asker, question.agency, question.votes,
         question.assigned_to, question.answer, question.answered_by,
         question.answered_at]
        for session in summary.sessions for question in session.questions
    ]
    add_sheet(workbook, _("Câu hỏi"),
                   [_("Phiên"), _("Câu hỏi"), _("Người hỏi"), _("Cơ quan, đơn vị"), _("Bình chọn"),
                    _("Người được giao"), _("Trả lời"), _("Người trả lời"), _("Trả lời lúc")], rows,
                   heading=workshop_heading(summary.workshop))


def _feedback_sheet(workbook: Workbook, summary: Summary) -> None:
    rows = [
        [remark.category_label, remark.text, remark.agency, remark.kind_label, remark.person,
         remark.session_title, remark.rating, remark.source_label, remark.created_at]
        for items in summary.feedback.values() for remark in items
    ]
    add_sheet(workbook, _("Góp ý"),
                   [_("Nhóm"), _("Nội dung"), _("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Người gửi"),
                    _("Phiên"), _("Điểm"), _("Nguồn"), _("Thời gian")], rows,
                   heading=workshop_heading(summary.workshop))
