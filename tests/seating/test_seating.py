"""The seating plan (protocol order, the organizer's changes, who may make them, bad input),
the seat at the door and on the personal page, and the name plates and plan as documents."""
import io
import re
import subprocess

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from workshop.extensions import db
from workshop.models import AuditEntry
from workshop.seating import services

A4_LANDSCAPE = (842, 595)
A4 = (595, 842)


def hall():
    """A workshop hosted by the Sở KH&CN, with an invitee of each kind in shuffled order, a
    deputy sent by a district, and one who declined."""
    workshop = factories.make_letter_workshop()
    host = workshop.host_organization
    district = factories.make_organization("UBND huyện Đại Từ", kind="district")
    department = factories.make_organization("Sở Tư pháp", kind="department")
    sub = factories.make_organization("Chi cục Tiêu chuẩn Đo lường Chất lượng", kind="subdepartment")
    province = factories.make_organization("Ban Dân tộc", kind="provincial_agency")
    people = {
        "sub": factories.make_invitee(workshop, "Đỗ Văn Hùng", title="Chi cục trưởng", organization=sub),
        "district": factories.make_invitee(
            workshop, "Hà Văn Sơn", title="Chủ tịch UBND huyện", organization=district, status="delegated",
            delegate_name="Lương Thị Thuỷ", delegate_title="Trưởng phòng Nội vụ"),
        "deputy_host": factories.make_invitee(workshop, "Nguyễn Hữu Phúc", title="Phó Giám đốc Sở",
                                              organization=host),
        "department": factories.make_invitee(workshop, "Lê Văn Cường", title="Giám đốc Sở",
                                             organization=department),
        "province": factories.make_invitee(workshop, "Hà Thị Quyên", title="Trưởng ban",
                                           organization=province),
        "host": factories.make_invitee(workshop, "Vũ Thị Giang", title="Giám đốc Sở", organization=host),
        "other": factories.make_invitee(workshop, "Phạm Văn Khách", title="Chuyên gia"),
        "declined": factories.make_invitee(workshop, "Trịnh Văn Vắng", organization=department,
                                           status="declined"),
    }
    return workshop, people


PROTOCOL = ["host", "deputy_host", "province", "department", "district", "sub", "other"]


def names(invitations):
    return [invitation.attendee_name for invitation in invitations]


def test_the_plan_follows_protocol_order_and_leaves_out_who_declined(ctx):
    workshop, people = hall()
    plan = services.plan_of(workshop)
    assert plan.rows == []
    assert names(plan.unseated) == [people[key].attendee_name for key in PROTOCOL]
    assert "Lương Thị Thuỷ" in names(plan.unseated)  # the deputy, not the invitee
    assert "Trịnh Văn Vắng" not in names(plan.everyone)


def test_a_refused_deputy_leaves_the_plan_and_the_plates_a_pending_one_stays(ctx, client, api_headers):
    workshop, people = hall()
    pending = factories.make_invitee(workshop, "Hoàng Văn Chờ", status="delegated",
                                     delegate_name="Đinh Thị Đợi", deputy_state="pending")
    refused = factories.make_invitee(workshop, "Kiều Văn Từ", status="delegated",
                                     delegate_name="Mạc Thị Chối", deputy_state="refused")
    plan = services.arrange(workshop, per_row=3, reset=True)
    assert "Đinh Thị Đợi" in names(plan.seated)  # may still come
    assert refused.seat_row is None and "Mạc Thị Chối" not in names(plan.everyone)
    with pytest.raises(services.SeatingError):
        services.set_seat(workshop, refused.id, 5, 1)

    # Refused once seated: out of the plan and the plates, and a later arrangement goes round
    # the seat it still holds.
    pending.deputy_state = "refused"
    db.session.commit()
    held = (pending.seat_row, pending.seat_number)
    late = factories.make_invitee(workshop, "Ông Đến Muộn", organization=people["department"].organization)
    plan = services.arrange(workshop, per_row=3)
    assert "Đinh Thị Đợi" not in names(plan.everyone)
    assert (late.seat_row, late.seat_number) != held
    for name in ("nameplates.pdf", "seating.pdf"):
        text = pdftotext(document(client, api_headers, workshop, name).data)
        assert "Đinh Thị Đợi" not in text and "Mạc Thị Chối" not in text, name
        assert "Lương Thị Thuỷ" in text, name
    # Seated anew, the seat is freed.
    services.arrange(workshop, per_row=3, reset=True)
    db.session.refresh(pending)
    assert pending.seat_row is None


