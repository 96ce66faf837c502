"""Plain functions that make test data; each commits, so that requests can see it."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import event

from workshop.extensions import db
from workshop.models import Organization, User, Workshop, WorkshopSession
from workshop.timeutil import LOCAL_TZ

_sequence = itertools.count(1)
PASSWORD = "matkhau-123"


def make_user(role: str = "organizer", email: str | None = None, name: str | None = None,
              password: str = PASSWORD) -> User:
    n = next(_sequence)
    user = User(email=email or f"{role}{n}@example.org", role=role,
                name=name or f"Người dùng {n}", title="Chuyên viên")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_organization(name: str | None = None, kind: str = "department", **fields) -> Organization:
    n = next(_sequence)
    organization = Organization(name=name or f"Sở Thử nghiệm {n}", kind=kind, **fields)
    db.session.add(organization)
    db.session.commit()
    return organization


def make_workshop(code: str | None = None, sessions: int = 2, **fields) -> Workshop:
    n = next(_sequence)
    values = {
        "code": code or f"ht-{n}",
        "title": f"Hội thảo thử nghiệm {n}",
        "starts_at": datetime(2030, 8, 12, 8, 0, tzinfo=LOCAL_TZ),
        "ends_at": datetime(2030, 8, 12, 11, 30, tzinfo=LOCAL_TZ),
        "venue": "Hội trường tầng 3",
    }
    values.update(fields)
    workshop = Workshop(**values)
    for position in range(1, sessions + 1):
        workshop.sessions.append(WorkshopSession(position=position, title=f"Phiên {position}"))
    db.session.add(workshop)
    db.session.commit()
    return workshop


# --- Letters and outbox (invitations made with the model, not the invitations services) ---

def make_letter_workshop(**fields) -> Workshop:
    """A workshop with everything an official letter needs: host, parent agency, signer."""
    from workshop.models import Organization

    host = Organization(name="Sở Khoa học và Công nghệ", kind="department",
                        code=f"SKHCN-{next(_sequence)}")
    values = {
        "host_organization": host,
        "host_parent_name": "UBND tỉnh Thái Nguyên",
        "letter_code": "SKHCN",
        "letter_place": "Thái Nguyên",
        "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Hữu Phúc",
        "title": "Hội thảo đánh giá 05 năm áp dụng TCVN ISO 9001:2008",
        "rsvp_deadline": datetime(2030, 8, 8, 17, 0, tzinfo=LOCAL_TZ),
    }
    values.update(fields)
    return make_workshop(**values)


def make_invitee(workshop: Workshop, name: str | None = None, email: str | None = "auto",
                 present: bool = False, **fields):
    """An invitation made directly with the model; `email="auto"` gives a unique address,
    `present=True` checks the person in as well."""
    from workshop.models import CheckIn, Invitation

    n = next(_sequence)
    if fields.get("status") == "delegated":
        fields.setdefault("delegate_name", "Người dự thay")  # the database asks for one
    invitation = Invitation(
        workshop=workshop, name=name or f"Đại biểu {n}",
        email=f"daibieu{n}@example.org" if email == "auto" else email,
        letter_number=fields.pop("letter_number", n), **fields,
    )
    db.session.add(invitation)
    if present:
        db.session.flush()
        db.session.add(CheckIn(invitation_id=invitation.id, workshop_id=invitation.workshop_id))
    db.session.commit()
    return invitation


def make_invitees(workshop: Workshop, count: int) -> list:
    """`count` invitations in one commit (a hall of phones needs hundreds)."""
    from workshop.models import Invitation

    numbers = [next(_sequence) for _ in range(count)]
    invitations = [Invitation(workshop=workshop, name=f"Đại biểu {n}", letter_number=n,
                              email=f"daibieu{n}@example.org") for n in numbers]
    db.session.add_all(invitations)
    db.session.commit()
    return invitations


def attendee_headers(workshop: Workshop, name: str | None = None, **fields) -> dict[str, str]:
    """The header an attendee's phone sends: the token of a new invitation to `workshop`."""
    return {"X-Invitation-Token": make_invitee(workshop, name, **fields).token}


def bearer_headers(user: User) -> dict[str, str]:
    """The header of an API call made with a new token of `user`."""
    from workshop.auth.services import create_api_token

    return {"Authorization": f"Bearer {create_api_token(user)}"}


def make_team_member(workshop: Workshop, user: User, role: str):
    """`user` in the team of `workshop` with `role` (chair or staff)."""
    from workshop.models import TeamMember

    row = TeamMember(workshop_id=workshop.id, user_id=user.id, role=role)
    db.session.add(row)
    db.session.commit()
    return row


# --- Summary (lessons learned): a workshop after the event, every kind of record in it ---

