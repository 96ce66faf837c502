"""CONTRACT.md "Text input" and "Documents and exports": odd text is refused where it comes in
(API, pages, imports) with a message naming the field, and what is stored already can never
break or booby-trap an export."""
from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests import factories
from workshop.directory import imports as directory_imports
from workshop.extensions import db
from workshop.models import CheckIn, Feedback, Invitation, Organization, Question, Workshop
from workshop.timeutil import utcnow

TRAPS = ("=1+1", "+84", "-x", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"y\")")


def _attendee(invitation) -> dict:
    return {"X-Invitation-Token": invitation.token}


def _fields(response) -> set[str]:
    return {problem["field"] for problem in response.get_json()["error"]["fields"]}


# --- item 4: control characters refused where they come in --------------------------------


def test_a_control_character_in_a_deputy_name_is_refused_by_the_api(ctx, client):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    response = client.post("/api/v1/rsvp", headers=_attendee(invitation),
                           json={"response": "delegate", "delegate_name": "Trần\u0002Bình"})
    assert response.status_code == 422
    assert _fields(response) == {"delegate_name"}
    assert "ký tự điều khiển" in response.get_json()["error"]["fields"][0]["message"]
    db.session.refresh(invitation)
    assert invitation.status == "sent" and invitation.delegate_name is None


def test_a_control_character_in_a_deputy_name_is_refused_by_the_page(ctx, client):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    page = client.post(f"/i/{invitation.token}", data={
        "response": "delegate", "delegate_name": "Trần\u0002Bình"})
    assert page.status_code == 422
    assert "Họ và tên người dự thay" in page.text and "ký tự điều khiển" in page.text
    db.session.refresh(invitation)
    assert invitation.status == "sent" and invitation.delegate_name is None


@pytest.mark.parametrize("name", ["Trần\nBình", "Trần\rBình", "Trần\tBình"])
def test_line_breaks_and_tabs_in_a_name_are_refused(ctx, client, name):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    response = client.post("/api/v1/rsvp", headers=_attendee(invitation),
                           json={"response": "delegate", "delegate_name": name})
    assert response.status_code == 422
    assert _fields(response) == {"delegate_name"}


@pytest.mark.parametrize("text", ["   ", "\u200b\u200b", "\u00a0\ufeff", "\u200c\u200d \u2060"])
def test_a_question_of_only_spaces_or_invisible_characters_is_refused(ctx, client, text):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    response = client.post(f"/api/v1/workshops/{workshop.code}/questions",
                           headers=_attendee(invitation),
                           json={"session_id": workshop.sessions[0].id, "text": text})
    assert response.status_code == 422
    assert _fields(response) == {"text"}
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_a_multi_line_question_keeps_its_line_breaks_but_not_other_controls(ctx, client):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    url = f"/api/v1/workshops/{workshop.code}/questions"
    body = {"session_id": workshop.sessions[0].id, "text": "Dòng một\r\n\tDòng hai"}
    assert client.post(url, headers=_attendee(invitation), json=body).status_code == 201
    body["text"] = "Dòng một\x1bDòng hai"
    refused = client.post(url, headers=_attendee(invitation), json=body)
    assert refused.status_code == 422 and _fields(refused) == {"text"}


def test_control_characters_are_refused_in_staff_forms_too(ctx, client_as, api_headers):
    response = client_as("organizer").post("/directory/new", data={
        "name": "Sở\x07Tư pháp", "kind": "department"})
    assert response.status_code in (200, 422)
    assert "ký tự điều khiển" in response.text
    response = client_as("organizer").post("/api/v1/organizations", headers=api_headers("organizer"),
                                            json={"name": "Sở\x1fNội vụ", "kind": "department"})
    assert response.status_code == 422 and _fields(response) == {"name"}
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 0


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_an_import_row_with_a_control_character_or_invisible_name_is_refused(ctx):
    preview = directory_imports.parse_import("danh-ba.csv", _csv(
        "name,kind,leader_name", "Sở Nội vụ,department,Nguyễn\x02An",
        "\u200b\u200b,department,", '"Sở Tư\npháp",department,'))
    assert not preview.ok
    problems = {(problem.row, problem.field) for problem in preview.problems}
    assert problems == {(2, "leader_name"), (3, "name"), (4, "name")}


