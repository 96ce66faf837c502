"""The biên bản hội thảo (Decree 30/2020/NĐ-CP, template 1.9) and the thông báo kết luận (template
1.4): drafted from the record, edited, and laid out once as a `Document` that the A4 print page
and the DOCX both write out, so the two never say different things.

The biên bản is text in sections that the organizer edits until it is final; the notice keeps the
chair's conclusions as structured items (agency and deadline), which later become follow-up tasks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..attendance import attendance
from ..extensions import db
from ..letters.services import clock
from ..models import (
    KIND_LABELS,
    ORGANIZATION_KINDS,
    CheckIn,
    ConclusionItem,
    ConclusionNotice,
    Invitation,
    Minutes,
    Organization,
    User,
    Workshop,
)
from ..office.letterhead import official_date
from ..refusals import Refusal
from ..summary.services import compile_summary
from ..text import fold
from ..timeutil import LOCAL_TZ, as_local, utcnow

MAX_TEXT_LENGTH = 50_000
MAX_ITEMS = 100
MINUTES_TITLE = "BIÊN BẢN"
NOTICE_TITLE = "THÔNG BÁO"
BLANK = "\u2026" * 12  # "…………" where a name is still to be written


class DocumentError(Refusal):
    """A refused save of the biên bản or the thông báo; `index` the item at fault, if any."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid",
                 index: int | None = None) -> None:
        super().__init__(message, field, code)
        self.index = index


# --- what both documents say ---------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One paragraph: `label` (bold) runs into `text`; `kind` is `text`, `heading` (bold), `item`
    (a "- " line), `sub` (a "+ " line, indented) or `note` (italic)."""

    text: str
    kind: str = "text"
    label: str = ""


@dataclass(frozen=True)
class Signature:
    authority: str  # "THƯ KÝ", "CHỦ TỌA", "KT. GIÁM ĐỐC"
    title: str
    name: str


@dataclass(frozen=True)
class Document:
    parent_agency: str
    host_agency: str
    number: str  # "Số: 15/BB-SKHCN"
    place_and_date: str  # empty on a biên bản: its times are in the text
    draft_mark: str
    title: str
    subtitle: str
    body: list[Line]
    signatures: list[Signature]  # left to right
    recipients: list[str]
    recipients_label: str = "Nơi nhận:"
    # The last paragraphs, kept on the page of the signature blocks.
    closing: list[Line] = field(default_factory=list)


_HEADING = re.compile(r"^(\d+|[IVXLC]+|[a-zđ])[.)]\s")


def text_lines(text: str) -> list[Line]:
    """Typed text as paragraphs: "- " and "+ " start list lines; "1. " starts a heading when
    the line is no sentence (a session of the agenda), else it is a numbered paragraph."""
    lines = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("+ "):
            lines.append(Line(line, "sub"))
        elif line.startswith(("- ", "– ")):
            lines.append(Line(line, "item"))
        elif _HEADING.match(line) and len(line) < 300 and not line.endswith(tuple(".;:!?")):
            lines.append(Line(line, "heading"))
        else:
            lines.append(Line(line))
    return lines


def document_number(typed: str | None, kind: str, workshop: Workshop) -> str:
    """"Số: 15/BB-SKHCN": as the register gave it; a bare number takes the kind and the host's
    code; nothing yet leaves the space for the clerk's pen."""
    code = workshop.letter_code or (workshop.host_organization.code
                                    if workshop.host_organization and workshop.host_organization.code
                                    else "")
    suffix = f"/{kind}-{code}" if code else f"/{kind}"
    typed = (typed or "").strip()
    if "/" in typed:
        return _("Số: %(number)s", number=typed)
    return _("Số: %(number)s", number=(typed or "\u2002" * 4) + suffix)


def _letterhead(workshop: Workshop) -> tuple[str, str]:
    host = workshop.host_organization
    return (workshop.host_parent_name or "").upper(), (host.name if host else "").upper()


def host_name(workshop: Workshop) -> str:
    host = workshop.host_organization
    return host.name if host else _("Ban tổ chức hội thảo")


def chair_of(workshop: Workshop) -> tuple[str, str]:
    """Who chaired, by name and title: the chair of the first session that names one, else the
    workshop's signer."""
    for session in workshop.sessions:
        if session.chair is not None and session.chair.name:
            return session.chair.name, session.chair.title or ""
    title = (workshop.signer_title or "").strip()
    return workshop.signer_name or "", title[:1] + title[1:].lower() if title.isupper() else title