def make_reviewed_workshop():
    """A workshop after the event, built with the models: four agencies (one never represented),
    answers of every kind, check-ins and a walk-in, questions (answered, unanswered, anonymous,
    hidden, merged), feedback in the four categories with ratings, and one contribution.
    Returns a SimpleNamespace of the records the tests look for."""
    from types import SimpleNamespace

    from workshop.models import CheckIn, Contribution, Feedback, Organization, Question

    workshop = make_letter_workshop(title="Hội thảo tổng kết 05 năm áp dụng ISO 9001:2008")
    first, second = workshop.sessions
    agencies = {
        "noi_vu": Organization(name="Sở Nội vụ", kind="department"),
        "tu_phap": Organization(name="Sở Tư pháp", kind="department"),
        "pho_yen": Organization(name="UBND thị xã Phổ Yên", kind="district"),
        "tdc": Organization(name="Chi cục Tiêu chuẩn Đo lường Chất lượng", kind="subdepartment"),
    }
    db.session.add_all(agencies.values())
    db.session.commit()
    accepted = make_invitee(workshop, "Nguyễn Văn An", organization=agencies["noi_vu"],
                            status="accepted", title="Giám đốc Sở")
    delegated = make_invitee(workshop, "Lê Văn Cường", organization=agencies["tu_phap"],
                             status="delegated", delegate_name="Trần Thị Bình",
                             delegate_title="Phó Giám đốc Sở")
    declined = make_invitee(workshop, "Hoàng Văn Dũng", organization=agencies["pho_yen"],
                            status="declined")
    silent = make_invitee(workshop, "Phạm Thị Hà", organization=agencies["tdc"], status="sent")
    walk_in = make_invitee(workshop, "Đỗ Văn Khách", email=None, status="accepted", walk_in=True,
                           letter_number=None)
    for invitation in (accepted, delegated, walk_in):
        db.session.add(CheckIn(invitation_id=invitation.id, workshop_id=workshop.id))

    def question(session, text, **fields):
        record = Question(workshop_id=workshop.id, session_id=session.id, text=text, **fields)
        db.session.add(record)
        db.session.flush()
        return record

    answered = question(
        first, "Làm thế nào để duy trì hệ thống ISO khi thay đổi cán bộ đầu mối?",
        invitation_id=accepted.id, votes=7, answer="Giao trách nhiệm cho lãnh đạo phụ trách và "
        "đào tạo lại cán bộ mới trong vòng một tháng.", answered_by="Chi cục trưởng Chi cục TĐC",
        assigned_to="Chi cục trưởng Chi cục TĐC", answered_at=workshop.starts_at)
    pending_answer = question(first, "Kinh phí duy trì ISO năm tới lấy từ nguồn nào?",
                              invitation_id=delegated.id, votes=3,
                              assigned_to="Phó Giám đốc Sở Tài chính")
    hidden = question(first, "Câu hỏi lạc đề đã bị ẩn khỏi danh sách", invitation_id=accepted.id,
                      status="hidden", votes=1)
    merged = question(first, "Câu hỏi trùng đã được gộp vào câu khác", invitation_id=delegated.id,
                      status="merged", merged_into_id=answered.id)
    anonymous = question(second, "Có nên chuyển sang TCVN ISO 9001:2015 ngay không?",
                         invitation_id=delegated.id, anonymous=True, votes=2,
                         answer="Lộ trình chuyển đổi hoàn thành trước năm 2031.",
                         answered_by="Phó Giám đốc Sở KH&CN", answered_at=workshop.starts_at)

    def feedback(invitation, category, text, session=None, rating=None):
        record = Feedback(workshop_id=workshop.id, invitation_id=invitation.id, category=category,
                          text=text, session_id=session.id if session else None, rating=rating)
        db.session.add(record)
        return record

    items = [
        feedback(accepted, "result", "100% thủ tục hành chính đã được chuẩn hóa theo ISO.", first, 5),
        feedback(accepted, "obstacle", "Cán bộ đầu mối thay đổi thường xuyên.", first, 3),
        feedback(delegated, "lesson", "Người đứng đầu phải trực tiếp chỉ đạo việc áp dụng ISO.",
                 second, 4),
        feedback(walk_in, "recommendation", "<script>alert('xss')</script> Cần hỗ trợ kinh phí tư vấn."),
        feedback(delegated, "lesson", "Đánh giá nội bộ định kỳ giúp phát hiện sớm điểm không phù hợp.",
                 rating=4),
    ]
    contribution = Contribution(invitation_id=declined.id,
                                results="Phổ Yên đã áp dụng ISO tại 12 phòng chuyên môn.",
                                lessons="Phải gắn ISO với cải cách hành chính của huyện.")
    db.session.add(contribution)
    db.session.commit()
    return SimpleNamespace(
        workshop=workshop, sessions=(first, second), agencies=agencies, accepted=accepted,
        delegated=delegated, declined=declined, silent=silent, walk_in=walk_in, answered=answered,
        pending_answer=pending_answer, hidden=hidden, merged=merged, anonymous=anonymous,
        feedback=items, contribution=contribution,
    )


# --- Fuzzing: "the database unchanged by a refused request" ---

def database_snapshot(*, ignore: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table (but those in `ignore`), in a comparable form."""
    from sqlalchemy import select

    db.session.expire_all()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables if table.name not in ignore
    }


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement the app runs inside the block, for the tests that keep a hot path
    at its number of statements."""
    seen: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