# --- item 4: every export stores user text as text ---------------------------------------


def _stored_with_traps(workshop: Workshop) -> None:
    """Values typed by users, some stored before this check existed (inserted directly)."""
    organization = Organization(name="=1+1", kind="department", leader_name="+84",
                                phone="@SUM(A1)", address="-x", code="=CODE")
    db.session.add(organization)
    db.session.commit()
    for value in TRAPS:
        factories.make_invitee(workshop, name=value, title=value, phone=value,
                               organization=organization, status="delegated",
                               delegate_name=value, delegate_title=value)
    broken = factories.make_invitee(workshop, name="Nguyễn\x02An", status="delegated",
                                    delegate_name="Trần\u0002Bình", delegate_title="Phó\x1b",
                                    organization=organization)
    db.session.add(CheckIn(invitation_id=broken.id, workshop_id=workshop.id))
    db.session.add(Question(workshop_id=workshop.id, session_id=workshop.sessions[0].id,
                            invitation_id=broken.id, text="=1+1\x02", answer="+84",
                            assigned_to="@SUM(A1)", answered_by="-x", status="visible"))
    db.session.add(Feedback(workshop_id=workshop.id, invitation_id=broken.id, category="lesson",
                            text="=HYPERLINK(\"http://x\",\"y\")\x01"))
    db.session.commit()


EXPORTS = ("/workshops/{code}/invitations.xlsx", "/workshops/{code}/attendance.xlsx",
           "/workshops/{code}/summary.xlsx", "/directory/export")


@pytest.mark.parametrize("url", EXPORTS)
def test_no_export_breaks_or_holds_a_formula(ctx, client_as, url):
    workshop = factories.make_workshop()
    _stored_with_traps(workshop)
    response = client_as("organizer").get(url.format(code=workshop.code))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    seen = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in cell.value)
                    seen.add(cell.value)
    assert "=1+1" in seen or "=1+1" in {value.rstrip() for value in seen}
    if "directory" not in url:
        assert "+84" in seen


def test_the_invitations_export_keeps_answer_times_as_dates(ctx, client_as):
    workshop = factories.make_workshop()
    factories.make_invitee(workshop, status="accepted", responded_at=utcnow())
    response = client_as("organizer").get(f"/workshops/{workshop.code}/invitations.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet["L3"].is_date and sheet["L3"].number_format == "dd/mm/yyyy hh:mm"


# --- item 6: no 5xx for any input -------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00",
                                  "9999-12-31T23:59:59"])
def test_times_outside_2000_to_2100_are_refused_by_the_api(ctx, client, api_headers, when):
    response = client.post("/api/v1/workshops", headers=api_headers("organizer"),
                           json={"title": "Hội thảo", "venue": "Hội trường", "starts_at": when})
    assert response.status_code == 422
    assert _fields(response) == {"starts_at"}
    assert "2000" in response.get_json()["error"]["fields"][0]["message"]
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_a_year_one_date_is_refused_by_the_page_forms(ctx, client_as):
    organizer = client_as("organizer")
    page = organizer.post("/workshops/new", data={"title": "Hội thảo", "venue": "Hội trường",
                                                  "starts_at": "0001-01-01T00:00"})
    assert page.status_code in (200, 422) and "2000" in page.text
    workshop = factories.make_workshop()
    page = organizer.post(f"/workshops/{workshop.code}/sessions/new", data={
        "title": "Phiên", "starts_at": "0001-01-01T00:00"})
    assert page.status_code in (200, 422) and "2000" in page.text
    page = organizer.post(f"/workshops/{workshop.code}/feedback/closing",
                          data={"feedback_closes_at": "0001-01-01T00:00"})
    assert page.status_code in (200, 422) and "2000" in page.text
    db.session.refresh(workshop)
    assert workshop.feedback_closes_at is None
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 1


def test_json_nested_very_deep_is_a_clear_400(ctx, client, api_headers):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/workshops", headers={**api_headers("organizer"),
                                                         "Content-Type": "application/json"},
                           data=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/workshops", headers={**api_headers("organizer"),
                                                         "Content-Type": "application/json"},
                           data=body)
    assert response.status_code == 400