def test_the_printed_plan_marks_a_deputy(ctx, client, api_headers):
    workshop, people = hall()
    services.arrange(workshop, per_row=3, reset=True)
    text = re.sub(r"\s+", " ", pdftotext(document(client, api_headers, workshop, "seating.pdf").data))
    assert "Dự thay ông/bà Hà Văn Sơn" in text
    assert text.index("Lương Thị Thuỷ") < text.index("Dự thay ông/bà Hà Văn Sơn")
    word = docx.Document(io.BytesIO(document(client, api_headers, workshop, "seating.docx").data))
    names_cells = [row.cells[1].text for table in word.tables for row in table.rows]
    assert "Lương Thị Thuỷ\nDự thay ông/bà Hà Văn Sơn" in names_cells
    assert "Vũ Thị Giang" in names_cells  # an invitee in person: the name alone


def test_arrange_seats_the_head_table_then_rows_and_keeps_seats_when_not_reset(ctx, users):
    workshop, people = hall()
    plan = services.arrange(workshop, per_row=2, head_table=2, reset=True, actor=users["organizer"])
    assert [(row.number, names(row.seats)) for row in plan.rows] == [
        (0, ["Vũ Thị Giang", "Nguyễn Hữu Phúc"]),
        (1, ["Hà Thị Quyên", "Lê Văn Cường"]),
        (2, ["Lương Thị Thuỷ", "Đỗ Văn Hùng"]),
        (3, ["Phạm Văn Khách"]),
    ]
    assert people["district"].seat_label == "Hàng 2, ghế 1"
    assert people["host"].seat_label == "Bàn chủ tọa, ghế 1"
    # A newcomer, arranged without reset: everyone keeps their seat, the newcomer takes the next.
    late = factories.make_invitee(workshop, "Bùi Thị Muộn", status="accepted")
    services.arrange(workshop, per_row=2, actor=users["organizer"])
    assert people["district"].seat_label == "Hàng 2, ghế 1"
    assert late.seat_label == "Hàng 3, ghế 2"
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.workshop_id == workshop.id)).all()
    assert actions.count("seating.arrange") == 2



def test_a_first_arrangement_fills_the_head_table_asked_for(ctx, client_as):
    """Nobody is seated yet: the organizer who gives the head table's seats gets them filled,
    "xếp lại từ đầu" ticked or not."""
    workshop, people = hall()
    response = client_as("organizer").post(f"/workshops/{workshop.code}/seating/arrange",
                                           data={"per_row": 3, "head_table": 2})
    assert response.status_code == 302
    db.session.expire_all()
    assert people["host"].seat_label == "Bàn chủ tọa, ghế 1"
    assert people["deputy_host"].seat_label == "Bàn chủ tọa, ghế 2"
    assert people["province"].seat_label == "Hàng 1, ghế 1"
    # Once people are seated, arranging without reset keeps them and the head table as it is.
    late = factories.make_invitee(workshop, "Bùi Thị Muộn", status="accepted")
    services.arrange(workshop, per_row=3, head_table=2)
    assert people["host"].seat_label == "Bàn chủ tọa, ghế 1"
    assert late.seat_label == "Hàng 2, ghế 3"

def api(client, headers, method, path, **kwargs):
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def test_the_organizer_moves_people_up_and_down_and_sets_seats_by_api(ctx, client, api_headers):
    workshop, people = hall()
    organizer = api_headers("organizer")
    base = f"/workshops/{workshop.code}/seating"
    response = api(client, organizer, "POST", f"{base}/arrange", json={"per_row": 3, "reset": True})
    assert response.status_code == 200
    # Hà Thị Quyên (row 1, seat 3) goes up: she swaps with Nguyễn Hữu Phúc (row 1, seat 2).
    response = api(client, organizer, "POST", f"{base}/{people['province'].id}/move",
                   json={"direction": "up"})
    assert response.status_code == 200, response.json
    assert response.json["seat"] == "Hàng 1, ghế 2"
    db.session.expire_all()
    assert people["deputy_host"].seat_label == "Hàng 1, ghế 3"
    # The first in the plan cannot go further up: 409, nothing changes.
    response = api(client, organizer, "POST", f"{base}/{people['host'].id}/move", json={"direction": "up"})
    assert response.status_code == 409
    assert response.json["error"]["message"] == "Đã ở đầu sơ đồ."
    # A seat someone holds is swapped: the host's Director to the head table's first seat, then
    # the district's deputy to that very seat.
    response = api(client, organizer, "PUT", f"{base}/{people['host'].id}", json={"row": 0, "number": 1})
    assert response.json["seat"] == "Bàn chủ tọa, ghế 1"
    response = api(client, organizer, "PUT", f"{base}/{people['district'].id}", json={"row": 0, "number": 1})
    assert response.status_code == 200
    db.session.expire_all()
    assert people["district"].seat_label == "Bàn chủ tọa, ghế 1"
    assert people["host"].seat_label == "Hàng 2, ghế 2"  # the deputy's old seat
    # Both null: no seat.
    response = api(client, organizer, "PUT", f"{base}/{people['other'].id}",
                   json={"row": None, "number": None})
    assert response.json["seat"] is None
    plan = api(client, api_headers("staff"), "GET", base).json
    assert [row["row"] for row in plan["rows"]] == [0, 1, 2]
    assert plan["rows"][0]["label"] == "Bàn chủ tọa"
    assert [seat["name"] for seat in plan["unseated"]] == ["Phạm Văn Khách"]