def long_day(value: datetime) -> str:
    """"ngày 12 tháng 8 năm 2014"."""
    text = official_date(value)
    return text[:1].lower() + text[1:]


def short_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


# --- the biên bản -------------------------------------------------------------------------------

SECTION_FIELDS = ("started", "place", "participants", "proceedings", "conclusions", "closing")


@dataclass(frozen=True)
class MinutesText:
    """What the organizer edits: the names in the signature blocks and the text of the sections."""

    number: str = ""
    chair_name: str = ""
    chair_title: str = ""
    secretary_name: str = ""
    secretary_title: str = ""
    started: str = ""
    place: str = ""
    participants: str = ""
    proceedings: str = ""
    conclusions: str = ""
    closing: str = ""

    @classmethod
    def of(cls, minutes: Minutes) -> MinutesText:
        return cls(**{name.name: getattr(minutes, name.name) or "" for name in fields(cls)})


def minutes_of(workshop: Workshop) -> Minutes | None:
    return db.session.scalar(select(Minutes).where(Minutes.workshop_id == workshop.id))


def _present_agencies(workshop: Workshop) -> list[Organization]:
    """The agencies someone checked in for (invitee, deputy or walk-in), in directory order."""
    agencies = db.session.scalars(
        select(Organization).distinct()
        .join(Invitation, Invitation.organization_id == Organization.id)
        .join(CheckIn, CheckIn.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop.id)
    )
    return sorted(agencies, key=lambda agency: (ORGANIZATION_KINDS.index(agency.kind), fold(agency.name)))


def _invited_agency_ids(workshop: Workshop) -> set[int]:
    return set(db.session.scalars(
        select(Invitation.organization_id)
        .where(Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False),
               Invitation.organization_id.is_not(None))
    ))


def _participants(workshop: Workshop) -> str:
    numbers = attendance(workshop)
    present = _present_agencies(workshop)
    invited = _invited_agency_ids(workshop)
    people = _("Đại biểu có mặt: %(people)d người", people=numbers.checked_in)
    if numbers.walk_ins:
        people += _(" (trong đó %(count)d đại biểu đến trực tiếp, không có giấy mời)",
                    count=numbers.walk_ins)
    lines = [_("%(people)s, đại diện %(present)d/%(invited)d cơ quan, đơn vị được mời, gồm:",
               people=people, present=sum(1 for agency in present if agency.id in invited),
               invited=len(invited))]
    by_kind: dict[str, list[str]] = {}
    for agency in present:
        by_kind.setdefault(agency.kind, []).append(agency.name)
    for kind in ORGANIZATION_KINDS:
        if kind in by_kind:
            lines.append(f"- {KIND_LABELS[kind]} ({len(by_kind[kind])}): {', '.join(by_kind[kind])};")
    if numbers.without_anyone:
        lines.append(_("Vắng mặt: %(count)d cơ quan, đơn vị:", count=len(numbers.without_anyone)))
        for agency in numbers.without_anyone:
            if agency.declined:
                reason = _("có báo vắng")
            elif agency.no_show:
                reason = _("đã xác nhận tham dự nhưng không có mặt")
            else:
                reason = _("không phản hồi giấy mời")
            lines.append(f"- {agency.organization.name} ({reason});")
    return "\n".join(lines)


def _speaker(asker: str | None, agency: str | None) -> str:
    if asker and agency:
        return _("Đại biểu %(name)s (%(agency)s)", name=asker, agency=agency)
    if asker:
        return _("Đại biểu %(name)s", name=asker)
    return _("Một đại biểu")


