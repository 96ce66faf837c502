"""The demo: the Thai Nguyen review of five years of ISO 9001:2008 in 35 agencies (12/8/2014).

Agency names are real; the people are invented.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..models import Organization, User, Workshop, WorkshopSession
from ..timeutil import LOCAL_TZ

DATA_FILE = Path(__file__).parent / "data" / "thai_nguyen_2014_organizations.csv"
DEMO_CODE = "iso9001-2014"


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


def _at(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2014, 8, day, hour, minute, tzinfo=LOCAL_TZ)


AGENDA = (
    (_at(8, 0), _at(8, 15), "Khai mạc hội thảo",
     "Phó Giám đốc Sở Khoa học và Công nghệ"),
    (_at(8, 15), _at(9, 0),
     "Báo cáo đánh giá kết quả 05 năm áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia "
     "TCVN ISO 9001:2008 tại các cơ quan hành chính nhà nước tỉnh Thái Nguyên",
     "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (_at(9, 0), _at(9, 45),
     "Phổ biến Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ về việc áp dụng "
     "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2008 vào hoạt động của các "
     "cơ quan, tổ chức thuộc hệ thống hành chính nhà nước",
     "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (_at(9, 45), _at(11, 0),
     "Thảo luận, hỏi đáp: Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng trả lời ý kiến "
     "của đại biểu",
     "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (_at(11, 0), _at(11, 30), "Kết luận hội thảo",
     "Phó Giám đốc Sở Khoa học và Công nghệ"),
)


@dataclass
class DemoResult:
    loaded: bool
    message: str


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
    return accounts


def load_demo(only_if_empty: bool = False) -> DemoResult:
    """Create the demo agencies, accounts and workshop; running it again changes nothing."""
    if only_if_empty and db.session.scalar(select(func.count()).select_from(Workshop)):
        return DemoResult(False, "The database already has workshops; demo not loaded.")

    from ..directory.services import import_organizations

    import_organizations(DATA_FILE.name, DATA_FILE.read_bytes())
    accounts = _ensure_accounts()
    workshop = db.session.scalar(select(Workshop).where(Workshop.code == DEMO_CODE))
    if workshop is None:
        host = db.session.scalar(select(Organization).where(Organization.code == "SKHCN"))
        workshop = Workshop(
            code=DEMO_CODE,
            title="Hội thảo đánh giá 05 năm áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn "
            "quốc gia TCVN ISO 9001:2008 vào hoạt động của các cơ quan hành chính nhà nước "
            "trên địa bàn tỉnh Thái Nguyên",
            starts_at=_at(8, 0),
            ends_at=_at(11, 30),
            venue="Hội trường Sở Khoa học và Công nghệ tỉnh Thái Nguyên",
            rsvp_deadline=_at(17, 0, day=8),
            host_organization=host,
            description="Đánh giá kết quả 05 năm (2009–2014) xây dựng, áp dụng và duy trì Hệ thống "
            "quản lý chất lượng theo TCVN ISO 9001:2008 tại 35 cơ quan hành chính nhà nước của "
            "tỉnh; trao đổi, giải đáp những tồn tại, vướng mắc; rút ra bài học kinh nghiệm và "
            "triển khai Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ.",
        )
        for position, (starts_at, ends_at, title, presenter) in enumerate(AGENDA, start=1):
            workshop.sessions.append(WorkshopSession(
                position=position, title=title, starts_at=starts_at, ends_at=ends_at,
                presenter=presenter, chair=accounts["chair"],
            ))
        db.session.add(workshop)
    db.session.commit()
    return DemoResult(True, f"Demo workshop loaded: {DEMO_CODE}")
