"""The one-page "Báo cáo tình hình thực hiện kết luận" for the People's Committee (Decree 30
layout, as the thông báo kết luận it follows up): how many tasks are done, under way, not yet
reported and overdue, then each agency's tasks with their state and latest report. Laid out
once as the minutes' `Document`, which the A4 print page (and so the PDF) and the DOCX write."""
from __future__ import annotations

from datetime import date, datetime

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..letters.services import official_date
from ..minutes.services import (
    Document,
    Line,
    Signature,
    _letterhead,
    document_number,
    host_name,
    notice_of,
    short_date,
)
from ..models import TASK_STATUS_LABELS, Workshop
from ..timeutil import LOCAL_TZ, as_local
from .services import by_agency, counts, tasks_of, today

TITLE = "BÁO CÁO"


def status_document(workshop: Workshop, on: date | None = None) -> Document:
    on = on or today()
    tasks = tasks_of(workshop)
    numbers = counts(tasks, on)
    parent, host = _letterhead(workshop)
    notice = notice_of(workshop)
    with force_locale("vi"):
        reference = (_("Thông báo số %(number)s", number=notice.number)
                     if notice is not None and notice.number else _("Thông báo kết luận"))
        body = [
            Line(_("Thực hiện %(reference)s tại %(title)s ngày %(date)s, %(host)s báo cáo tình hình "
                   "thực hiện các nhiệm vụ được giao đến ngày %(today)s như sau:",
                   reference=reference, title=workshop.title,
                   date=as_local(workshop.starts_at).strftime("%d/%m/%Y"),
                   host=host_name(workshop), today=on.strftime("%d/%m/%Y"))),
            Line(_("I. KẾT QUẢ CHUNG"), "heading"),
            Line(_("Tổng số nhiệm vụ: %(total)d; đã hoàn thành: %(done)d; đang thực hiện, đã báo cáo "
                   "tiến độ: %(reported)d; chưa báo cáo: %(open)d; quá hạn chưa hoàn thành: "
                   "%(overdue)d.", total=len(tasks), **numbers)),
            Line(_("II. TÌNH HÌNH THỰC HIỆN CỦA TỪNG CƠ QUAN"), "heading"),
        ]
        for number, group in enumerate(by_agency(tasks), start=1):
            body.append(Line(f"{number}. {group.organization.name}", "heading"))
            for task in group.tasks:
                state = str(TASK_STATUS_LABELS[task.status_on(on)])
                body.append(Line(_("%(text)s (thời hạn %(date)s): %(state)s.",
                                   text=" ".join(task.text.split()), date=short_date(task.due_on),
                                   state=state.lower()), "item"))
                if task.reports:
                    latest = task.reports[-1]
                    body.append(Line(_("Báo cáo ngày %(date)s: %(text)s",
                                       date=as_local(latest.created_at).strftime("%d/%m/%Y"),
                                       text=" ".join(latest.text.split())), "sub"))
        if not tasks:
            body.append(Line(_("(Chưa giao nhiệm vụ nào.)"), "note"))
        overdue = [group.organization.name for group in by_agency(tasks)
                   if group.count("overdue", on)]
        body.append(Line(_("III. KIẾN NGHỊ"), "heading"))
        body.append(Line(
            _("Đề nghị UBND tỉnh chỉ đạo các cơ quan có nhiệm vụ quá hạn (%(names)s) khẩn trương "
              "hoàn thành, báo cáo kết quả.", names="; ".join(overdue)) if overdue
            else _("Các nhiệm vụ được giao đang được thực hiện đúng thời hạn.")))
        issued_at = datetime(on.year, on.month, on.day, 12, tzinfo=LOCAL_TZ)
        return Document(
            parent_agency=parent, host_agency=host,
            number=document_number(None, "BC", workshop),
            place_and_date=official_date(issued_at, workshop.letter_place),
            draft_mark="", title=TITLE,
            subtitle=_("Tình hình thực hiện kết luận tại %(title)s", title=workshop.title),
            body=body,
            closing=[Line(_("%(host)s trân trọng báo cáo./.", host=host_name(workshop)))],
            signatures=[Signature(workshop.signer_authority or "", workshop.signer_title or "",
                                  workshop.signer_name or "")],
            recipients=[_("UBND tỉnh (để báo cáo);"),
                        *(f"{group.organization.name};" for group in by_agency(tasks)),
                        _("Lưu: VT.")],
            recipients_label=_("Nơi nhận:"),
        )


def status_docx(workshop: Workshop) -> bytes:
    from ..minutes.docx import document_docx

    return document_docx(status_document(workshop), workshop)


def print_html(workshop: Workshop) -> str:
    """The A4 print page, as the minutes' documents print; the PDF is made from it."""
    css = render_template("minutes/_document.css")
    with force_locale("vi"):
        # Our own stylesheet, no user text in it.
        return render_template(
            "minutes/print.html", workshop=workshop, doc=status_document(workshop),
            back=url_for("tasks.index", code=workshop.code),
            docx=url_for("documents.docx", code=workshop.code, name="followup"),
            css=Markup(css))  # nosec B704
