"""Workshops and their agendas: the services and the organizer pages."""
from datetime import datetime

import pytest
from sqlalchemy import event, func, select

from tests import factories
from workshop.events import services
from workshop.events.services import EventError, SessionData, WorkshopData
from workshop.extensions import db
from workshop.models import Workshop, WorkshopSession
from workshop.timeutil import LOCAL_TZ

FORM = {
    "title": "Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008",
    "starts_at": "2030-08-12T08:00",
    "ends_at": "2030-08-12T11:30",
    "rsvp_deadline": "2030-08-08T17:00",
    "venue": "Hội trường Sở Khoa học và Công nghệ",
    "description": "Đánh giá kết quả, rút ra bài học kinh nghiệm.",
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 8, day, hour, minute, tzinfo=LOCAL_TZ)


def workshop_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Workshop))


def count_queries(app):
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    return statements, lambda: event.remove(engine, "before_cursor_execute", listener)


# ---- the list -------------------------------------------------------------------------------

def test_list_numbers_come_from_invitations_and_checkins(ctx):
    busy = factories.make_workshop(title="Hội thảo đông", starts_at=at(12, 8))
    quiet = factories.make_workshop(title="Hội thảo vắng", starts_at=at(20, 8), ends_at=None)
    for status, present in [("draft", False), ("sent", False), ("accepted", True),
                            ("accepted", False), ("declined", False), ("delegated", True)]:
        factories.make_invitee(busy, status=status, present=present)
    # present, never invited
    factories.make_invitee(busy, status="accepted", present=True, walk_in=True)
    factories.make_invitee(quiet, status="sent")

    rows = {row.workshop.code: row.attendance for row in services.list_workshops()}

    assert (rows[busy.code].invited, rows[busy.code].answered, rows[busy.code].present) == (6, 4, 2)
    assert (rows[busy.code].expected, rows[busy.code].walk_ins, rows[busy.code].checked_in) == (3, 1, 3)
    assert (rows[quiet.code].invited, rows[quiet.code].answered, rows[quiet.code].present) == (1, 0, 0)
    assert [row.workshop.code for row in services.list_workshops()] == [quiet.code, busy.code]


def test_list_numbers_take_the_same_queries_for_one_or_many_workshops(app, ctx):
    def queries_for_list() -> int:
        statements, stop = count_queries(app)
        try:
            services.list_workshops()
        finally:
            stop()
        return len(statements)

    factories.make_invitee(factories.make_workshop(), status="accepted", present=True)
    one = queries_for_list()
    for _ in range(4):
        factories.make_invitee(factories.make_workshop(), status="declined")
    assert queries_for_list() == one == 2


def test_list_page_shows_dates_venue_and_numbers(client_as, ctx):
    workshop = factories.make_workshop(title="Hội thảo tổng kết", venue="Phòng họp số 2")
    factories.make_invitee(workshop, status="accepted", present=True)
    factories.make_invitee(workshop, status="sent")
    page = client_as("staff").get("/workshops/").get_data(as_text=True)
    assert "Hội thảo tổng kết" in page and "Phòng họp số 2" in page
    assert "12/08/2030" in page and "08:00–11:30" in page
    assert 'data-label="Được mời">2<' in page and 'data-label="Đã trả lời">1<' in page
    assert 'data-label="Có mặt">1/1<' in page  # present / expected
    assert f'href="/workshops/{workshop.code}/"' in page


# One role per test: requests inside a test share the application context, and so the user that
# Flask-Login remembers in `g`.
@pytest.mark.parametrize("role,sees_button", [("organizer", True), ("chair", False), ("staff", False)])
def test_only_organizers_see_the_create_button(client_as, role, sees_button):
    page = client_as(role).get("/workshops/").get_data(as_text=True)
    assert ("Tạo hội thảo" in page) is sees_button
    assert "Chưa có hội thảo nào." in page


def test_titles_are_escaped_on_the_list_and_the_dashboard(client_as, ctx):
    workshop = factories.make_workshop(title="<script>alert(1)</script>")
    client = client_as("organizer")
    for url in ("/workshops/", f"/workshops/{workshop.code}/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---- creating and editing -------------------------------------------------------------------

def test_create_from_the_page_reads_times_as_vietnam_time(client_as, ctx):
    host = factories.make_organization("Sở Khoa học và Công nghệ")
    response = client_as("organizer").post("/workshops/new", data={
        **FORM, "host_organization_id": str(host.id), "host_parent_name": "UBND TỈNH THÁI NGUYÊN",
        "letter_code": "SKHCN", "letter_place": "Thái Nguyên", "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Hữu Phúc",
    })
    workshop = db.session.scalar(select(Workshop))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.code}/")
    assert workshop.starts_at == at(12, 8) and workshop.ends_at == at(12, 11, 30)
    assert workshop.rsvp_deadline == at(8, 17)
    assert workshop.code == "danh-gia-05-nam-ap-dung-2030"
    assert workshop.host_organization == host
    assert (workshop.host_parent_name, workshop.letter_code, workshop.signer_name) == (
        "UBND TỈNH THÁI NGUYÊN", "SKHCN", "Nguyễn Hữu Phúc")


