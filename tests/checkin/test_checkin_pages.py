"""Pages of the check-in desk: scanner, search, walk-in, board, sign-in sheet, poster, XLSX, and
the attendees' self check-in."""
from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories
from tests.factories import make_invitee
from workshop.auth.identity import SESSION_INVITATION_KEY
from workshop.checkin import self_checkin, services
from workshop.extensions import db
from workshop.models import CheckIn, CheckInAttempt, Invitation
from workshop.timeutil import LOCAL_TZ, utcnow

STAFF_PAGES = ("scan/", "scan/sw.js", "board", "sign-in-sheet", "poster", "attendance.xlsx")
STAFF_JSON = ("scan/search?q=an", "board.json")


@pytest.fixture
def workshop(ctx):
    """A workshop held today, with agencies of two kinds, a deputy and one who declined."""
    workshop = factories.make_workshop(starts_at=utcnow(), ends_at=None)
    so = factories.make_organization("Sở Khoa học và Công nghệ", kind="department")
    huyen = factories.make_organization("UBND thị xã Phổ Yên", kind="district")
    chi_cuc = factories.make_organization("Chi cục Tiêu chuẩn Đo lường Chất lượng", kind="subdepartment")
    make_invitee(workshop, name="Phạm Thị Hồng", organization=so, status="accepted")
    make_invitee(workshop, name="Nguyễn Văn An", organization=huyen, status="delegated",
                 delegate_name="Trần Thị Bình", delegate_title="Phó Chủ tịch UBND thị xã")
    make_invitee(workshop, name="Lê Văn Cường", organization=chi_cuc, status="declined")
    return workshop


def invitation_named(name: str) -> Invitation:
    return db.session.scalar(select(Invitation).where(Invitation.name == name))


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_need_a_signed_in_staff_member(workshop, client, client_as, page):
    url = f"/workshops/{workshop.code}/{page}"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("staff", "chair", "organizer"):
        assert client_as(role).get(url).status_code == 200, role
    assert client_as("staff").get(f"/workshops/nope/{page}").status_code == 404


@pytest.mark.parametrize("path", STAFF_JSON)
def test_the_scripts_json_answers_401_rather_than_the_login_page(workshop, client, client_as, path):
    url = f"/workshops/{workshop.code}/{path}"
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    assert client_as("staff").get(url).status_code == 200
    walk_in = client.post(f"/workshops/{workshop.code}/scan/walk-in", data={"name": "A"})
    assert walk_in.status_code == 401


def test_scanner_page_shows_the_counter_and_calls_the_api(workshop, client_as):
    services.check_in(workshop, invitation_named("Phạm Thị Hồng").pass_token)
    page = client_as("staff").get(f"/workshops/{workshop.code}/scan/").get_data(as_text=True)
    assert "Có mặt 1/2" in page  # present / accepted or delegated
    assert f'data-checkin-url="/api/v1/workshops/{workshop.code}/checkins"' in page
    assert re.search(r'<script src="/static/vendor/jsqr/jsQR\.min\.[0-9a-f]{12}\.js" defer>', page)
    assert re.search(r'<script type="module" src="/static/js/scanner/main\.[0-9a-f]{12}\.js">', page)
    # Its modules asked for at once, not one import level after another over the venue Wi-Fi.
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/js/([a-z/]+)\.[0-9a-f]{12}\.js">', page)
    assert {"shared", "scanner/queue", "scanner/sender", "scanner/camera"} <= set(preloaded)
    assert "UBND thị xã Phổ Yên" in page  # an agency to pick for a walk-in