def _proceedings(workshop: Workshop, summary) -> str:
    chairs = {session.id: session.chair for session in workshop.sessions}
    lines = [_("Hội thảo diễn ra theo chương trình như sau:")]
    for number, session in enumerate(summary.sessions, start=1):
        times = " - ".join(clock(value) for value in (session.starts_at, session.ends_at) if value)
        heading = f"{number}. {session.title}"
        lines.append(f"{heading} ({times})" if times else heading)
        chair = chairs.get(session.id)
        if session.presenter:
            lines.append(_("Trình bày: %(presenter)s.", presenter=session.presenter))
        if chair is not None and session.questions:
            lines.append(_("Điều hành thảo luận: %(chair)s.", chair=", ".join(
                filter(None, [chair.name, chair.title]))))
        # "Theo diễn biến": the questions in the order they were asked.
        for question in sorted(session.questions, key=lambda line: line.id):
            lines.append(f"- {_speaker(question.asker, question.agency)} "
                         f"{_('nêu ý kiến:')} {' '.join(question.text.split())}")
            if question.answer:
                who = question.answered_by or _("Chủ tọa")
                lines.append(f"+ {who} {_('trả lời:')} {' '.join(question.answer.split())}")
            else:
                lines.append("+ " + _("Ý kiến chưa được trả lời tại hội thảo."))
    return "\n".join(lines)


def _closing(workshop: Workshop) -> str:
    start, end = as_local(workshop.starts_at), as_local(workshop.ends_at)
    if end is None:
        ended = _("Hội thảo kết thúc vào hồi …… giờ …… cùng ngày.")
    elif end.date() == start.date():
        ended = _("Hội thảo kết thúc vào hồi %(time)s cùng ngày.", time=clock(end))
    else:
        ended = _("Hội thảo kết thúc vào hồi %(time)s, %(day)s.", time=clock(end), day=long_day(end))
    return "\n".join([ended, _("Biên bản được lập thành 02 bản có giá trị như nhau, 01 bản lưu tại "
                               "%(host)s, 01 bản lưu hồ sơ hội thảo./.", host=host_name(workshop))])


def draft_minutes(workshop: Workshop, base: MinutesText | None = None) -> MinutesText:
    """The biên bản as the record tells it, always in Vietnamese; the names of `base` (those the
    organizer entered) are kept."""
    with force_locale("vi"):
        summary = compile_summary(workshop)
        chair_name, chair_title = chair_of(workshop)
        start = as_local(workshop.starts_at)
        conclusions = summary.published.conclusions if summary.published else summary.conclusions
        if not conclusions:
            conclusions = "\n".join(f"{number}. {item.text}" for number, item
                                    in enumerate(conclusion_items(workshop), start=1))
        drafted = MinutesText(
            chair_name=chair_name, chair_title=chair_title,
            started=f"{clock(start)}, {long_day(start)}.",
            place=workshop.venue,
            participants=_participants(workshop),
            proceedings=_proceedings(workshop, summary),
            conclusions=conclusions,
            closing=_closing(workshop),
        )
    if base is not None:
        drafted = replace(drafted, number=base.number, secretary_name=base.secretary_name,
                          secretary_title=base.secretary_title,
                          chair_name=base.chair_name or drafted.chair_name,
                          chair_title=base.chair_title or drafted.chair_title)
    return drafted


def minutes_text(workshop: Workshop) -> tuple[MinutesText, Minutes | None]:
    """The saved text, or (nothing saved yet) the draft from the record."""
    minutes = minutes_of(workshop)
    return (MinutesText.of(minutes) if minutes else draft_minutes(workshop)), minutes


def _check_minutes(text: MinutesText, final: bool) -> None:
    for name in ("chair_name", "started", "place"):
        if not getattr(text, name).strip():
            raise DocumentError(_("Vui lòng nhập trường này."), name)
    for item in fields(text):
        if len(getattr(text, item.name)) > MAX_TEXT_LENGTH:
            raise DocumentError(_("Tối đa %(max)d ký tự.", max=MAX_TEXT_LENGTH), item.name)
    if final and not text.secretary_name.strip():
        raise DocumentError(_("Vui lòng ghi họ tên thư ký trước khi hoàn thành biên bản."),
                            "secretary_name")
    if final and not text.proceedings.strip():
        raise DocumentError(_("Vui lòng ghi nội dung hội thảo trước khi hoàn thành biên bản."),
                            "proceedings")


def _conflict() -> DocumentError:
    return DocumentError(_("Văn bản vừa được người khác lưu. Nội dung ông/bà nhập vẫn còn bên "
                           "dưới: vui lòng xem lại bản mới rồi lưu lại."), code="conflict")