@pytest.mark.parametrize("body, field", [
    ({"row": -1, "number": 2}, "row"),
    ({"row": 1, "number": 0}, "number"),
    ({"row": 1, "number": None}, "number"),
    ({"row": "1", "number": 2}, "row"),
    ({"row": 1, "number": 101}, "number"),
    ({"number": 2}, "row"),
])
def test_bad_seats_are_refused_and_change_nothing(ctx, client, api_headers, body, field):
    workshop, people = hall()
    services.arrange(workshop, reset=True)
    before = factories.database_snapshot(ignore=("api_tokens", "users", "logins"))
    response = api(client, api_headers("organizer"), "PUT",
                   f"/workshops/{workshop.code}/seating/{people['host'].id}", json=body)
    assert response.status_code == 422, response.json
    assert field in [problem["field"] for problem in response.json["error"]["fields"]]
    assert factories.database_snapshot(ignore=("api_tokens", "users", "logins")) == before


def test_declined_unseated_and_other_workshops_invitations_are_refused(ctx, client, api_headers):
    workshop, people = hall()
    other = factories.make_workshop()
    stranger = factories.make_invitee(other, "Người Hội Thảo Khác")
    organizer = api_headers("organizer")
    base = f"/workshops/{workshop.code}/seating"
    response = api(client, organizer, "PUT", f"{base}/{people['declined'].id}", json={"row": 1, "number": 1})
    assert response.status_code == 409
    assert "không tham dự" in response.json["error"]["message"]
    response = api(client, organizer, "POST", f"{base}/{people['host'].id}/move", json={"direction": "up"})
    assert response.status_code == 409  # not seated yet
    response = api(client, organizer, "PUT", f"{base}/{stranger.id}", json={"row": 1, "number": 1})
    assert response.status_code == 404
    response = api(client, organizer, "POST", f"{base}/{people['host'].id}/move", json={"direction": "left"})
    assert response.status_code == 422
    response = api(client, organizer, "POST", f"{base}/arrange", json={"per_row": 0})
    assert response.status_code == 422
    assert stranger.seat_row is None


def test_staff_read_the_plan_but_only_the_organizer_changes_it_or_prints_plates(ctx, client, client_as,
                                                                                 api_headers):
    workshop, people = hall()
    services.arrange(workshop, reset=True)
    staff = api_headers("staff")
    base = f"/workshops/{workshop.code}/seating"
    assert api(client, staff, "GET", base).status_code == 200
    response = api(client, staff, "PUT", f"{base}/{people['host'].id}", json={"row": 5, "number": 5})
    assert response.status_code == 403
    assert api(client, api_headers("chair"), "POST", f"{base}/arrange", json={}).status_code == 403
    page = client_as("staff")
    response = page.get(base)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Lương Thị Thuỷ" in text and "Hàng 1" in text
    assert "seating/arrange" not in text  # no organizer's forms for staff
    assert page.get(f"{base.replace('/seating', '')}/documents/seating.pdf").status_code == 200
    assert page.get(f"{base.replace('/seating', '')}/documents/nameplates.pdf").status_code == 403
    assert page.post(f"{base}/{people['host'].id}", data={"row": "5", "number": "5"}).status_code == 403
    db.session.expire_all()
    assert people["host"].seat_label == "Hàng 1, ghế 1"


