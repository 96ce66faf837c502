"""The personal page's GET reads plain rows (invitations/page.py), not the model: for every state
of an invitation the page must read the same values of them as of the model, and show the same
HTML. The answer sent (POST) still loads the model."""
import dataclasses
import re
from datetime import timedelta

import pytest
from flask_babel import refresh

from tests import factories
from workshop.extensions import db
from workshop.invitations import deputies, page, rsvp, services, views
from workshop.models import SummaryVersion
from workshop.summary import services as summary
from workshop.timeutil import utcnow

DEPUTY = ("Lê Thị Hoa", "Phó Giám đốc Sở", "0912 345 678")


def _workshop(**fields):
    host = factories.make_organization("Sở Khoa học và Công nghệ", phone="0208 3856 789",
                                       email="skhcn@thainguyen.gov.vn",
                                       address="Số 1 đường Hoàng Văn Thụ")
    values = {"host_organization": host, "description": "Đại biểu mang theo báo cáo.",
              "signer_title": "Phó Giám đốc", "signer_name": "Nguyễn Văn An"}
    values.update(fields)
    workshop = factories.make_workshop(**values)
    workshop.sessions[0].presenter = "Chi cục Tiêu chuẩn Đo lường Chất lượng"
    workshop.sessions[0].starts_at = workshop.starts_at
    workshop.sessions[0].ends_at = workshop.starts_at + timedelta(minutes=45)
    workshop.sessions[1].position = 0  # the agenda's order is the positions', not the ids'
    db.session.commit()
    return workshop


def _invitee(workshop, **fields):
    agency = factories.make_organization("Sở Tư pháp")
    fields.setdefault("status", "sent")
    return factories.make_invitee(workshop, "Trần Văn Bình", salutation="Ông",
                                  title="Giám đốc Sở", organization_id=agency.id, **fields)


def _on_the_day(**fields):
    now = utcnow()
    return _workshop(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3),
                     rsvp_deadline=now - timedelta(days=1), **fields)


def _ended(**fields):
    now = utcnow()
    return _workshop(starts_at=now - timedelta(hours=4), ends_at=now - timedelta(hours=1),
                     **fields)


def unanswered():
    return _invitee(_workshop())


def accepted():
    return _invitee(_workshop(), status="accepted")


def declined():
    return _invitee(_workshop(), status="declined")


def deputy_pending():
    """A second deputy named while the first waited: the page reads the one named now."""
    invitation = _invitee(_workshop(deputy_approval=True))
    rsvp.respond(invitation, "delegate", "Vũ Văn Phó", None, None, delegate_email="pho@example.org")
    rsvp.respond(invitation, "delegate", *DEPUTY, delegate_email="hoa@example.org")
    return invitation


def deputy_approved():
    invitation = deputy_pending()
    deputies.decide(invitation, True, actor=factories.make_user("organizer"))
    return invitation


def deputy_approved_at_once():
    """No approval asked: approved on the answer; a second deputy named after the first."""
    invitation = _invitee(_workshop())
    rsvp.respond(invitation, "delegate", "Vũ Văn Phó", None, None)
    rsvp.respond(invitation, "delegate", *DEPUTY)
    return invitation


def deputy_refused():
    invitation = deputy_pending()
    deputies.decide(invitation, False, "Người dự thay phải là lãnh đạo Sở.",
                    actor=factories.make_user("organizer"))
    return invitation


def checked_in_with_a_seat():
    return _invitee(_on_the_day(), status="accepted", seat_row=2, seat_number=5, present=True)


def at_the_head_table():
    return _invitee(_on_the_day(), status="accepted", seat_row=0, seat_number=1)


def deputy_on_the_day():
    invitation = _invitee(_workshop())
    rsvp.respond(invitation, "delegate", *DEPUTY)
    workshop = invitation.workshop
    workshop.starts_at, workshop.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=3)
    db.session.commit()
    return invitation


def no_host_no_sessions():
    workshop = factories.make_workshop(sessions=0)
    return factories.make_invitee(workshop, "Trần Văn Bình", status="accepted")


def ended_without_summary():
    return _invitee(_ended(), status="accepted", present=True)