def save_minutes(workshop: Workshop, text: MinutesText, author: User | None,
                 base_revision: int, final: bool = False, *, actor: User | None = None) -> Minutes:
    """Save the edited biên bản (and with `final`, make it final: it no longer changes).
    `base_revision` is the revision the writer started from (0: nothing saved yet)."""
    text = MinutesText(**{item.name: (getattr(text, item.name) or "").strip() for item in fields(text)})
    minutes = minutes_of(workshop)
    if minutes is not None and minutes.is_final:
        raise DocumentError(_("Biên bản đã hoàn thành, không thể sửa."), code="final")
    if (minutes.revision if minutes else 0) != base_revision:
        raise _conflict()
    _check_minutes(text, final)
    if minutes is None:
        minutes = Minutes(workshop_id=workshop.id)
        db.session.add(minutes)
    for item in fields(text):
        setattr(minutes, item.name, getattr(text, item.name) or (
            "" if item.name in SECTION_FIELDS or item.name == "chair_name" else None))
    minutes.author_id = author.id if author else None
    minutes.updated_at = utcnow()
    if final:
        minutes.status, minutes.finalized_at = "final", utcnow()
    audit.log("minutes.save", workshop=workshop, actor=actor)
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):  # another save at the same moment
        db.session.rollback()
        raise _conflict() from None
    return minutes


def redraft_minutes(workshop: Workshop, author: User | None, base_revision: int, *,
                    actor: User | None = None) -> Minutes:
    """Write the sections again from the record (the names entered are kept)."""
    minutes = minutes_of(workshop)
    base = MinutesText.of(minutes) if minutes else None
    return save_minutes(workshop, draft_minutes(workshop, base), author, base_revision, actor=actor)


def minutes_document(workshop: Workshop) -> Document:
    """The biên bản as printed: the final text, or the current draft marked "DỰ THẢO"."""
    text, minutes = minutes_text(workshop)
    parent, host = _letterhead(workshop)
    with force_locale("vi"):
        secretary = ", ".join(filter(None, [text.secretary_name, text.secretary_title]))
        chair = ", ".join(filter(None, [text.chair_name, text.chair_title]))
        body = [
            Line(text.started, "label", _("Thời gian bắt đầu:")),
            Line(text.place, "label", _("Địa điểm:")),
            Line("", "label", _("Thành phần tham dự:")),
            Line(chair, "item", "- " + _("Chủ trì (chủ tọa):")),
            Line(secretary or BLANK, "item", "- " + _("Thư ký (người ghi biên bản):")),
            *text_lines(text.participants),
            Line("", "label", _("Nội dung (theo diễn biến hội thảo):")),
            *text_lines(text.proceedings),
        ]
        if text.conclusions:
            body += [Line("", "label", _("Kết luận của chủ tọa:")), *text_lines(text.conclusions)]
        return Document(
            closing=text_lines(text.closing),
            parent_agency=parent, host_agency=host,
            number=document_number(text.number, "BB", workshop),
            place_and_date="",
            draft_mark="" if minutes is not None and minutes.is_final else _("DỰ THẢO"),
            title=MINUTES_TITLE, subtitle=workshop.title, body=body,
            signatures=[Signature(_("THƯ KÝ"), "", text.secretary_name or ""),
                        Signature(_("CHỦ TỌA"), "", text.chair_name or "")],
            recipients=[_("Lưu: VT, hồ sơ hội thảo.")], recipients_label=_("Nơi nhận:"),
        )


# --- the thông báo kết luận ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeText:
    number: str = ""
    issued_on: date | None = None
    opening: str = ""
    signer_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""


@dataclass(frozen=True)
class ItemInput:
    """One item as typed: `id` of the item it edits (None: a new one), `position` its place."""

    text: str
    organization_id: int | None = None
    due_on: date | None = None
    id: int | None = None
    position: int | None = None


@dataclass
class Notice:
    text: NoticeText
    items: list[ConclusionItem] = field(default_factory=list)
    saved: ConclusionNotice | None = None

    @property
    def revision(self) -> int:
        return self.saved.revision if self.saved else 0


def notice_of(workshop: Workshop) -> ConclusionNotice | None:
    return db.session.scalar(select(ConclusionNotice).where(ConclusionNotice.workshop_id == workshop.id))


def conclusion_items(workshop: Workshop) -> list[ConclusionItem]:
    return list(db.session.scalars(
        select(ConclusionItem).options(selectinload(ConclusionItem.organization))
        .where(ConclusionItem.workshop_id == workshop.id)
        .order_by(ConclusionItem.position, ConclusionItem.id)
    ))


