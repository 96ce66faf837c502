"""The parts every official document shares (Decree 30/2020/NĐ-CP, Appendix I): the letterhead
(the agency and the number on the left; the national title, the motto and the place and date on
the right), the title, and the foot (Nơi nhận on the left, the signer on the right).

The DOCX of the giấy mời, the báo cáo, the biên bản and the thông báo are written with these; the
print pages with the macros of templates/office/_letterhead.html."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from docx.shared import Mm, Pt
from flask_babel import gettext as _

from ..timeutil import as_local
from .docx import CENTER, borderless_table, cell_margins, keep, paragraph, rule, unsplittable

# The national title, motto and kind of document are never translated.
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
# The letterhead's two columns: wide enough that "SỞ KHOA HỌC VÀ CÔNG NGHỆ" (65 mm in Times New
# Roman 13 pt bold) and the national title (88 mm) each keep to one line.
HEAD_WIDTHS = (Mm(70), Mm(95))
# The foot's two columns: the recipients, the signer.
FOOT_WIDTHS = (Mm(75), Mm(90))
# The room left for the signature and the seal, in points.
SIGNATURE_SPACE = 72


class Head(Protocol):
    """What a document's letterhead shows (a Letter, a Report, a minutes Document)."""

    parent_agency: str  # upper case, e.g. "UBND TỈNH THÁI NGUYÊN"; may be empty
    host_agency: str  # upper case, bold
    number: str  # "Số: 12/GM-SKHCN"
    place_and_date: str  # "Thái Nguyên, ngày 05 tháng 8 năm 2014"; may be empty


def day_and_month(value: datetime) -> tuple[str, str]:
    """The day and the month as Decree 30 writes them, in Vietnam time: a zero before days 1–9
    and months 1 and 2 only (so "05", "02" but "8")."""
    local = as_local(value)
    return f"{local.day:02d}", f"{local.month:02d}" if local.month < 3 else str(local.month)


def official_date(value: datetime, place: str | None = None) -> str:
    """"Thái Nguyên, ngày 05 tháng 8 năm 2014"."""
    day, month = day_and_month(value)
    date = _("ngày %(day)s tháng %(month)s năm %(year)s", day=day, month=month,
             year=as_local(value).year)
    return f"{place}, {date}" if place else date[:1].upper() + date[1:]


def write_letterhead(document, head: Head, *, size: float = 12, margin=None) -> None:
    """The letterhead as a borderless two-column table. `size` is the agency's and the national
    title's (Decree 30 allows 12 to 13 pt); `margin`, when given, the cells' side margins."""
    agency, nation = borderless_table(document, HEAD_WIDTHS)
    if margin is not None:
        cell_margins((agency, nation), margin)
    if head.parent_agency:
        paragraph(agency, head.parent_agency, size=size, align=CENTER, space_after=0)
    paragraph(agency, head.host_agency, bold=True, size=size, align=CENTER, space_after=0)
    rule(agency, Mm(25))
    paragraph(agency, head.number, align=CENTER)
    paragraph(nation, NATIONAL_TITLE, bold=True, size=size, align=CENTER, space_after=0)
    paragraph(nation, NATIONAL_MOTTO, bold=True, align=CENTER, space_after=0)
    rule(nation, Mm(55))
    if head.place_and_date:
        paragraph(nation, head.place_and_date, italic=True, align=CENTER)


def write_title(document, title: str, subtitle: str, *, draft_mark: str = "",
                space_before: float = 18, space_after: float = 12) -> None:
    """The kind of document ("BÁO CÁO") and what it is about, centred under the letterhead;
    "DỰ THẢO" above them on a draft."""
    if draft_mark:
        paragraph(document, draft_mark, bold=True, size=12, space_after=0)
    heading = paragraph(document, title, bold=True, size=14, align=CENTER, space_after=0)
    heading.paragraph_format.space_before = Pt(space_before)
    paragraph(document, subtitle, bold=True, align=CENTER, space_after=space_after)


def foot(document, widths=FOOT_WIDTHS):
    """The cells of the foot's row (the recipients, the signer; or the signers side by side),
    a row never split over two pages: a signature is never parted from its title."""
    cells = borderless_table(document, widths)
    unsplittable(cells)
    return cells


def write_recipients(container, label: str, recipients: list[str], *,
                     kept: bool = False) -> None:
    """"Nơi nhận:" and one "- …" line per recipient (`kept`: never split from the page)."""
    lines = [paragraph(container, label, bold=True, italic=True, size=12, space_after=0)]
    lines += [paragraph(container, f"- {line}", size=11, space_after=0) for line in recipients]
    if kept:
        for line in lines:
            keep(line)


def write_signature(cell, authority: str, title: str, name: str, *,
                    space: float = SIGNATURE_SPACE, kept: bool = False) -> None:
    """The signer's block: the authority ("TM. …", "KT. …"), the title, `space` points for the
    signature and the seal, the name (`kept`: the block is never split over two pages)."""
    lines = [paragraph(cell, authority, bold=True, align=CENTER, space_after=0),
             paragraph(cell, title, bold=True, align=CENTER, space_after=space),
             paragraph(cell, name, bold=True, align=CENTER, space_after=0)]
    if kept:
        for line in lines:
            keep(line, with_next=line is not lines[-1])