def test_create_form_offers_the_directory_and_explains_the_letter(client_as, ctx):
    factories.make_organization("UBND huyện Phổ Yên", kind="district")
    page = client_as("organizer").get("/workshops/new").get_data(as_text=True)
    assert "Thông tin giấy mời" in page and "UBND TỈNH THÁI NGUYÊN" in page and "GM-SKHCN" in page
    assert "UBND huyện Phổ Yên" in page and 'label="UBND cấp huyện"' in page
    assert 'type="datetime-local"' in page


def test_a_given_code_is_kept_lowercased(client_as, ctx):
    client_as("organizer").post("/workshops/new", data={**FORM, "code": " ISO9001-2030 "})
    assert db.session.scalar(select(Workshop.code)) == "iso9001-2030"


@pytest.mark.parametrize("changes,field_message", [
    ({"ends_at": "2030-08-12T07:00"}, "Thời gian kết thúc phải sau thời gian bắt đầu."),
    ({"rsvp_deadline": "2030-08-13T08:00"}, "Hạn trả lời phải trước khi hội thảo bắt đầu."),
    ({"title": "   "}, "Vui lòng nhập tên hội thảo."),
    ({"starts_at": ""}, "Vui lòng nhập thời gian bắt đầu."),
    ({"starts_at": "mai"}, "Thời gian không hợp lệ"),
    ({"code": "Hội thảo!"}, "Mã hội thảo dài 3–40 ký tự"),
    ({"code": "ab"}, "Mã hội thảo dài 3–40 ký tự"),
    ({"code": "-iso-"}, "Mã hội thảo dài 3–40 ký tự"),
])
def test_bad_input_on_the_page_says_why_keeps_values_and_creates_nothing(client_as, ctx, changes,
                                                                          field_message):
    response = client_as("organizer").post("/workshops/new", data={**FORM, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_message in page
    assert 'value="Hội trường Sở Khoa học và Công nghệ"' in page  # the form keeps what was typed
    assert workshop_count() == 0


def test_a_code_already_used_is_refused(client_as, ctx):
    factories.make_workshop(code="iso-2030")
    page = client_as("organizer").post("/workshops/new", data={**FORM, "code": "iso-2030"}).get_data(
        as_text=True)
    assert "Mã hội thảo này đã được dùng" in page
    assert workshop_count() == 1


def test_generated_codes_stay_unique_and_readable(ctx):
    data = WorkshopData(title="Hội thảo <b>khoa học</b> & công nghệ", starts_at=at(12, 8), venue="X")
    codes = [services.create_workshop(data).code for _ in range(3)]
    assert codes == ["b-khoa-hoc-b-cong-nghe-2030", "b-khoa-hoc-b-cong-nghe-2030-2",
                     "b-khoa-hoc-b-cong-nghe-2030-3"]
    symbols = services.create_workshop(WorkshopData(title="!!!", starts_at=at(12, 8), venue="X"))
    assert symbols.code == "hoi-thao-2030"


@pytest.mark.parametrize("role", ["staff", "chair"])
def test_staff_and_chairs_cannot_create_or_edit(client_as, ctx, role):
    workshop = factories.make_workshop()
    client = client_as(role)
    assert client.get("/workshops/new").status_code == 403
    assert client.post("/workshops/new", data=FORM).status_code == 403
    assert client.post(f"/workshops/{workshop.code}/edit", data=FORM).status_code == 403
    assert client.get(f"/workshops/{workshop.code}/").status_code == 200
    assert workshop_count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, ctx):
    workshop = factories.make_workshop()
    response = client.get(f"/workshops/{workshop.code}/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_edit_changes_everything_but_the_code(client_as, ctx):
    workshop = factories.make_workshop(code="giu-nguyen-ma")
    client = client_as("organizer")
    form_page = client.get("/workshops/giu-nguyen-ma/edit").get_data(as_text=True)
    assert 'value="2030-08-12T08:00"' in form_page and 'name="code"' not in form_page
    response = client.post("/workshops/giu-nguyen-ma/edit", data={
        **FORM, "code": "ma-moi", "title": "Tên mới", "starts_at": "2030-08-13T13:30",
        "ends_at": "", "rsvp_deadline": ""})
    assert response.status_code == 302
    db.session.refresh(workshop)
    assert (workshop.code, workshop.title, workshop.starts_at, workshop.ends_at) == (
        "giu-nguyen-ma", "Tên mới", at(13, 13, 30), None)


def test_edit_refuses_ends_before_starts_and_changes_nothing(client_as, ctx):
    workshop = factories.make_workshop(code="ht-sua")
    page = client_as("organizer").post("/workshops/ht-sua/edit", data={
        **FORM, "title": "Không được lưu", "ends_at": "2030-08-11T08:00"}).get_data(as_text=True)
    assert "Thời gian kết thúc phải sau thời gian bắt đầu." in page
    db.session.refresh(workshop)
    assert workshop.title != "Không được lưu"


def test_unknown_host_organization_is_refused(ctx):
    data = WorkshopData(title="T", starts_at=at(12, 8), venue="V", host_organization_id=99999)
    with pytest.raises(EventError) as refused:
        services.create_workshop(data)
    assert list(refused.value.errors) == ["host_organization_id"]


# ---- the dashboard --------------------------------------------------------------------------

def test_dashboard_shows_the_workshop_its_agenda_and_its_numbers(client_as, users, ctx):
    workshop = factories.make_workshop(
        code="ht-bang", sessions=0, title="Hội thảo ISO", venue="Hội trường A",
        rsvp_deadline=at(8, 17), description="Mục đích: tổng kết.")
    services.add_session(workshop, SessionData(
        title="Khai mạc", starts_at=at(12, 8), ends_at=at(12, 8, 15),
        presenter="Phó Giám đốc Sở", chair_id=users["chair"].id, moderated=True))
    for status, present in [("draft", False), ("sent", False), ("accepted", True),
                            ("delegated", False), ("declined", False)]:
        factories.make_invitee(workshop, status=status, present=present)

    page = client_as("staff").get("/workshops/ht-bang/").get_data(as_text=True)

    assert "Hội thảo ISO" in page and "Hội trường A" in page and "Mục đích: tổng kết." in page
    assert "Thứ Hai, 12/08/2030, 08:00" in page and "11:30" in page
    assert "17:00 08/08/2030" in page  # the RSVP deadline
    assert "Khai mạc" in page and "08:00–08:15" in page and "Phó Giám đốc Sở" in page
    assert users["chair"].name in page and "Duyệt câu hỏi" in page
    assert '<span class="stat">5</span>' in page  # invited
    assert '<span class="stat">1/2</span>' in page  # present / expected (accepted + delegated)
    for label in ("Chưa gửi", "Đã gửi, chưa trả lời", "Tham dự", "Cử người dự thay", "Không tham dự"):
        assert label in page
    assert '<nav class="tools"' in page
    assert "Sửa thông tin hội thảo" not in page and "Thêm phiên" not in page  # staff only reads


def test_dashboard_of_an_unknown_workshop_is_404(client_as, ctx):
    assert client_as("staff").get("/workshops/khong-co/").status_code == 404


def test_attendance_service_groups_by_status(ctx):
    workshop = factories.make_workshop()
    other = factories.make_workshop()
    factories.make_invitee(workshop, status="accepted", present=True)
    factories.make_invitee(workshop, status="accepted")
    factories.make_invitee(other, status="accepted", present=True)
    numbers = services.attendance(workshop)
    assert numbers.by_status == {"draft": 0, "sent": 0, "accepted": 2, "declined": 0, "delegated": 0}
    assert (numbers.present, numbers.expected) == (1, 2)
    assert services.attendance(factories.make_workshop()).invited == 0


# ---- the agenda -----------------------------------------------------------------------------

def titles(workshop: Workshop) -> list[str]:
    return list(db.session.scalars(
        select(WorkshopSession.title).where(WorkshopSession.workshop_id == workshop.id)
        .order_by(WorkshopSession.position, WorkshopSession.id)))


def test_add_edit_move_and_delete_sessions_from_the_pages(client_as, users, ctx):
    workshop = factories.make_workshop(code="ht-ct", sessions=0)
    client = client_as("organizer")
    assert "Duyệt câu hỏi trước khi hiển thị" in client.get("/workshops/ht-ct/sessions/new").get_data(
        as_text=True)
    for title in ("Khai mạc", "Báo cáo", "Kết luận"):
        response = client.post("/workshops/ht-ct/sessions/new", data={
            "title": title, "starts_at": "2030-08-12T08:00", "ends_at": "2030-08-12T08:30",
            "chair_id": str(users["chair"].id), "moderated": "y"})
        assert response.status_code == 302 and response.headers["Location"].endswith("#agenda")
    assert titles(workshop) == ["Khai mạc", "Báo cáo", "Kết luận"]
    first, second, third = db.session.scalars(
        select(WorkshopSession).order_by(WorkshopSession.position)).all()
    assert first.chair == users["chair"] and first.moderated and first.starts_at == at(12, 8)

    dashboard = client.get("/workshops/ht-ct/").get_data(as_text=True)
    assert "data-confirm=" in dashboard and "Thêm phiên" in dashboard

    client.post(f"/workshops/ht-ct/sessions/{third.id}/move/up")
    assert titles(workshop) == ["Khai mạc", "Kết luận", "Báo cáo"]
    client.post(f"/workshops/ht-ct/sessions/{first.id}/move/up")  # already first: nothing moves
    client.post(f"/workshops/ht-ct/sessions/{first.id}/move/down")
    assert titles(workshop) == ["Kết luận", "Khai mạc", "Báo cáo"]

    edit_page = client.get(f"/workshops/ht-ct/sessions/{second.id}/edit").get_data(as_text=True)
    assert 'value="Báo cáo"' in edit_page
    client.post(f"/workshops/ht-ct/sessions/{second.id}/edit", data={
        "title": "Báo cáo tổng kết", "presenter": "Chi cục TĐC", "chair_id": ""})
    db.session.expire_all()
    assert (second.title, second.presenter, second.chair, second.moderated, second.starts_at) == (
        "Báo cáo tổng kết", "Chi cục TĐC", None, False, None)

    assert client.post(f"/workshops/ht-ct/sessions/{first.id}/delete").status_code == 302
    assert titles(workshop) == ["Kết luận", "Báo cáo tổng kết"]


def test_session_pages_refuse_bad_input_and_keep_it(client_as, ctx):
    workshop = factories.make_workshop(code="ht-loi", sessions=1)
    client = client_as("organizer")
    page = client.post("/workshops/ht-loi/sessions/new", data={
        "title": "Phiên lỗi", "starts_at": "2030-08-12T10:00", "ends_at": "2030-08-12T09:00"}
    ).get_data(as_text=True)
    assert "Thời gian kết thúc phải sau thời gian bắt đầu." in page and 'value="Phiên lỗi"' in page
    page = client.post("/workshops/ht-loi/sessions/new", data={"title": ""}).get_data(as_text=True)
    assert "Vui lòng nhập tên phiên." in page
    assert titles(workshop) == ["Phiên 1"]


def test_a_session_of_another_workshop_is_not_found(client_as, ctx):
    factories.make_workshop(code="ht-mot", sessions=1)
    other = factories.make_workshop(code="ht-hai", sessions=1)
    client = client_as("organizer")
    other_session = other.sessions[0].id
    assert client.get(f"/workshops/ht-mot/sessions/{other_session}/edit").status_code == 404
    assert client.post(f"/workshops/ht-mot/sessions/{other_session}/delete").status_code == 404
    assert client.post(f"/workshops/ht-mot/sessions/{other_session}/move/up").status_code == 404
    assert titles(other) == ["Phiên 1"]


def test_staff_cannot_change_the_agenda(client_as, ctx):
    workshop = factories.make_workshop(code="ht-khoa", sessions=2)
    client = client_as("staff")
    session_id = workshop.sessions[1].id
    assert client.post("/workshops/ht-khoa/sessions/new", data={"title": "X"}).status_code == 403
    assert client.post(f"/workshops/ht-khoa/sessions/{session_id}/delete").status_code == 403
    assert client.post(f"/workshops/ht-khoa/sessions/{session_id}/move/up").status_code == 403
    assert titles(workshop) == ["Phiên 1", "Phiên 2"]


def test_chair_must_be_an_active_chair_or_organizer(client_as, users, ctx):
    workshop = factories.make_workshop(code="ht-chutri", sessions=0)
    retired = factories.make_user("chair")
    retired.active = False
    db.session.commit()
    client = client_as("organizer")
    page = client.get("/workshops/ht-chutri/sessions/new").get_data(as_text=True)
    assert users["chair"].name in page and users["organizer"].name in page
    assert users["staff"].name not in page and retired.name not in page

    for refused in (users["staff"], retired):
        page = client.post("/workshops/ht-chutri/sessions/new", data={
            "title": "Thảo luận", "chair_id": str(refused.id)}).get_data(as_text=True)
        assert "vai trò Chủ trì hoặc Ban tổ chức" in page
    with pytest.raises(EventError) as unknown:
        services.add_session(workshop, SessionData(title="T", chair_id=99999))
    assert unknown.value.errors == {"chair_id": ["Không tìm thấy tài khoản này."]}
    by_email = services.add_session(workshop, SessionData(
        title="Kết luận", chair_email=users["organizer"].email.upper()))
    assert by_email.chair == users["organizer"]
    assert titles(workshop) == ["Kết luận"]