def _default_opening(workshop: Workshop) -> str:
    with force_locale("vi"):
        chair_name, chair_title = chair_of(workshop)
        chair = ", ".join(filter(None, [chair_name, chair_title])) or _("chủ tọa hội thảo")
        numbers = attendance(workshop)
        present = len(_present_agencies(workshop))
        return _(
            "Ngày %(date)s, tại %(venue)s, %(host)s tổ chức %(title)s. Chủ trì hội thảo: đồng chí "
            "%(chair)s. Tham dự hội thảo có %(people)d đại biểu, đại diện lãnh đạo %(agencies)d cơ "
            "quan, đơn vị. Sau khi nghe các báo cáo và ý kiến thảo luận của đại biểu, đồng chí chủ "
            "trì hội thảo kết luận như sau:",
            date=as_local(workshop.starts_at).strftime("%d/%m/%Y"), venue=workshop.venue,
            host=host_name(workshop), title=workshop.title, chair=chair,
            people=numbers.checked_in, agencies=present)


def default_notice(workshop: Workshop) -> NoticeText:
    day = as_local(workshop.ends_at or workshop.starts_at).date()
    return NoticeText(issued_on=day, opening=_default_opening(workshop),
                      signer_authority=workshop.signer_authority or "",
                      signer_title=workshop.signer_title or "", signer_name=workshop.signer_name or "")


def notice(workshop: Workshop) -> Notice:
    saved = notice_of(workshop)
    if saved is None:
        text = default_notice(workshop)
    else:
        text = NoticeText(number=saved.number or "", issued_on=saved.issued_on, opening=saved.opening,
                          signer_authority=saved.signer_authority or "",
                          signer_title=saved.signer_title or "", signer_name=saved.signer_name or "")
    return Notice(text, conclusion_items(workshop), saved)


def save_notice(workshop: Workshop, text: NoticeText, items: list[ItemInput],
                base_revision: int, *, actor: User | None = None) -> Notice:
    """Save the notice and its items as typed, all or nothing: items are kept in `position`
    order (then as listed), an item left out is deleted. `base_revision` is what the writer
    started from (0: nothing saved yet)."""
    saved = notice_of(workshop)
    if (saved.revision if saved else 0) != base_revision:
        raise _conflict()
    if not text.opening.strip():
        raise DocumentError(_("Vui lòng nhập trường này."), "opening")
    if len(text.opening) > MAX_TEXT_LENGTH:
        raise DocumentError(_("Tối đa %(max)d ký tự.", max=MAX_TEXT_LENGTH), "opening")
    if len(items) > MAX_ITEMS:
        raise DocumentError(_("Tối đa %(max)d mục kết luận.", max=MAX_ITEMS), "items")
    existing = {item.id: item for item in conclusion_items(workshop)}
    agencies = set(db.session.scalars(select(Organization.id).where(
        Organization.id.in_({item.organization_id for item in items if item.organization_id}))))
    for index, item in enumerate(items):
        if not item.text.strip():
            raise DocumentError(_("Vui lòng nhập nội dung kết luận."), "text", index=index)
        if len(item.text) > MAX_TEXT_LENGTH:
            raise DocumentError(_("Tối đa %(max)d ký tự.", max=MAX_TEXT_LENGTH), "text", index=index)
        if item.id is not None and item.id not in existing:
            raise DocumentError(_("Mục kết luận không còn tồn tại; vui lòng tải lại trang."),
                                "text", index=index)
        if item.organization_id is not None and item.organization_id not in agencies:
            raise DocumentError(_("Cơ quan không hợp lệ."), "organization_id", index=index)
        if item.due_on is not None and item.organization_id is None:
            raise DocumentError(_("Mục có thời hạn cần ghi cơ quan thực hiện."), "organization_id",
                                index=index)
        if item.due_on is not None and not 2000 <= item.due_on.year <= 2100:
            raise DocumentError(_("Ngày không hợp lệ."), "due_on", index=index)
    if saved is None:
        saved = ConclusionNotice(workshop_id=workshop.id)
        db.session.add(saved)
    saved.number = text.number.strip() or None
    saved.issued_on = text.issued_on
    saved.opening = text.opening.strip()
    saved.signer_authority = text.signer_authority.strip() or None
    saved.signer_title = text.signer_title.strip() or None
    saved.signer_name = text.signer_name.strip() or None
    saved.updated_at = utcnow()  # every save raises the revision, items included
    ordered = sorted(enumerate(items), key=lambda pair: (
        pair[1].position if pair[1].position is not None else 10**6, pair[0]))
    kept = set()
    for position, (_index, item) in enumerate(ordered, start=1):
        row = existing.get(item.id) if item.id is not None else None
        if row is None:
            row = ConclusionItem(workshop_id=workshop.id)
            db.session.add(row)
        else:
            kept.add(row.id)
        row.position, row.text = position, item.text.strip()
        row.organization_id, row.due_on = item.organization_id, item.due_on
    for item_id, row in existing.items():
        if item_id not in kept:
            db.session.delete(row)
    audit.log("minutes.save_notice", workshop=workshop, actor=actor)
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise _conflict() from None
    return notice(workshop)