def ended_with_summary():
    invitation = _invitee(_ended(), status="accepted", present=True)
    summary.save_conclusions(invitation.workshop, "Kết luận chính thức của hội thảo.",
                             factories.make_user("chair"), final=True)
    return invitation


# Each state, the query the page is opened with, and what its page must show.
STATES = {
    "unanswered": (unanswered, "", [
        "Tôi sẽ tham dự", "Ông <strong>Trần Văn Bình</strong>, Giám đốc Sở – Sở Tư pháp",
        "Chi cục Tiêu chuẩn Đo lường Chất lượng", "Số 1 đường Hoàng Văn Thụ",
        "Phó Giám đốc Nguyễn Văn An", "Đại biểu mang theo báo cáo."]),
    "accepted": (accepted, "", ["Ông/Bà đã xác nhận: Tham dự.", "Đổi câu trả lời"]),
    "declined": (declined, "", ["Ông/Bà đã trả lời: Không tham dự."]),
    "deputy-pending": (deputy_pending, "", [
        "Ban tổ chức đang xem xét người dự thay",
        "<strong>Lê Thị Hoa</strong>, Phó Giám đốc Sở (0912 345 678), hoa@example.org",
        "Người dự thay chưa được Ban tổ chức duyệt."]),
    "deputy-approved": (deputy_approved, "", [
        "Người dự thay đã có thẻ vào hội trường riêng", "Kính gửi ông/bà Lê Thị Hoa",
        "gửi thẻ tới e-mail của người dự thay: hoa@example.org", "Dự thay ông/bà Trần Văn Bình"]),
    "deputy-approved-at-once": (deputy_approved_at_once, "", ["Kính gửi ông/bà Lê Thị Hoa"]),
    "deputy-refused": (deputy_refused, "", [
        "Ban tổ chức không chấp thuận người dự thay.",
        "Lý do: Người dự thay phải là lãnh đạo Sở."]),
    "checked-in-seated": (checked_in_with_a_seat, "", [
        "Đã điểm danh lúc", "Chỗ ngồi: Hàng 2, ghế 5", "Đã hết hạn xác nhận tham dự"]),
    "head-table": (at_the_head_table, "", ["Chỗ ngồi: Bàn chủ tọa, ghế 1"]),
    "deputy-on-the-day": (deputy_on_the_day, "", ['<p class="pass-name">Lê Thị Hoa</p>']),
    "no-host-no-sessions": (no_host_no_sessions, "", [
        "Trân trọng kính mời", "Ban tổ chức sẽ cập nhật chương trình.",
        "Vui lòng liên hệ cơ quan đã gửi giấy mời."]),
    "ended": (ended_without_summary, "", ["Báo cáo kết quả sẽ được công bố tại đây."]),
    "ended-summary": (ended_with_summary, "", ["Kết luận chính thức của hội thảo."]),
    "english": (deputy_refused, "?lang=en", ["The organizers did not accept the deputy."]),
    "english-day": (checked_in_with_a_seat, "?lang=en", ["Row 2, seat 5"]),
}


class Recorder:
    """The model as the page reads it: every attribute path read (`seen`), and those asked
    for and missing (`missing`: wtforms asks the form's object for each field)."""

    def __init__(self, target, path, seen, missing):
        self._target, self._path, self._seen, self._missing = target, path, seen, missing

    def __getattr__(self, name):
        path = (*self._path, name)
        try:
            value = getattr(self._target, name)
        except AttributeError:
            if not name.startswith("__"):
                self._missing.add(path)
            raise
        self._seen.add(path)
        return _recorded(value, path, self._seen, self._missing)


def _recorded(value, path, seen, missing):
    if isinstance(value, db.Model):
        return Recorder(value, path, seen, missing)
    if isinstance(value, list):
        return [_recorded(item, (*path, n), seen, missing) for n, item in enumerate(value)]
    return value


def _at(value, path):
    for step in path:
        value = value[step] if isinstance(step, int) else getattr(value, step)
    return value


def _described(value):
    """A value as the page can use it: an object is there or not, a list has its length."""
    if isinstance(value, db.Model) or dataclasses.is_dataclass(value):
        return "an object"
    if isinstance(value, (list, tuple)):
        return ("items", len(value))
    return value


