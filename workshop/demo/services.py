"""The demo: the Thai Nguyen review of five years of ISO 9001:2008 in 35 agencies (12/8/2014),
recorded as it happened, and a rehearsal copy a week ahead on which every live flow can be tried.

Agency names are real; the people are invented. Everything goes through the features' services,
so the demo obeys the same rules as the pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from ..directory.imports import import_organizations, parse_import
from ..events.services import SessionData, WorkshopData, add_session, create_workshop, get_workshop
from ..extensions import db
from ..invitations.inviting import invite_organizations, mark_sent
from ..invitations.services import UNANSWERED_FILTER, invitations_statement
from ..links import personal_url
from ..models import Invitation, Organization, User, Workshop
from ..summary.services import compile_summary
from ..timeutil import LOCAL_TZ, as_local, utcnow
from .followup import (
    REVIEW_CODE,
    REVIEW_DAY,
    REVIEW_DESCRIPTION,
    REVIEW_TITLE,
    record_review_feedback,
    record_tasks,
)
from .record import date_letters, record_the_day

DATA_FILE = Path(__file__).parent / "data" / "thai_nguyen_2014_organizations.csv"
DEMO_CODE = "iso9001-2014"
REHEARSAL_CODE = "iso9001-2014-dien-tap"
REHEARSAL_PREFIX = "[Diễn tập] "
DEMO_DAY = date(2014, 8, 12)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    password: str
    name: str
    title: str


DEMO_ACCOUNTS = (
    DemoAccount("bantochuc@example.org", "organizer", "tochuc2014",
                "Ban tổ chức hội thảo", "Văn phòng Sở Khoa học và Công nghệ"),
    DemoAccount("chutri@example.org", "chair", "chutri2014",
                "Nguyễn Hữu Phúc", "Phó Giám đốc Sở Khoa học và Công nghệ"),
    DemoAccount("diemdanh@example.org", "staff", "diemdanh2014",
                "Lê Thu Hà", "Chuyên viên Văn phòng Sở"),
)

# The agenda as times of day: the record and the rehearsal share it.
AGENDA = (
    (time(8, 0), time(8, 15), "Khai mạc hội thảo",
     "Phó Giám đốc Sở Khoa học và Công nghệ"),
    (time(8, 15), time(9, 0),
     "Báo cáo đánh giá kết quả 05 năm áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia "
     "TCVN ISO 9001:2008 tại các cơ quan hành chính nhà nước tỉnh Thái Nguyên",
     "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (time(9, 0), time(9, 45),
     "Phổ biến Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ về việc áp dụng "
     "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2008 vào hoạt động của các "
     "cơ quan, tổ chức thuộc hệ thống hành chính nhà nước",
     "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (time(9, 45), time(11, 0),
     "Thảo luận, hỏi đáp: Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng trả lời ý kiến "
     "của đại biểu",
     "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (time(11, 0), time(11, 30), "Kết luận hội thảo",
     "Phó Giám đốc Sở Khoa học và Công nghệ"),
)
TITLE = ("Hội thảo đánh giá 05 năm áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia "
         "TCVN ISO 9001:2008 vào hoạt động của các cơ quan hành chính nhà nước trên địa bàn tỉnh "
         "Thái Nguyên")
VENUE = "Hội trường Sở Khoa học và Công nghệ tỉnh Thái Nguyên"
DESCRIPTION = ("Đánh giá kết quả 05 năm (2009–2014) xây dựng, áp dụng và duy trì Hệ thống quản lý "
               "chất lượng theo TCVN ISO 9001:2008 tại 35 cơ quan hành chính nhà nước của tỉnh; trao "
               "đổi, giải đáp những tồn tại, vướng mắc; rút ra bài học kinh nghiệm và triển khai Quyết "
               "định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ.")
REHEARSAL_DESCRIPTION = (
    "BẢN DIỄN TẬP, không phải hội thảo thật: bản sao của hội thảo ngày 12/08/2014 để thử các bước "
    "trước ngày tổ chức. Mở đường liên kết cá nhân của một giấy mời để xác nhận tham dự hoặc cử "
    "người dự thay, xuất trình thẻ QR, điểm danh, gửi câu hỏi và góp ý. " + DESCRIPTION)
# The official letter's header, number and signature (Decree 30 layout).
LETTER_FIELDS = {
    "host_parent_name": "UBND tỉnh Thái Nguyên",
    "letter_code": "SKHCN",
    "letter_place": "Thái Nguyên",
    "signer_authority": "KT. GIÁM ĐỐC",
    "signer_title": "PHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Hữu Phúc",
    "letter_number": "125/GM-SKHCN",
    "contact_name": "Bà Lê Thu Hà, Chuyên viên Văn phòng Sở",
    "contact_phone": "0208 3850 014",
}


@dataclass
class DemoResult:
    loaded: bool
    message: str
    # A personal link of the rehearsal workshop, to open at once; None without one.
    rehearsal_link: str | None = None


def _on(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def rehearsal_day(today: date) -> date:
    """The first Tuesday at least 7 days after `today`."""
    day = today + timedelta(days=7)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _ensure_accounts() -> dict[str, User]:
    accounts = {}
    for account in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        if user is None:
            user = User(email=account.email, role=account.role, name=account.name,
                        title=account.title)
            user.set_password(account.password)
            db.session.add(user)
        accounts[account.role] = user
    db.session.commit()
    return accounts


def _ensure_workshop(code: str, title: str, day: date, description: str, chair: User,
                     previous_code: str | None = None) -> tuple[Workshop, list[Invitation]]:
    """The workshop `code` on `day` with the demo's agenda, letter fields and 35 invited
    agencies (their leaders, from the directory), and the invitations made now; what exists
    already is left as it is."""
    workshop = get_workshop(code)
    if workshop is None:
        host_id = db.session.scalar(select(Organization.id).where(Organization.code == "SKHCN"))
        workshop = create_workshop(WorkshopData(
            title=title, starts_at=_on(day, time(8)), ends_at=_on(day, time(11, 30)), venue=VENUE,
            # answers close the Friday before, at 17:00
            rsvp_deadline=_on(day - timedelta(days=4), time(17)), description=description,
            # the báo cáo tham luận are due with the answers
            contribution_deadline=_on(day - timedelta(days=4), time(17)),
            host_organization_id=host_id, previous_code=previous_code, **LETTER_FIELDS,
        ), code=code)
        for starts, ends, session_title, presenter in AGENDA:
            add_session(workshop, SessionData(title=session_title, starts_at=_on(day, starts),
                                              ends_at=_on(day, ends), presenter=presenter,
                                              chair_id=chair.id))
    codes = [row.values["code"] for row in parse_import(DATA_FILE.name, DATA_FILE.read_bytes()).rows]
    agencies = db.session.scalars(select(Organization.id).where(Organization.code.in_(codes)))
    return workshop, invite_organizations(workshop, organization_ids=agencies).created


def rehearsal_link() -> str | None:
    """The personal link of the rehearsal's first invitation still unanswered (else its first)."""
    workshop = db.session.scalar(select(Workshop).where(Workshop.code == REHEARSAL_CODE))
    if workshop is None:
        return None
    invitation = (db.session.scalars(invitations_statement(workshop, UNANSWERED_FILTER)).first()
                  or db.session.scalars(invitations_statement(workshop)).first())
    return personal_url(invitation) if invitation else None


