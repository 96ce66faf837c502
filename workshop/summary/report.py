"""The summary as the office sends it up: an official report (báo cáo, Decree 30/2020/NĐ-CP,
Appendix template 1.4) as DOCX and as a printable page, and a workbook for the numbers.

One `Report`, built from the `Summary`, holds every line of the document; the DOCX and the
printable page are both written from it, so the two never say different things. The report is
an official Vietnamese document whatever language the screen uses.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from docx import Document
from docx.oxml.ns import nsmap
from docx.oxml.parser import parse_xml
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml.etree import strip_tags
from openpyxl import Workbook

from ..checkin.desk import METHOD_LABELS
from ..collation import invitation_key
from ..letters.services import agenda_line, workshop_time
from ..models import CATEGORY_LABELS, FEEDBACK_CATEGORIES, Workshop
from ..office.docx import CENTER, docx_bytes, number_pages, paragraph, set_properties, set_up_a4
from ..office.letterhead import (
    foot,
    official_date,
    write_letterhead,
    write_recipients,
    write_signature,
    write_title,
)
from ..office.sheets import add_sheet, workbook_bytes, workshop_heading
from ..text import fold, writable
from .services import SessionSummary, Summary, compile_summary, get_version, snapshot_of

REPORT_TITLE = "BÁO CÁO"  # the kind of document is never translated


@dataclass(frozen=True)
class Line:
    """A paragraph of the report: `text` (indented prose), `lead` (prose that introduces the
    lines after it: kept on their page), `item` ("- …"), `subheading` (bold, "1. Kết quả đạt
    được") or `answer` (a question's answer, under its question)."""

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
    number: str  # "Số: 45/BC-SKHCN", or a blank for the number the register gives it
    place_and_date: str
    draft_mark: str  # "DỰ THẢO" until the conclusions are final
    subtitle: str  # "Kết quả Hội thảo …"
    sections: list[Section]
    closing: str  # "Trên đây là báo cáo …./."
    recipients_label: str
    recipients: list[str]
    signer_authority: str
    signer_title: str
    signer_name: str
    appendix_label: str  # "Phụ lục"
    appendix_title: str  # "CÂU HỎI VÀ TRẢ LỜI TẠI HỘI THẢO"
    appendix_subtitle: str  # "(Kèm theo Báo cáo số …/BC-… ngày … của …)"
    appendix: list[Section]

    title = REPORT_TITLE


def report_data(report: Report) -> dict:
    """The report as JSON values, kept in a published version's snapshot."""
    return asdict(report)


def report_from_data(data: dict) -> Report:
    """The report a snapshot kept, exactly as it was published."""
    def sections(items: list[dict]) -> list[Section]:
        return [Section(item["heading"], [Line(**line) for line in item["lines"]])
                for item in items]

    return Report(**{**data, "sections": sections(data["sections"]),
                     "appendix": sections(data["appendix"])})


def report_of(workshop: Workshop, version: int | None = None) -> Report | None:
    """The report every document route serves: the live draft's, or the one published
    version `version` froze (None when the workshop has no such published version)."""
    if version is None:
        return build_report(compile_summary(workshop))
    saved = get_version(workshop, version)
    if saved is None or saved.status != "final":
        return None
    return report_from_data(snapshot_of(workshop, saved)["report"])


def decimal(value: float) -> str:
    """4.5 as Vietnamese writes it: "4,5"."""
    return f"{value:.1f}".replace(".", ",")


def build_report(summary: Summary) -> Report:
    with force_locale("vi"):
        return _build_report(summary)


def short_date(value: date) -> str:
    """"12/8/2014", as a report cites another document's date."""
    return f"{value.day}/{value.month}/{value.year}"


def _remark_lines(summary: Summary, category: str, repeated: frozenset[str] = frozenset()
                  ) -> list[Line]:
    """The category's remarks, one item each with the agency that made it (the session is the
    agenda's business, not repeated here); those in `repeated` marked as raised again from the
    previous edition of the series."""
    lines = []
    for remark in summary.feedback[category]:
        source = _("báo cáo tham luận") if remark.source == "contribution" else None
        again = _("đã nêu tại kỳ trước") if remark.text in repeated else None
        about = "; ".join(filter(None, [remark.agency, source, again]))
        lines.append(Line(f"- {remark.text}" + (f" ({about})" if about else ""), "item"))
    return lines or [Line(_("Không có ý kiến."))]


def _chairs(summary: Summary) -> list[str]:
    chairs: list[str] = []
    for session in summary.sessions:
        if session.chair and session.chair not in chairs:
            chairs.append(session.chair)
    if not chairs and summary.workshop.signer_name:
        workshop = summary.workshop
        chairs.append(", ".join(filter(None, [workshop.signer_name, workshop.signer_title])))
    return chairs


def _participants(summary: Summary) -> list[Line]:
    workshop, numbers = summary.workshop, summary.attendance
    host = workshop.host_organization.name if workshop.host_organization else _("Ban Tổ chức")
    lines = [
        Line(_("1. Mục đích"), "subheading"),
        Line(workshop.description or _(
            "Hội thảo được tổ chức nhằm đánh giá kết quả đạt được, chỉ ra những tồn tại, vướng "
            "mắc, rút ra bài học kinh nghiệm và đề xuất, kiến nghị giải pháp trong thời gian tới.")),
        Line(_("2. Thời gian, địa điểm"), "subheading"),
        Line(_("Thời gian: %(time)s. Địa điểm: %(venue)s.", time=workshop_time(workshop),
               venue=workshop.venue)),
        Line(_("3. Thành phần tham dự"), "subheading"),
    ]
    chairs = _chairs(summary)
    if chairs:
        lines.append(Line(_("Chủ trì hội thảo: đồng chí %(names)s.",
                            names="; ".join(chairs))))
    # Invitations are counted as invitations (a deputy answers one of them); people as people.
    lines.append(Line(_(
        "%(host)s đã gửi %(invited)d giấy mời đến các cơ quan, đơn vị: %(accepted)d đại biểu xác "
        "nhận tham dự, %(delegated)d đại biểu cử người dự thay, %(declined)d đại biểu báo vắng, "
        "%(unanswered)d đại biểu không phản hồi.",
        host=host, invited=numbers.invited, accepted=numbers.accepted,
        delegated=numbers.delegated, declined=numbers.declined, unanswered=numbers.unanswered)))
    lines.append(Line(_(
        "Có mặt tại hội thảo %(checked_in)d người: %(present)d trong số %(expected)d đại biểu đã "
        "xác nhận tham dự hoặc được cử dự thay (%(no_show)d đại biểu đã xác nhận nhưng vắng mặt), "
        "%(unannounced)d đại biểu được mời nhưng không đăng ký trước và %(walk_ins)d người đến "
        "trực tiếp không có giấy mời.",
        checked_in=numbers.checked_in, present=numbers.present, expected=numbers.expected,
        no_show=numbers.expected - numbers.present, unannounced=numbers.unannounced,
        walk_ins=numbers.walk_ins)))
    lines += [Line(_("- %(kind)s: %(invited)d giấy mời, có mặt %(present)d/%(expected)d đại biểu "
                     "dự kiến, %(extra)d người ngoài dự kiến;", kind=row.label, invited=row.invited,
                     present=row.present, expected=row.expected,
                     extra=row.walk_ins + row.unannounced), "item")
              for row in summary.by_kind]
    agencies = summary.agencies_invited
    if summary.absent:
        lines.append(Line(_(
            "%(represented)d/%(agencies)d cơ quan, đơn vị được mời có đại biểu tham dự; "
            "%(count)d cơ quan, đơn vị không có đại biểu tham dự: %(names)s.",
            represented=agencies - len(summary.absent), agencies=agencies,
            count=len(summary.absent),
            names="; ".join(organization.name for organization in summary.absent))))
    elif agencies:
        lines.append(Line(_("Tất cả %(agencies)d cơ quan, đơn vị được mời đều có đại biểu tham dự.",
                            agencies=agencies)))
    keynote = _keynote(summary)
    if keynote:
        lines.append(Line(_("Báo cáo đề dẫn: %(title)s, do %(presenter)s trình bày.",
                            title=keynote.title, presenter=keynote.presenter)))
    if summary.contributors:
        lines.append(Line(_("Ban Tổ chức nhận được %(count)d báo cáo tham luận của: %(names)s.",
                            count=len(summary.contributors),
                            names="; ".join(summary.contributors))))
    else:
        lines.append(Line(_("Ban Tổ chức không nhận được báo cáo tham luận.")))
    return lines


def _keynote(summary: Summary) -> SessionSummary | None:
    """The báo cáo đề dẫn: the first session that is a report ("Báo cáo …") with a presenter,
    else the first session with a presenter that is not the opening."""
    presented = [session for session in summary.sessions if session.presenter]
    reports = [session for session in presented if fold(session.title).startswith("bao cao")]
    others = [session for session in presented if not fold(session.title).startswith("khai mac")]
    return (reports or others or [None])[0]


def _contents(summary: Summary) -> list[Line]:
    lines = [Line(_("Hội thảo đã tiến hành theo chương trình sau:"), "lead")]
    lines += [Line(f"- {agenda_line(session)};", "item") for session in summary.sessions]
    if len(lines) == 1:
        return [Line(_("Chương trình hội thảo chưa được nhập."))]
    return lines


def _discussion(summary: Summary, repeated: frozenset[str] = frozenset()) -> list[Line]:
    lines = [Line(_("Tại hội thảo, đại biểu đã nêu %(asked)d câu hỏi, ý kiến; %(answered)d câu đã "
                    "được trả lời (chi tiết tại Phụ lục kèm theo).",
                    asked=summary.question_count, answered=summary.answered_count))]
    rated = [(session.title, session.rating) for session in summary.sessions if session.rating]
    if summary.overall_rating:
        rated.append((_("Chung cho cả hội thảo"), summary.overall_rating))
    if rated:
        lines.append(Line(_("Đại biểu chấm điểm các phiên (thang điểm 5):"), "lead"))
        lines += [Line(_("- %(title)s: %(average)s điểm (%(count)d lượt);", title=title,
                         average=decimal(rating.average), count=rating.count), "item")
                  for title, rating in rated]
    lines.append(Line(_("Ý kiến của đại biểu và các báo cáo tham luận tập trung vào các nội dung "
                        "sau:"), "lead"))
    for number, category in enumerate(FEEDBACK_CATEGORIES, start=1):
        lines.append(Line(f"{number}. {CATEGORY_LABELS[category]}", "subheading"))
        lines += _remark_lines(summary, category, repeated)
    return lines


def _previous_edition(summary: Summary) -> tuple[Section | None, frozenset[str]]:
    """A later edition of a series opens with what came of the previous edition's tasks; its
    lessons and recommendations raised again are marked (workshop/tasks/series.py)."""
    from ..models import TASK_STATUS_LABELS
    from ..tasks.series import series_view
    from ..tasks.services import today

    series = series_view(summary.workshop)
    if series is None:
        return None, frozenset()
    numbers = series.counts
    lines = [Line(_("Thực hiện kết luận tại %(title)s: %(total)d nhiệm vụ được giao, đã hoàn "
                    "thành %(done)d, đang thực hiện %(reported)d, chưa báo cáo %(open)d, quá hạn "
                    "chưa hoàn thành %(overdue)d.", title=series.previous.title,
                    total=len(series.tasks), **numbers), "lead")]
    on = today()
    lines += [Line(f"- {task.organization.name}: {' '.join(task.text.split())} "
                   f"({str(TASK_STATUS_LABELS[task.status_on(on)]).lower()}).", "item")
              for task in series.tasks]
    if series.repeats:
        lines.append(Line(_("Có %(num)d bài học, kiến nghị đã được nêu tại kỳ trước, được đánh dấu "
                            "trong mục kết quả thảo luận.", num=len(series.repeats))))
    return (Section(_("KẾT QUẢ THỰC HIỆN KẾT LUẬN KỲ TRƯỚC"), lines),
            frozenset(series.repeated_texts))


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def _numbered(sections: list[Section]) -> list[Section]:
    """The sections numbered I, II, … in their order (an opening section shifts the others)."""
    return [Section(f"{_ROMAN[index]}. {section.heading.split('. ', 1)[-1]}", section.lines)
            for index, section in enumerate(sections)]


def _paragraphs(text: str, empty: str) -> list[Line]:
    return [Line(part.strip()) for part in text.splitlines() if part.strip()] or [Line(empty)]


def _appendix(summary: Summary) -> list[Section]:
    sections = []
    # Translated once, filled in per question: gettext per question cost more than the rest.
    votes_text, answer_text = _("%(votes)d lượt bình chọn"), _("Trả lời%(who)s: %(answer)s")
    assigned_text, unanswered = _("Chưa trả lời tại hội thảo; giao %(official)s trả lời."), \
        _("Chưa trả lời tại hội thảo.")
    for position, session in enumerate(summary.sessions, start=1):
        if not session.questions:
            continue
        lines: list[Line] = []
        for number, question in enumerate(session.questions, start=1):
            about = "; ".join(filter(None, [
                question.agency or question.asker,
                votes_text % {"votes": question.votes} if question.votes else None]))
            lines.append(Line(f"{number}. {question.text}" + (f" ({about})" if about else ""), "item"))
            if question.answer:
                who = f" ({question.answered_by})" if question.answered_by else ""
                lines.append(Line(answer_text % {"who": who, "answer": question.answer}, "answer"))
            elif question.assigned_to:
                lines.append(Line(assigned_text % {"official": question.assigned_to}, "answer"))
            else:
                lines.append(Line(unanswered, "answer"))
        sections.append(Section(_("Phiên %(number)d: %(title)s", number=position, title=session.title),
                                lines))
    return sections or [Section("", [Line(_("Không có câu hỏi."))])]


def _build_report(summary: Summary) -> Report:
    workshop = summary.workshop
    host = workshop.host_organization
    code = workshop.letter_code or (host.code if host and host.code else "")
    blank = "\u2002" * 4
    number = summary.report_number or f"{blank}/BC-{code}"
    dated = summary.report_date
    host_name = host.name if host else _("Ban Tổ chức")
    previous, repeated = _previous_edition(summary)
    return Report(
        parent_agency=(workshop.host_parent_name or "").upper(),
        host_agency=(host.name if host else "").upper(),
        number=_("Số: %(number)s", number=number),
        place_and_date=official_date(datetime.combine(dated, time(12)), workshop.letter_place),
        draft_mark="" if summary.is_final else _("DỰ THẢO"),
        subtitle=_("Kết quả %(title)s", title=workshop.title),
        sections=_numbered([*filter(None, [previous]),
            Section(_("I. MỤC ĐÍCH, THÀNH PHẦN THAM DỰ"), _participants(summary)),
            Section(_("II. NỘI DUNG CHÍNH"), _contents(summary)),
            Section(_("III. KẾT QUẢ THẢO LUẬN"), _discussion(summary, repeated)),
            Section(_("IV. KIẾN NGHỊ, ĐỀ XUẤT"),
                    _paragraphs(summary.proposals, _("Không có kiến nghị."))),
            Section(_("V. KẾT LUẬN CỦA CHỦ TRÌ HỘI THẢO"),
                    _paragraphs(summary.conclusions, _("Chưa có kết luận."))),
        ]),
        closing=_("Trên đây là báo cáo kết quả %(title)s, %(host)s kính báo cáo UBND tỉnh./.",
                  title=workshop.title, host=host_name),
        recipients_label=_("Nơi nhận:"),
        recipients=[_("UBND tỉnh (b/c);"), _("Các cơ quan, đơn vị tham dự hội thảo;"),
                    _("Lưu: VT.")],
        signer_authority=workshop.signer_authority or "",
        signer_title=workshop.signer_title or "",
        signer_name=workshop.signer_name or "",
        appendix_label=_("Phụ lục"),
        appendix_title=_("CÂU HỎI VÀ TRẢ LỜI TẠI HỘI THẢO"),
        appendix_subtitle=_("(Kèm theo Báo cáo số %(number)s ngày %(date)s của %(host)s)",
                            number=number, date=short_date(dated), host=host_name),
        appendix=_appendix(summary),
    )


# --- DOCX ---------------------------------------------------------------------------------------


def write_docx(report: Report, workshop: Workshop) -> bytes:
    """The report as DOCX: A4, page numbers at the top from page 2 (Decree 30), every heading
    kept with the paragraph after it; the appendix on a page of its own."""
    document = Document()
    set_up_a4(document)
    number_pages(document.sections[0])
    end = document.element.body.sectPr
    with force_locale("vi"):
        host = workshop.host_organization
        set_properties(document, title=f"{report.title} - {workshop.title}",
                       author=host.name if host else "")
        write_letterhead(document, report)
        write_title(document, report.title, report.subtitle, draft_mark=report.draft_mark)
        _insert(end, [*(xml for section in report.sections for xml in _section_xml(section)),
                      _paragraph_xml(report.closing)])
        _write_foot(document, report)
        document.add_page_break()
        for text, bold, italic, after in (
                (report.appendix_label, True, False, 0), (report.appendix_title, True, False, 0),
                (report.appendix_subtitle, False, True, 12)):
            heading = paragraph(document, text, bold=bold, italic=italic, align=CENTER,
                                space_after=after)
            heading.paragraph_format.keep_with_next = True
        _insert(end, [xml for section in report.appendix for xml in _section_xml(section)])
    return docx_bytes(document)


INDENT = str(567)  # 10 mm in twentieths of a point, as the letters indent their paragraphs
_W = nsmap["w"]
_WRAPPER = f"{{{_W}}}body"  # the body in the body: only ever the parsed paragraphs' wrapper


def _text_xml(text: str) -> str:
    """`text` as the content of an XML element, written as lxml writes it (a carriage return
    as a reference: an XML parser would read it as a line feed)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _opening(*, bold: bool = False, italic: bool = False, hanging: bool = False,
             heading: bool = False, keep_with_next: bool = False) -> str:
    """The start of a justified paragraph of the body as WordprocessingML, up to its text: the
    first line indented (or, `hanging`, all of it); a `heading` has space above and, like a
    `keep_with_next` one, stays on the page of the paragraph after it."""
    keep = "<w:keepNext/>" if heading or keep_with_next else ""
    above = '<w:spacing w:before="120"/>' if heading else ""  # 6 pt
    indent = "w:left" if hanging else "w:firstLine"
    font = "".join(tag for flag, tag in ((bold, "<w:b/>"), (italic, "<w:i/>")) if flag)
    return (f'<w:p><w:pPr>{keep}{above}<w:ind {indent}="{INDENT}"/><w:jc w:val="both"/></w:pPr>'
            f'<w:r>{f"<w:rPr>{font}</w:rPr>" if font else ""}')


# Each kind of line's opening (`Line.kind`), written once: a report has thousands of lines.
_OPENINGS = {
    "subheading": _opening(bold=True, italic=True, keep_with_next=True),
    "answer": _opening(italic=True, hanging=True),
    "lead": _opening(keep_with_next=True),
    "text": _opening(),
}
_HEADING = _opening(bold=True, heading=True)  # a section's
_TEXT = '<w:t xml:space="preserve">'


def _paragraph_xml(text: str, opening: str = _OPENINGS["text"]) -> str:
    """A paragraph of the body after its `opening`; a line feed in `text` is a line break."""
    content = _text_xml(writable(text))
    if "\n" in content:
        content = f"</w:t><w:br/>{_TEXT}".join(content.split("\n"))
    return f"{opening}{_TEXT}{content}</w:t></w:r></w:p>"


def _insert(end, paragraphs: list[str]) -> None:
    """`paragraphs` (WordprocessingML) added before the body's end `end`, parsed at once.

    A report holds thousands of remarks and answers: python-docx scans the whole body for every
    paragraph it adds, and even element by element lxml spends most of the document's time on
    them; one parse of their text is several times faster. The parsed wrapper is then taken
    away around them in place, without a Python object for each paragraph."""
    if not paragraphs:
        return
    end.addprevious(parse_xml(f'<w:body xmlns:w="{_W}">{"".join(paragraphs)}</w:body>'))
    strip_tags(end.getparent(), _WRAPPER)


def _section_xml(section: Section) -> list[str]:
    text = _OPENINGS["text"]  # also an "item"'s
    heading = [_paragraph_xml(section.heading, _HEADING)] if section.heading else []
    return heading + [_paragraph_xml(line.text, _OPENINGS.get(line.kind, text))
                      for line in section.lines]


def _write_foot(document, report: Report) -> None:
    recipients, signer = foot(document)
    write_recipients(recipients, report.recipients_label, report.recipients)
    write_signature(signer, report.signer_authority, report.signer_title, report.signer_name)


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