@pytest.mark.parametrize("moderated", ["maybe", "true", 1, ["true"]])
def test_a_boolean_must_be_a_json_boolean(ctx, client, api_headers, moderated):
    workshop = factories.make_workshop()
    response = client.post(f"/api/v1/workshops/{workshop.code}/sessions",
                           headers=api_headers("organizer"),
                           json={"title": "Phiên 3", "moderated": moderated})
    assert response.status_code == 422
    assert _fields(response) == {"moderated"}
    assert len(db.session.get(Workshop, workshop.id).sessions) == 2


def test_booleans_still_work(ctx, client, api_headers):
    workshop = factories.make_workshop()
    url = f"/api/v1/workshops/{workshop.code}/sessions"
    assert client.post(url, headers=api_headers("organizer"),
                       json={"title": "Phiên 3", "moderated": True}).get_json()["moderated"] is True
    assert client.post(url, headers=api_headers("organizer"),
                       json={"title": "Phiên 4", "moderated": False}).get_json()["moderated"] is False


@pytest.mark.parametrize("body", [{"response": ["accept"]}, {"response": True},
                                  {"response": "maybe"}, {"response": {"a": 1}},
                                  {"response": "delegate", "delegate_name": ["A", "B"]}])
def test_a_list_or_wrong_enum_where_one_value_is_named_is_refused(ctx, client, body):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    response = client.post("/api/v1/rsvp", headers=_attendee(invitation), json=body)
    assert response.status_code == 422
    db.session.refresh(invitation)
    assert invitation.status == "sent"