def describe(workshop: Workshop) -> str:
    """One line of what the workshop holds, from its compiled summary."""
    summary = compile_summary(workshop)
    present = summary.attendance
    return (f"{workshop.code} ({as_local(workshop.starts_at):%d/%m/%Y %H:%M}): "
            f"{present.invited} invitations, {present.accepted} accepted, {present.delegated} "
            f"deputies, {present.declined} declined; {present.checked_in} checked in "
            f"({present.walk_ins} walk-in); {summary.question_count} questions "
            f"({summary.answered_count} answered); "
            f"{sum(len(remarks) for remarks in summary.feedback.values())} feedback items")


def load_demo(only_if_empty: bool = False, today: date | None = None) -> DemoResult:
    """Create the demo agencies, accounts, the 2014 record and its rehearsal; running it again
    changes nothing. `today` (Vietnam date) places the rehearsal."""
    if only_if_empty and db.session.scalar(select(func.count()).select_from(Workshop)):
        return DemoResult(False, "The database already has workshops; demo not loaded.",
                          rehearsal_link())

    import_organizations(DATA_FILE.name, DATA_FILE.read_bytes())
    accounts = _ensure_accounts()
    workshop, letters = _ensure_workshop(DEMO_CODE, TITLE, DEMO_DAY, DESCRIPTION, accounts["chair"])
    date_letters(letters)
    mark_sent(workshop)  # in 2014 the letters went out by post before anyone answered
    record_the_day(workshop, accounts["chair"], accounts["staff"])
    record_tasks(workshop)
    review, _letters = _ensure_workshop(REVIEW_CODE, REVIEW_TITLE, REVIEW_DAY, REVIEW_DESCRIPTION,
                                        accounts["chair"], previous_code=DEMO_CODE)
    record_review_feedback(review)
    rehearsal, _letters = _ensure_workshop(
        REHEARSAL_CODE, REHEARSAL_PREFIX + TITLE,
        rehearsal_day(today or as_local(utcnow()).date()), REHEARSAL_DESCRIPTION, accounts["chair"])
    message = "\n".join((
        "Demo loaded.",
        f"  The record:    {describe(workshop)}",
        f"  The next year: {describe(review)}; follows {DEMO_CODE}",
        f"  The rehearsal: {describe(rehearsal)}; answers open until "
        f"{as_local(rehearsal.rsvp_deadline):%d/%m/%Y %H:%M}",
    ))
    return DemoResult(True, message, rehearsal_link())