def _html(response):
    assert response.status_code == 200
    # The CSRF tokens are signed with the time: the same token, made a second apart, differs.
    return re.sub(r'((?:name="csrf_token" value|name="csrf-token" content)=")[^"]+', r"\1",
                  response.get_data(as_text=True))


def _open(client, url):
    """The page as a phone opens it: nothing the test's session or application context holds
    is taken as loaded (the requests share them), neither rows nor the locale."""
    db.session.expire_all()
    refresh()
    return _html(client.get(url))


def _both_pages(client, monkeypatch, token, query):
    """The page as it is (plain rows), and as the model renders it, recording what it reads."""
    plain = _open(client, f"/i/{token}{query}")
    seen, missing = set(), set()
    with monkeypatch.context() as patched:
        patched.setattr(views, "personal_page", lambda token: Recorder(
            services.find_for_personal_page(token), (), seen, missing))
        modelled = _open(client, f"/i/{token}{query}")
    return plain, modelled, seen, missing


# Parts of each object the page reads, in at least one state: a recorder that saw nothing
# would compare nothing.
READ = [("salutation",), ("attendee_name",), ("stands_in_for",), ("seat_label",),
        ("delegate_email",), ("deputy_nomination", "reason"), ("checkin", "checked_in_at"),
        ("organization", "name"), ("workshop", "host_organization", "address"),
        ("workshop", "sessions", 0, "presenter"), ("workshop", "sessions", 1, "title"),
        ("workshop", "summary_published"), ("workshop", "rsvp_deadline"),
        ("workshop", "signer_name"), ("delegate_name",), ("pass_token",)]


def test_the_page_reads_of_its_rows_what_it_reads_of_the_model(ctx, client, monkeypatch):
    read = set()
    for state, (make, query, shown) in STATES.items():
        token = make().token

        plain, modelled, seen, missing = _both_pages(client, monkeypatch, token, query)

        db.session.expire_all()
        rows, model = page.personal_page(token), services.find_for_personal_page(token)
        assert isinstance(rows, page.PageInvitation)
        for path in sorted(seen, key=str):
            assert _described(_at(rows, path)) == _described(_at(model, path)), (state, path)
        for path in missing:
            with pytest.raises(AttributeError):
                _at(rows, path)
        assert plain == modelled, state
        for text in shown:
            assert text in plain, (state, text)
        read.update(seen)
    assert set(READ) <= read, set(READ) - read


def test_an_unknown_or_overlong_token_reads_nothing(ctx):
    with factories.statements() as seen:
        assert page.personal_page("no-such-token") is None
        assert page.personal_page(None) is None and page.personal_page("x" * 65) is None
    assert len(seen) == 1


def test_the_rows_are_of_now_not_of_what_the_session_holds(ctx, client):
    invitation = accepted()
    # Another request (another worker) changes the invitation; this session still holds it.
    db.session.execute(db.update(type(invitation)).where(type(invitation).id == invitation.id)
                       .values(status="declined").execution_options(synchronize_session=False))
    db.session.commit()
    assert page.personal_page(invitation.token).status == "declined"


def test_the_page_and_its_pass_share_the_budget_of_the_link(make_app):
    """The page's GET names its holder from its plain rows: the same budget as the link's
    other pages (and its answer), not one of its own."""
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        token = accepted().token
    pages = [client.get(f"/i/{token}").status_code for _n in range(100)]
    images = [client.get(f"/i/{token}/pass.png").status_code for _n in range(19)]
    answer = client.post(f"/i/{token}", data={"response": "accept"}).status_code
    assert pages == [200] * 100 and images == [200] * 19 and answer == 302
    assert client.get(f"/i/{token}").status_code == 429


def test_a_summary_published_before_snapshots_is_frozen_from_the_page(ctx, client):
    invitation = ended_with_summary()
    final = db.session.scalar(db.select(SummaryVersion).where(
        SummaryVersion.workshop_id == invitation.workshop_id, SummaryVersion.status == "final"))
    final.snapshot = None
    db.session.commit()
    db.session.expire_all()

    shown = client.get(f"/i/{invitation.token}").get_data(as_text=True)

    assert "Kết luận chính thức của hội thảo." in shown
    db.session.expire_all()
    assert db.session.get(SummaryVersion, final.id).snapshot is not None