def test_service_worker_keeps_the_scanner_and_its_assets(workshop, client_as):
    response = client_as("staff").get(f"/workshops/{workshop.code}/scan/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    assert f'var PAGE = "/workshops/{workshop.code}/scan/";' in script
    kept = json.loads(re.search(r"var ASSETS = (.*);", script).group(1))
    # Under their hashed names, with the modules the scanner imports: offline, a reload finds
    # every one of them.
    names = [re.sub(r"\.[0-9a-f]{12}\.", ".", url) for url in kept]
    assert names[:4] == ["/static/css/app.css", "/static/vendor/jsqr/jsQR.min.js", "/static/js/app.js",
                         "/static/js/scanner/main.js"]
    assert {"/static/js/shared.js", "/static/js/scanner/queue.js",
            "/static/js/scanner/camera.js"} <= set(names)
    assert all(client_as("staff").get(url).status_code == 200 for url in kept)


def test_search_ignores_accents_and_other_workshops(workshop, client_as):
    other = factories.make_workshop()
    make_invitee(other, name="Nguyễn Văn An Khác")
    services.check_in(workshop, invitation_named("Phạm Thị Hồng").pass_token)
    client = client_as("staff")

    def names(query: str) -> list[str]:
        url = f"/workshops/{workshop.code}/scan/search"
        return [item["name"] for item in client.get(url, query_string={"q": query}).get_json()["items"]]

    assert names("pho yen") == ["Trần Thị Bình"]  # the agency, and the deputy who comes
    assert names("tran thi binh") == ["Trần Thị Bình"]
    assert names("NGUYEN VAN AN") == ["Trần Thị Bình"]  # the invitee the deputy stands in for
    assert names("hong khoa hoc") == ["Phạm Thị Hồng"]  # words from the name and the agency
    assert names("") == [] and names("khong ai") == []

    item = client.get(f"/workshops/{workshop.code}/scan/search?q=hong").get_json()["items"][0]
    invitation = invitation_named("Phạm Thị Hồng")
    assert item["short_code"] == invitation.short_code
    assert item["organization"] == "Sở Khoa học và Công nghệ"
    assert item["checked_in_at"].endswith("+07:00")
    assert "token" not in item and "pass_token" not in item


def test_walk_in_is_registered_and_checked_in_from_the_scanner(workshop, client_as, users):
    agency = invitation_named("Phạm Thị Hồng").organization
    url = f"/workshops/{workshop.code}/scan/walk-in"
    response = client_as("staff").post(url, data={"name": "Vũ Thị Lan", "title": "Chuyên viên",
                                                  "organization_id": str(agency.id)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "checked_in"
    assert body["attendee"] == {"name": "Vũ Thị Lan", "title": "Chuyên viên",
                                "organization": "Sở Khoa học và Công nghệ", "delegate_for": None,
                                "walk_in": True, "seat": None}
    walk_in = invitation_named("Vũ Thị Lan")
    assert walk_in.walk_in and walk_in.checkin.method == "walk_in"
    assert walk_in.checkin.staff_user_id == users["staff"].id


def test_a_bad_walk_in_is_refused_and_changes_nothing(workshop, client_as):
    client = client_as("staff")
    url = f"/workshops/{workshop.code}/scan/walk-in"
    count = db.session.scalar(select(func.count()).select_from(Invitation))
    nameless = client.post(url, data={"name": " ", "title": "Chuyên viên"})
    assert nameless.status_code == 422
    assert nameless.get_json()["error"]["fields"][0] == {"field": "name",
                                                         "message": "Vui lòng nhập họ và tên."}
    unknown_agency = client.post(url, data={"name": "Vũ Thị Lan", "organization_id": "99999"})
    assert unknown_agency.status_code == 422
    assert unknown_agency.get_json()["error"]["fields"][0]["field"] == "organization_id"
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == count


def test_board_escapes_names_and_answers_304_until_something_changes(workshop, client_as):
    agency = invitation_named("Phạm Thị Hồng").organization
    sneaky = make_invitee(workshop, name="<script>alert(1)</script>", organization=agency,
                          status="accepted")
    services.check_in(workshop, sneaky.pass_token)
    client = client_as("staff")

    page = client.get(f"/workshops/{workshop.code}/board").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in page  # invited, nobody here yet
    assert '<meter min="0" max="2" value="1">' in page  # Sở, Ban, Ngành: 1 of 2 invited

    url = f"/workshops/{workshop.code}/board.json"
    first = client.get(url)
    data = first.get_json()
    assert (data["present"], data["expected"], data["invited"], data["walk_ins"]) == (1, 3, 4, 0)
    assert {row["kind"]: (row["checked_in"], row["invited"]) for row in data["kinds"]} == {
        "department": (1, 2), "district": (0, 1), "subdepartment": (0, 1)}
    # Phổ Yên sends a deputy (expected); the Chi cục declined and nobody of it is here.
    assert [agency["name"] for agency in data["absent"]] == ["Chi cục Tiêu chuẩn Đo lường Chất lượng"]
    assert data["recent"][0]["name"] == "<script>alert(1)</script>"
    assert first.mimetype == "application/json"  # never read as HTML…
    assert first.headers["X-Content-Type-Options"] == "nosniff"  # …not even by guessing

    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    services.check_in(workshop, invitation_named("Nguyễn Văn An").pass_token)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["present"] == 2
    assert changed.get_json()["recent"][0]["delegate_for"] == "Nguyễn Văn An"


def test_sign_in_sheet_lists_the_expected_by_agency_kind(workshop, client_as):
    services.register_walk_in(workshop, "Người Đến Trực Tiếp", None, None)
    page = client_as("staff").get(f"/workshops/{workshop.code}/sign-in-sheet").get_data(as_text=True)
    assert page.index("Sở, Ban, Ngành") < page.index("Phạm Thị Hồng") < page.index("UBND cấp huyện")
    assert "Trần Thị Bình" in page and "Người dự thay cho Nguyễn Văn An" in page
    assert "Lê Văn Cường" not in page  # declined
    assert "Người Đến Trực Tiếp" not in page  # walk-ins sign on the blank rows
    assert page.count('class="sheet-blank"') == 10
    assert "Ký tên" in page


def test_attendance_xlsx_opens_with_everyone_and_their_times(workshop, client_as):
    deputy = invitation_named("Nguyễn Văn An")
    # 07:52 on the venue's clock, the last one past: before 07:52 (Vietnam) that is yesterday's,
    # a scan time ahead of the server's clock being refused.
    now = datetime.now(LOCAL_TZ)
    at_752 = now.replace(hour=7, minute=52, second=0, microsecond=0)
    services.check_in(workshop, deputy.pass_token,
                      scanned_at=at_752 if at_752 <= now else at_752 - timedelta(days=1))
    services.register_walk_in(workshop, "=HYPERLINK(\"http://x\")", None, None)
    response = client_as("staff").get(f"/workshops/{workshop.code}/attendance.xlsx")
    assert response.headers["Content-Disposition"].endswith(f"diem-danh-{workshop.code}.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Điểm danh", "Theo loại cơ quan", "Chưa có đại biểu"]
    rows = list(book["Điểm danh"].iter_rows(min_row=2, values_only=True))  # under the title row
    assert rows[0][:4] == ("STT", "Cơ quan, đơn vị", "Loại cơ quan", "Họ và tên")
    by_name = {row[3]: row for row in rows[1:]}
    assert set(by_name) == {"Phạm Thị Hồng", "Trần Thị Bình", "Lê Văn Cường", '=HYPERLINK("http://x")'}
    deputy_row = by_name["Trần Thị Bình"]
    assert deputy_row[4:7] == ("Phó Chủ tịch UBND thị xã", "Nguyễn Văn An", "Cử người dự thay")
    assert deputy_row[7].strftime("%H:%M") == "07:52" and deputy_row[8] == "Quét mã"
    assert by_name["Lê Văn Cường"][7] is None
    assert rows[-1][6] == "Đến trực tiếp"  # walk-ins last
    assert book["Điểm danh"].cell(len(rows) + 1, 4).data_type == "s"  # text, never a formula
    kinds = list(book["Theo loại cơ quan"].iter_rows(min_row=2, values_only=True))
    assert kinds[-1] == ("Tổng cộng", 3, 2)
    absent = [row[0] for row in book["Chưa có đại biểu"].iter_rows(min_row=3, values_only=True)]
    assert absent == ["Chi cục Tiêu chuẩn Đo lường Chất lượng"]  # the Sở's invitee is expected


def test_poster_carries_the_self_check_in_link(workshop, client_as):
    page = client_as("staff").get(f"/workshops/{workshop.code}/poster?size=a3").get_data(as_text=True)
    assert f"http://localhost/workshops/{workshop.code}/self-checkin" in page
    assert '<svg class="qr"' in page and "Quét để điểm danh" in page
    assert "poster-a3" in page
    assert workshop.title in page


# --- self check-in -----------------------------------------------------------------------


def self_url(workshop, secret: str | None = None) -> str:
    return f"/workshops/{workshop.code}/self-checkin" + (f"?k={secret}" if secret else "")


def at_door(workshop) -> str:
    """The secret of the poster on the screen at the door, now."""
    return self_checkin.screen_secret(workshop)


def opened_link(client, invitation) -> None:
    with client.session_transaction() as session:
        session[SESSION_INVITATION_KEY] = invitation.token


def test_self_check_in_with_one_tap_after_the_personal_link(workshop, client):
    invitation = invitation_named("Nguyễn Văn An")
    opened_link(client, invitation)
    secret = at_door(workshop)
    response = client.get(self_url(workshop, secret))
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the address holds the secret
    page = response.get_data(as_text=True)
    assert "Trần Thị Bình" in page and "UBND thị xã Phổ Yên" in page
    assert f'name="k" value="{secret}"' in page

    tap = {"client_id": "tap-1", "k": secret}
    done = client.post(self_url(workshop), data=tap).get_data(as_text=True)
    assert "ĐÃ ĐIỂM DANH" in done and "Trần Thị Bình" in done
    db.session.rollback()
    assert invitation.checkin.method == "self"
    assert "Phạm Thị Hồng" not in done  # nobody else

    again = client.post(self_url(workshop), data=tap).get_data(as_text=True)
    assert "ĐÃ ĐIỂM DANH" in again  # the same tap, the same answer
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 1
    later = client.get(self_url(workshop, secret)).get_data(as_text=True)
    assert f"ĐÃ ĐIỂM DANH LÚC {invitation.checkin.checked_in_at.astimezone(LOCAL_TZ):%H:%M}" in later


def test_a_personal_link_of_another_workshop_is_not_used(workshop, client):
    other = make_invitee(factories.make_workshop(), name="Người Hội Thảo Khác")
    opened_link(client, other)
    page = client.get(self_url(workshop, at_door(workshop))).get_data(as_text=True)
    assert "Người Hội Thảo Khác" not in page
    response = client.post(self_url(workshop), data={"k": at_door(workshop)})
    assert response.status_code == 409
    assert "Chưa mở giấy mời trên điện thoại này" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_a_typed_code_is_not_a_self_check_in(workshop, client):
    someone = invitation_named("Phạm Thị Hồng")
    stranger = client.post(self_url(workshop), data={"code": someone.short_code,
                                                     "token": someone.pass_token,
                                                     "k": at_door(workshop)})
    assert stranger.status_code == 409 and 'name="code"' not in stranger.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0

    mine = invitation_named("Lê Văn Cường")
    opened_link(client, mine)
    client.post(self_url(workshop), data={"code": someone.short_code, "k": at_door(workshop)})
    db.session.rollback()
    assert someone.checkin is None  # the typed code is ignored…
    assert mine.checkin is not None and mine.checkin.method == "self"  # …the own link counts


def test_self_check_in_without_the_door_secret_is_refused(workshop, client):
    invitation = invitation_named("Phạm Thị Hồng")
    opened_link(client, invitation)
    page = client.get(self_url(workshop)).get_data(as_text=True)
    assert "Hãy quét mã QR tại cửa hội trường" in page and "Điểm danh</button>" not in page
    for secret in (None, "", "s" + "A" * 16, self_checkin.day_secret(workshop, date(2001, 1, 1))):
        response = client.post(self_url(workshop), data={"k": secret} if secret is not None else {})
        assert response.status_code == 409
        assert "Hãy quét mã QR tại cửa hội trường" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_the_door_secret_changes_and_the_printed_one_holds_for_its_day(workshop, ctx):
    now = utcnow()
    window = timedelta(seconds=self_checkin.DOOR_WINDOW_SECONDS)
    current = self_checkin.screen_secret(workshop, now)
    assert self_checkin.door_secret_valid(workshop, current, now)
    assert self_checkin.door_secret_valid(workshop, current, now + window)  # the previous one too
    assert not self_checkin.door_secret_valid(workshop, current, now + 2 * window)  # then no more
    assert self_checkin.screen_secret(workshop, now + 2 * window) != current
    other = factories.make_workshop(starts_at=workshop.starts_at, ends_at=None)
    assert not self_checkin.door_secret_valid(other, current, now)  # one workshop's secret only

    today = now.astimezone(LOCAL_TZ).date()
    printed = self_checkin.day_secret(workshop, today)
    assert self_checkin.door_secret_valid(workshop, printed, now)
    assert not self_checkin.door_secret_valid(workshop, printed, now + timedelta(days=1))
    assert not self_checkin.door_secret_valid(
        workshop, self_checkin.day_secret(workshop, today - timedelta(days=1)), now)


def test_the_poster_on_a_screen_refreshes_its_secret(workshop, client_as):
    client = client_as("staff")
    page = client.get(f"/workshops/{workshop.code}/poster?screen=1").get_data(as_text=True)
    assert 'id="poster-qr"' in page and "<script>" not in page
    assert re.search(r'<script type="module" src="/static/js/poster\.[0-9a-f]{12}\.js">', page)
    data = client.get(f"/workshops/{workshop.code}/poster.json").get_json()
    assert data["url"].endswith(f"/self-checkin?k={self_checkin.screen_secret(workshop)}")
    svg = client.get(data["qr"])
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    assert svg.headers["Cache-Control"] == "no-store"


def test_self_check_ins_are_marked_on_the_board_and_in_the_reports(workshop, client_as, client):
    invitation = invitation_named("Phạm Thị Hồng")
    opened_link(client, invitation)
    client.post(self_url(workshop), data={"k": at_door(workshop)})
    staff = client_as("staff")
    board = staff.get(f"/workshops/{workshop.code}/board.json").get_json()
    assert (board["recent"][0]["method"], board["recent"][0]["method_label"]) == ("self", "Tự điểm danh")
    assert "Tự điểm danh" in staff.get(f"/workshops/{workshop.code}/board").get_data(as_text=True)
    book = load_workbook(io.BytesIO(staff.get(f"/workshops/{workshop.code}/attendance.xlsx").data))
    rows = {row[3]: row for row in book["Điểm danh"].iter_rows(min_row=3, values_only=True)}
    assert rows["Phạm Thị Hồng"][8] == "Tự điểm danh"
    summary = load_workbook(io.BytesIO(client_as("chair").get(
        f"/workshops/{workshop.code}/summary.xlsx").data))
    sheet = list(summary["Điểm danh"].iter_rows(min_row=2, values_only=True))
    column = sheet[0].index("Cách điểm danh")
    assert {row[3]: row[column] for row in sheet[1:]}["Phạm Thị Hồng"] == "Tự điểm danh"


def test_self_check_in_opens_on_the_day_only(ctx, client):
    workshop = factories.make_workshop(starts_at=utcnow() + timedelta(days=7), ends_at=None)
    invitation = make_invitee(workshop)
    page = client.get(self_url(workshop)).get_data(as_text=True)
    assert "Chưa mở điểm danh" in page and 'name="code"' not in page
    client.post(self_url(workshop), data={"code": invitation.short_code})
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert self_checkin.self_check_in_open(workshop, now=workshop.starts_at)


def test_self_check_in_is_rate_limited(ctx, make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    workshop = factories.make_workshop(starts_at=utcnow(), ends_at=None)
    client = app.test_client()
    answers = [client.post(self_url(workshop), data={"code": "ZZZZZZ"}).status_code
               for _ in range(61)]
    assert answers[:60] == [409] * 60 and answers[60] == 429  # refused without the door secret


def test_self_check_in_needs_the_csrf_token(ctx, make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    workshop = factories.make_workshop(starts_at=utcnow(), ends_at=None)
    invitation = make_invitee(workshop)
    response = app.test_client().post(self_url(workshop), data={"code": invitation.short_code})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