def test_the_organizers_page_moves_and_sets_seats(ctx, client_as):
    workshop, people = hall()
    services.arrange(workshop, reset=True)
    page = client_as("organizer")
    base = f"/workshops/{workshop.code}/seating"
    assert "seating/arrange" in page.get(base).get_data(as_text=True)
    response = page.post(f"{base}/{people['deputy_host'].id}/move", data={"direction": "up"})
    assert response.status_code == 302
    db.session.expire_all()
    assert people["deputy_host"].seat_label == "Hàng 1, ghế 1"
    response = page.post(f"{base}/{people['other'].id}", data={"row": "0", "number": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    assert people["other"].seat_label == "Bàn chủ tọa, ghế 2"
    response = page.post(f"{base}/{people['other'].id}", data={"row": "abc", "number": "2"},
                         follow_redirects=True)
    db.session.expire_all()
    assert people["other"].seat_label == "Bàn chủ tọa, ghế 2"
    response = page.post(f"{base}/arrange", data={"per_row": "4", "reset": "y", "head_table": "1"},
                         follow_redirects=True)
    assert "Đã xếp chỗ ngồi theo thứ tự nghi thức." in response.get_data(as_text=True)
    db.session.expire_all()
    assert people["host"].seat_label == "Bàn chủ tọa, ghế 1"


def test_the_scan_answer_and_the_personal_page_show_the_seat(ctx, client, api_headers):
    workshop, people = hall()
    services.set_seat(workshop, people["district"].id, 2, 5)
    response = client.post(f"/api/v1/workshops/{workshop.code}/checkins", headers=api_headers("staff"),
                           json={"token": people["district"].pass_token})
    assert response.status_code == 200, response.json
    assert response.json["attendee"]["seat"] == "Hàng 2, ghế 5"
    assert response.json["attendee"]["name"] == "Lương Thị Thuỷ"
    unseated = client.post(f"/api/v1/workshops/{workshop.code}/checkins", headers=api_headers("staff"),
                           json={"token": people["other"].pass_token})
    assert unseated.json["attendee"]["seat"] is None
    page = client.get(f"/i/{people['district'].token}")
    assert "Chỗ ngồi: Hàng 2, ghế 5" in page.get_data(as_text=True)


def test_a_seat_is_held_by_one_person_only(ctx):
    workshop, people = hall()
    people["host"].seat_row, people["host"].seat_number = 1, 1
    db.session.commit()
    people["department"].seat_row, people["department"].seat_number = 1, 1
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()
    people["department"].seat_row, people["department"].seat_number = 1, None
    with pytest.raises(Exception, match="(?i)check"):
        db.session.commit()
    db.session.rollback()


# --- documents ----------------------------------------------------------------------------------


def document(client, api_headers, workshop, name, role="organizer", **query):
    return client.get(f"/api/v1/workshops/{workshop.code}/documents/{name}", headers=api_headers(role),
                      query_string=query)


def pdftotext(data: bytes) -> str:
    """The text of a PDF by lines as laid out on the page (poppler's pdftotext)."""
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def placed_text(page) -> list[tuple[str, bool, float]]:
    """(text, upright, height from the page's foot) of each piece of text on a PDF page."""
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            pieces.append((text.strip(), cm[0] > 0, y))

    page.extract_text(visitor_text=visit)
    return pieces


def test_name_plates_are_one_folded_a4_landscape_sheet_each_readable_from_both_sides(ctx, client,
                                                                                    api_headers):
    workshop, people = hall()
    services.arrange(workshop, per_row=4, head_table=2, reset=True)
    response = document(client, api_headers, workshop, "nameplates.pdf")
    assert response.status_code == 200, response.data[:300]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == len(PROTOCOL)  # one plate per page
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_LANDSCAPE
    text = pdftotext(response.data)
    for name in ("Vũ Thị Giang", "Lương Thị Thuỷ", "Trưởng phòng Nội vụ",
                 "Chi cục Tiêu chuẩn Đo lường Chất lượng"):
        assert text.count(name) == 2, name  # both faces
    assert "Hà Văn Sơn" not in text  # the deputy's plate, not the invitee's
    assert "Trịnh Văn Vắng" not in text
    # The deputy's plate (row 1, third: page 5): upright in the lower half, turned in the upper.
    faces = [(upright, y) for piece, upright, y in placed_text(reader.pages[4]) if piece == "Lương Thị Thuỷ"]
    height = A4_LANDSCAPE[1]
    assert len(faces) == 2
    assert {upright for upright, _y in faces} == {True, False}
    for upright, y in faces:
        assert (y < height / 2) if upright else (y > height / 2)
    # The head table's plates only, with their mark.
    head = document(client, api_headers, workshop, "nameplates.pdf", row="0")
    head_text = pdftotext(head.data)
    assert len(PdfReader(io.BytesIO(head.data)).pages) == 2
    assert head_text.count("CHỦ TỌA") == 4 and "Lương Thị Thuỷ" not in head_text


def test_name_plates_refuse_a_bad_row_and_an_empty_hall(ctx, client, api_headers):
    workshop, _people = hall()
    response = document(client, api_headers, workshop, "nameplates.pdf", row="-1")
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "row"
    assert document(client, api_headers, workshop, "nameplates.pdf", row="7").status_code == 404
    empty = factories.make_workshop()
    response = document(client, api_headers, empty, "nameplates.docx")
    assert response.status_code == 404
    assert response.json["error"]["message"] == "Không có đại biểu nào để in biển tên."


def test_name_plates_docx_turns_the_upper_half(ctx, client, api_headers):
    workshop, _people = hall()
    response = document(client, api_headers, workshop, "nameplates.docx")
    assert response.status_code == 200
    word = docx.Document(io.BytesIO(response.data))
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    xml = word.element.xml
    assert xml.count('rot="10800000"') == len(PROTOCOL)  # one turned face per plate
    assert xml.count("<wps:txbx>") == 2 * len(PROTOCOL)
    assert len(re.findall(r"Lương Thị Thuỷ", xml)) == 2
    assert sum(paragraph.paragraph_format.page_break_before is True for paragraph in word.paragraphs) \
        == len(PROTOCOL) - 1


def test_the_seating_plan_prints_on_a4_with_rows_and_the_unseated(ctx, client, api_headers):
    workshop, people = hall()
    services.arrange(workshop, per_row=3, head_table=1, reset=True)
    services.set_seat(workshop, people["other"].id, None, None)
    response = document(client, api_headers, workshop, "seating.pdf", role="staff")
    assert response.status_code == 403  # the API's documents are the chair's and organizer's
    response = document(client, api_headers, workshop, "seating.pdf")
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
    text = re.sub(r"\s+", " ", pdftotext(response.data))
    assert "SƠ ĐỒ CHỖ NGỒI" in text
    assert text.index("Bàn chủ tọa") < text.index("Vũ Thị Giang") < text.index("Hàng 1") \
        < text.index("Nguyễn Hữu Phúc") < text.index("Hàng 2") < text.index("Chưa xếp chỗ") \
        < text.index("Phạm Văn Khách")
    word = docx.Document(io.BytesIO(document(client, api_headers, workshop, "seating.docx").data))
    cells = [[cell.text for cell in row.cells] for table in word.tables for row in table.rows]
    assert ["1", "Vũ Thị Giang", "Giám đốc Sở", "Sở Khoa học và Công nghệ"] in cells
    assert ["1", "Phạm Văn Khách", "Chuyên gia", ""] in cells
    assert any(paragraph.text == "SƠ ĐỒ CHỖ NGỒI" for paragraph in word.paragraphs)



def test_the_seating_plans_tables_line_up_row_after_row(ctx, client, api_headers):
    """Each row is a table of its own: their columns start at the same place whatever the
    names and titles in them, so that the printed plan reads as one list."""
    workshop, _people = hall()
    services.arrange(workshop, per_row=2, head_table=1, reset=True)
    data = document(client, api_headers, workshop, "seating.pdf").data
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True,
                           check=True).stdout.decode()
    for header in ("Chức", "Cơ"):  # "Chức vụ", "Cơ quan, đơn vị": one per table
        starts = re.findall(rf'<word xMin="([0-9.]+)"[^>]*>{header}</word>', boxes)
        assert len(starts) >= 4, boxes[:500]
        assert len({round(float(x)) for x in starts}) == 1, (header, starts)

def test_the_scanners_result_screen_has_a_place_for_the_seat(ctx, client_as):
    workshop, _people = hall()
    page = client_as("staff").get(f"/workshops/{workshop.code}/scan/")
    assert 'class="scan-result-seat"' in page.get_data(as_text=True)



def test_a_hall_too_small_is_refused_and_keeps_the_seats_there_were(ctx, client, api_headers):
    workshop = factories.make_workshop()
    first = factories.make_invitee(workshop, "Vũ Thị Giang")
    services.set_seat(workshop, first.id, 7, 1)
    factories.make_invitees(workshop, services.MAX_ROW + 1)
    before = factories.database_snapshot(ignore=("api_tokens", "users", "logins"))
    response = api(client, api_headers("organizer"), "POST", f"/workshops/{workshop.code}/seating/arrange",
                   json={"per_row": 1, "reset": True})
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "per_row"
    assert factories.database_snapshot(ignore=("api_tokens", "users", "logins")) == before
    db.session.expire_all()
    assert first.seat_label == "Hàng 7, ghế 1"