def test_a_list_where_a_list_is_named_still_works(ctx, client, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    url = f"/api/v1/workshops/{workshop.code}/invitations/send"
    response = client.post(url, headers=api_headers("organizer"), json={"ids": [invitation.id]})
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["queued"] == 1
    refused = client.post(url, headers=api_headers("organizer"), json={"ids": [[invitation.id]]})
    assert refused.status_code == 422


@pytest.mark.parametrize("offset", [-1, -5])
def test_a_scanned_at_far_before_the_workshop_or_in_the_future_is_refused(
        ctx, client, api_headers, offset):
    workshop = factories.make_workshop(starts_at=utcnow() + timedelta(hours=1),
                                       ends_at=utcnow() + timedelta(hours=4))
    invitation = factories.make_invitee(workshop, status="accepted")
    url = f"/api/v1/workshops/{workshop.code}/checkins"
    for when in ((workshop.starts_at + timedelta(days=offset * 365)).isoformat(),
                 "2000-01-01T00:00", (utcnow() + timedelta(hours=1)).isoformat()):
        response = client.post(url, headers=api_headers("staff"),
                               json={"token": invitation.pass_token, "scanned_at": when})
        assert response.status_code == 422, when
        assert _fields(response) == {"scanned_at"}
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    fine = client.post(url, headers=api_headers("staff"), json={
        "token": invitation.pass_token, "scanned_at": (utcnow() - timedelta(minutes=3)).isoformat()})
    assert fine.status_code == 200


@pytest.mark.parametrize("query", ["limit=-1", "offset=-1", "limit=0", "limit=-5&offset=-5"])
def test_negative_limit_or_offset_is_refused(ctx, client, api_headers, query):
    response = client.get(f"/api/v1/workshops?{query}", headers=api_headers("staff"))
    assert response.status_code == 422


def _xlsx_bomb(rows: int) -> bytes:
    """A sheet of many identical rows, written as a stream: a small file that inflates a lot."""
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>' \
             '<c r="B1" t="inlineStr"><is><t>kind</t></is></c></row>'
    row = '<row><c t="inlineStr"><is><t>Sở</t></is></c><c t="inlineStr"><is><t>department</t>' \
          '</is></c></row>'
    plain = io.BytesIO()
    Workbook().save(plain)
    output = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item.filename, source.read(item.filename))
                continue
            with bomb.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                             'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                             + header).encode())
                chunk = (row * 10_000).encode()
                for _ in range(rows // 10_000):
                    sheet.write(chunk)
                sheet.write((row * (rows % 10_000)).encode())
                sheet.write(b"</sheetData></worksheet>")
    return output.getvalue()


def test_an_xlsx_zip_bomb_is_refused_quickly(ctx):
    content = _xlsx_bomb(1_500_000)
    assert len(content) < 1_000_000
    started = time.monotonic()
    preview = directory_imports.parse_import("bom.xlsx", content)
    assert time.monotonic() - started < 2
    assert not preview.ok and not preview.rows
    assert any("quá lớn" in problem.message or "5.000" in problem.message
               for problem in preview.problems)


def test_an_import_of_too_many_rows_is_refused_with_a_clear_message(ctx):
    preview = directory_imports.parse_import("nhieu.xlsx", _xlsx_bomb(directory_imports.MAX_IMPORT_ROWS + 1))
    assert not preview.ok
    assert any("5.000" in problem.message for problem in preview.problems)
    rows = ["name,kind"] + [f"Cơ quan {n},department" for n in range(directory_imports.MAX_IMPORT_ROWS + 1)]
    preview = directory_imports.parse_import("nhieu.csv", _csv(*rows))
    assert not preview.ok and any("5.000" in problem.message for problem in preview.problems)


def test_an_import_at_the_bound_still_goes_through(ctx):
    preview = directory_imports.parse_import("du.xlsx", _xlsx_bomb(directory_imports.MAX_IMPORT_ROWS))
    assert preview.ok and len(preview.rows) == directory_imports.MAX_IMPORT_ROWS


def test_an_oversized_import_file_is_refused(ctx):
    content = _csv("name,kind", *(["Sở Nội vụ,department," + "x" * 1000] * 6000))
    assert len(content) > directory_imports.MAX_IMPORT_BYTES
    preview = directory_imports.parse_import("to.csv", content)
    assert not preview.ok and not preview.rows
    assert Invitation  # the import touches no invitation


def test_a_wrong_choice_is_refused_in_vietnamese(ctx, client, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    response = client.post(f"/api/v1/workshops/{workshop.code}/feedback",
                           headers=_attendee(invitation), json={"category": "maybe", "text": "Ý kiến"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == [
        {"field": "category", "message": "Lựa chọn không hợp lệ."}]
    question = Question(workshop_id=workshop.id, session_id=workshop.sessions[0].id,
                        invitation_id=invitation.id, text="Câu hỏi")
    db.session.add(question)
    db.session.commit()
    response = client.patch(f"/api/v1/questions/{question.id}", headers=api_headers("chair"),
                            json={"status": "maybe"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == [
        {"field": "status", "message": "Lựa chọn không hợp lệ."}]
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


@pytest.mark.parametrize("url", [
    "/api/v1/organizations?kind=maybe", "/api/v1/workshops/{code}/questions?order=maybe",
    "/api/v1/workshops/{code}/questions?status=visible,maybe",
    "/api/v1/workshops/{code}/questions?session_id=abc",
    "/api/v1/workshops/{code}/feedback?category=maybe"])
def test_a_query_argument_outside_its_values_is_refused(ctx, client, api_headers, url):
    workshop = factories.make_workshop()
    response = client.get(url.format(code=workshop.code), headers=api_headers("organizer"))
    assert response.status_code == 422
    assert _fields(response) == {url.rsplit("?", 1)[1].split("=")[0]}


def test_query_arguments_inside_their_values_still_filter(ctx, client, api_headers):
    workshop = factories.make_workshop()
    headers = api_headers("organizer")
    for url in ("/api/v1/organizations?kind=district",
                f"/api/v1/workshops/{workshop.code}/questions?order=time&status=pending,hidden"
                f"&session_id={workshop.sessions[0].id}",
                f"/api/v1/workshops/{workshop.code}/feedback?category=lesson"):
        assert client.get(url, headers=headers).status_code == 200, url


def test_a_page_sent_json_it_cannot_read_answers_400(ctx, client):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    for body in ("[" * 100_000 + "]" * 100_000, "[1, 2]"):
        response = client.post(f"/i/{invitation.token}", data=body,
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 400
    db.session.refresh(invitation)
    assert invitation.status == "sent"


def test_every_form_of_the_app_checks_its_text():
    """One rule for every form: each derives from CheckedForm (workshop/fields.py)."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import workshop
    from workshop.fields import CheckedForm

    for module in pkgutil.walk_packages(workshop.__path__, "workshop."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    forms = set()
    pending = [FlaskForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            forms.add(subclass)
            pending.append(subclass)
    ours = {form for form in forms if form.__module__.startswith("workshop.")}
    assert len(ours) > 20
    assert {form.__qualname__ for form in ours if not issubclass(form, CheckedForm)} == set()


def test_a_workshop_title_of_invisible_characters_is_refused_on_the_page(ctx, client_as):
    page = client_as("organizer").post("/workshops/new", data={
        "title": "\u200b\u2060", "venue": "Hội trường", "starts_at": "2030-08-12T08:00"})
    assert "Tên hội thảo" in page.text and "chỉ có khoảng trắng hoặc ký tự vô hình" in page.text
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_letters_and_pages_still_open_with_control_characters_stored(ctx, client_as):
    from docx import Document

    workshop = factories.make_letter_workshop(description="Nội dung\x02 mô tả")
    invitation = factories.make_invitee(workshop, name="Nguyễn\x02An", title="Giám\x1b đốc",
                                        status="sent")
    organizer = client_as("organizer")
    for url in (f"/workshops/{workshop.code}/letters.docx",
                f"/workshops/{workshop.code}/invitations/{invitation.id}/letter.docx"):
        response = organizer.get(url)
        assert response.status_code == 200, url
        text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
        assert "NguyễnAn" in text
    for url in (f"/workshops/{workshop.code}/summary.docx", f"/workshops/{workshop.code}/invitations",
                f"/workshops/{workshop.code}/sign-in-sheet", f"/workshops/{workshop.code}/board"):
        assert organizer.get(url).status_code == 200, url


def test_a_field_without_a_label_is_not_named_in_english(ctx, client, api_headers):
    workshop = factories.make_workshop()
    response = client.post(f"/api/v1/workshops/{workshop.code}/checkins",
                           headers=api_headers("staff"), json={"token": "abc", "client_id": "a\x02"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == [
        {"field": "client_id", "message": "Có ký tự điều khiển không hợp lệ; vui lòng gõ lại."}]


def test_a_scan_made_now_is_taken_even_long_before_the_workshop(ctx, client, api_headers):
    """The bound is on the clock, not on the calendar: a scanner tried today for a workshop in
    2030 keeps working as a scan without `scanned_at` would."""
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="accepted")
    response = client.post(f"/api/v1/workshops/{workshop.code}/checkins",
                           headers=api_headers("staff"),
                           json={"token": invitation.pass_token, "scanned_at": utcnow().isoformat()})
    assert response.status_code == 200 and response.get_json()["result"] == "checked_in"


@pytest.mark.parametrize(("body", "wrong"), [
    ({"name": 123}, "name"), ({"name": "Trần Văn Bình", "title": 1.5}, "title"),
    ({"name": "Trần Văn Bình", "organization_id": "7"}, "organization_id"),
    ({"name": "Trần Văn Bình", "phone": 912345678}, "phone")])
def test_a_number_where_a_text_is_named_and_text_where_an_id_is_are_refused(ctx, client, api_headers,
                                                                          body, wrong):
    """A number is not turned into a text, nor a text into a number: each is the wrong JSON
    type, named in the 422."""
    workshop = factories.make_workshop()
    response = client.post(f"/api/v1/workshops/{workshop.code}/invitations",
                           headers=api_headers("organizer"), json=body)
    assert response.status_code == 422
    assert _fields(response) == {wrong}
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_an_id_sent_as_text_is_refused(ctx, client):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, status="sent")
    response = client.post(f"/api/v1/workshops/{workshop.code}/questions", headers=_attendee(invitation),
                           json={"session_id": str(workshop.sessions[0].id), "text": "Câu hỏi"})
    assert response.status_code == 422 and _fields(response) == {"session_id"}
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


@pytest.mark.parametrize("report_date", ["1999-12-31", "2101-01-01", "12/08/2014", 20140812])
def test_a_report_date_outside_the_years_or_not_a_date_is_refused(ctx, client, api_headers,
                                                                  report_date):
    workshop = factories.make_workshop()
    response = client.put(f"/api/v1/workshops/{workshop.code}/summary/conclusions",
                          headers=api_headers("chair"),
                          json={"text": "Kết luận", "report_date": report_date})
    assert response.status_code == 422 and _fields(response) == {"report_date"}