def acting_agencies(items: list[ConclusionItem],
                    workshop: Workshop | None = None) -> list[Organization]:
    """The agencies the items name, in the order they first appear; with `workshop`, then
    those of its follow-up tasks."""
    seen: dict[int, Organization] = {}
    for item in items:
        if item.organization is not None:
            seen.setdefault(item.organization.id, item.organization)
    if workshop is not None:
        from ..tasks.services import tasks_of

        for task in tasks_of(workshop):
            seen.setdefault(task.organization.id, task.organization)
    return list(seen.values())


def _other_tasks(workshop: Workshop) -> list[Line]:
    """The follow-up tasks given beside the items (not made from one), as the notice's last
    numbered part: the agencies it is sent to must see every task they hold."""
    from ..tasks.services import tasks_of

    extra = [task for task in tasks_of(workshop) if task.conclusion_item_id is None]
    if not extra:
        return []
    lines = [Line(_("Giao nhiệm vụ cụ thể:"))]
    for task in extra:
        lines.append(Line(f"- {' '.join(task.text.split())}"))
        lines.append(Line("({}.)".format("; ".join([
            _("Cơ quan thực hiện: %(agency)s", agency=task.organization.name),
            _("thời hạn hoàn thành: trước ngày %(date)s", date=short_date(task.due_on))])), "note"))
    return lines


def conclusions_document(workshop: Workshop) -> Document:
    current = notice(workshop)
    text = current.text
    parent, host = _letterhead(workshop)
    with force_locale("vi"):
        chair_name, chair_title = chair_of(workshop)
        who = ", ".join(filter(None, [chair_name, chair_title])) or _("chủ tọa")
        body = text_lines(text.opening)
        for number, item in enumerate(current.items, start=1):
            body.append(Line(f"{number}. {' '.join(item.text.split())}"))
            if item.organization is not None:
                parts = [_("Cơ quan thực hiện: %(agency)s", agency=item.organization.name)]
                if item.due_on:
                    parts.append(_("thời hạn hoàn thành: trước ngày %(date)s",
                                   date=short_date(item.due_on)))
                body.append(Line(f"({'; '.join(parts)}.)", "note"))
        if not current.items:
            body.append(Line(_("(Chưa có nội dung kết luận.)"), "note"))
        body.extend(_other_tasks(workshop))
        closing = [Line(_("%(host)s thông báo để các cơ quan, đơn vị biết, thực hiện./.",
                          host=host_name(workshop)))]
        issued = text.issued_on or as_local(workshop.starts_at).date()
        issued_at = datetime(issued.year, issued.month, issued.day, 12, tzinfo=LOCAL_TZ)
        return Document(
            parent_agency=parent, host_agency=host,
            number=document_number(text.number, "TB", workshop),
            place_and_date=official_date(issued_at, workshop.letter_place),
            draft_mark="", title=NOTICE_TITLE,
            subtitle=_("Kết luận của đồng chí %(who)s tại %(title)s", who=who, title=workshop.title),
            body=body, closing=closing,
            signatures=[Signature(text.signer_authority, text.signer_title, text.signer_name)],
            recipients=[*(f"{agency.name};" for agency in acting_agencies(current.items, workshop)),
                        _("Lưu: VT.")],
            recipients_label=_("Nơi nhận:"),
        )


def minutes_docx(workshop: Workshop) -> bytes:
    from .docx import document_docx

    return document_docx(minutes_document(workshop), workshop)


def conclusions_docx(workshop: Workshop) -> bytes:
    from .docx import document_docx

    return document_docx(conclusions_document(workshop), workshop)
