"""Feedback during the workshop and contributions before it: the rules, the API row, the pages."""
import io
import zipfile
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from tests import factories
from workshop.extensions import db
from workshop.feedback import services
from workshop.feedback.services import FeedbackError
from workshop.models import Contribution, Feedback
from workshop.timeutil import utcnow

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("Báo cáo tham luận của Sở Nội vụ")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải tệp Word")
    return buffer.getvalue()


def feedback_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Feedback))


@pytest.fixture
def invited(ctx):
    workshop = factories.make_workshop()
    return workshop, factories.make_invitee(workshop, "Nguyễn Văn An")


# ---- the rules ------------------------------------------------------------------------------

def test_feedback_is_stored_with_its_session_and_rating(invited):
    workshop, invitation = invited
    session = workshop.sessions[0]
    feedback = services.add_feedback(workshop, invitation, "lesson", "  Lãnh đạo phải vào cuộc.  ",
                                     session_id=session.id, rating=5)
    assert (feedback.category, feedback.text, feedback.session_id, feedback.rating) == (
        "lesson", "Lãnh đạo phải vào cuộc.", session.id, 5)
    assert services.feedback_of(invitation) == [feedback]


@pytest.mark.parametrize("change, field", [
    ({"category": "praise"}, "category"),
    ({"text": "   "}, "text"),
    ({"text": "x" * 2001}, "text"),
    ({"rating": 6}, "rating"),
    ({"rating": 0}, "rating"),
])
def test_bad_feedback_is_refused_with_its_field(invited, change, field):
    workshop, invitation = invited
    values = {"category": "lesson", "text": "Bài học", **change}
    with pytest.raises(FeedbackError) as refused:
        services.add_feedback(workshop, invitation, **values)
    assert refused.value.field == field
    assert feedback_count() == 0


def test_text_of_exactly_2000_characters_is_accepted(invited):
    workshop, invitation = invited
    assert len(services.add_feedback(workshop, invitation, "result", "x" * 2000).text) == 2000


def test_a_session_of_another_workshop_is_refused(invited):
    workshop, invitation = invited
    other = factories.make_workshop()
    with pytest.raises(FeedbackError, match="Phiên không thuộc hội thảo này") as refused:
        services.add_feedback(workshop, invitation, "lesson", "Bài học",
                              session_id=other.sessions[0].id)
    assert refused.value.field == "session_id"
    assert feedback_count() == 0


def test_an_invitation_of_another_workshop_is_refused(invited):
    workshop, _ = invited
    stranger = factories.make_invitee(factories.make_workshop())
    with pytest.raises(FeedbackError) as refused:
        services.add_feedback(workshop, stranger, "lesson", "Bài học")
    assert refused.value.code == "other_workshop"


def test_feedback_is_refused_after_it_closes(invited):
    workshop, invitation = invited
    closes = utcnow() + timedelta(hours=1)
    services.set_feedback_closes_at(workshop, closes)
    services.add_feedback(workshop, invitation, "lesson", "Kịp hạn", now=closes - timedelta(minutes=1))
    with pytest.raises(FeedbackError, match="Đã hết thời gian nhận góp ý") as refused:
        services.add_feedback(workshop, invitation, "lesson", "Trễ hạn", now=closes)
    assert refused.value.code == "closed"
    assert db.session.scalars(select(Feedback.text)).all() == ["Kịp hạn"]


# ---- contributions and their attachment -------------------------------------------------------

@pytest.mark.parametrize("filename, data, mimetype", [
    ("bao-cao.pdf", PDF, services.PDF_TYPE),
    ("Báo cáo tham luận.DOCX", docx_bytes(), services.DOCX_TYPE),
])
def test_pdf_and_docx_attachments_are_accepted_by_their_content(invited, filename, data, mimetype):
    _, invitation = invited
    contribution = services.save_contribution(invitation, "Kết quả", None, "Bài học", None,
                                              attachment=(filename, "application/octet-stream", data))
    assert contribution.attachment_type == mimetype  # what the file is, not what the browser said
    assert contribution.attachment_name == filename
    assert db.session.get(Contribution, contribution.id).attachment == data


@pytest.mark.parametrize("filename, data, message", [
    ("anh-chup.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "Chỉ nhận tệp PDF"),
    ("bao-cao.docx", zip_bytes(), "Chỉ nhận tệp PDF"),
    ("bao-cao.docx", PDF, "Chỉ nhận tệp PDF"),
    ("bao-cao.exe", PDF, "Chỉ nhận tệp PDF"),
    ("bao-cao.doc", b"\xd0\xcf\x11\xe0" + b"0" * 100, "Chỉ nhận tệp PDF"),
    ("rong.pdf", b"", "rỗng"),
    ("qua-lon.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "tối đa 10 MB"),
])
def test_other_attachments_are_refused_and_nothing_is_saved(invited, filename, data, message):
    _, invitation = invited
    with pytest.raises(FeedbackError, match=message) as refused:
        services.save_contribution(invitation, "Kết quả", None, None, None,
                                   attachment=(filename, "application/pdf", data))
    assert refused.value.field == "attachment"
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_ten_megabytes_exactly_is_accepted(invited):
    _, invitation = invited
    data = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - 9)
    contribution = services.save_contribution(invitation, None, None, None, None,
                                              attachment=("lon.pdf", "application/pdf", data))
    assert contribution.attachment_name == "lon.pdf"


def test_rewriting_the_text_keeps_the_file_and_one_row(invited):
    _, invitation = invited
    services.save_contribution(invitation, "Cũ", None, None, None, attachment=("a.pdf", None, PDF))
    services.save_contribution(invitation, "Mới", "Vướng mắc", None, None)
    rows = db.session.scalars(select(Contribution)).all()
    assert len(rows) == 1
    assert (rows[0].results, rows[0].obstacles, rows[0].attachment_name) == ("Mới", "Vướng mắc", "a.pdf")


def test_an_empty_contribution_is_refused(invited):
    _, invitation = invited
    with pytest.raises(FeedbackError, match="ít nhất một nội dung"):
        services.save_contribution(invitation, " ", None, "", None)


def test_contributions_close_with_feedback(invited):
    workshop, invitation = invited
    services.set_feedback_closes_at(workshop, utcnow() - timedelta(minutes=1))
    with pytest.raises(FeedbackError) as refused:
        services.save_contribution(invitation, "Kết quả", None, None, None)
    assert refused.value.code == "closed"


def test_remarks_map_contributions_onto_the_categories(ctx):
    reviewed = factories.make_reviewed_workshop()
    grouped = services.by_category(services.remarks(reviewed.workshop))
    lessons = [(remark.text, remark.source, remark.agency) for remark in grouped["lesson"]]
    assert ("Phải gắn ISO với cải cách hành chính của huyện.", "contribution",
            "UBND thị xã Phổ Yên") in lessons
    assert ("Người đứng đầu phải trực tiếp chỉ đạo việc áp dụng ISO.", "feedback",
            "Sở Tư pháp") in lessons
    assert [remark.kind for remark in grouped["lesson"]] == ["department", "department", "district"]
    assert services.counts_by_kind(services.remarks(reviewed.workshop))["district"] == {
        "result": 1, "obstacle": 0, "lesson": 1, "recommendation": 0}
    ratings = services.ratings(reviewed.workshop)
    assert ratings[reviewed.sessions[0].id] == services.Rating(4.0, 2)
    assert ratings[None] == services.Rating(4.0, 1)



def test_remarks_are_ordered_by_kind_agency_source_and_time_and_include_unflushed_ones(ctx):
    """Kinds in directory order, agencies in Vietnamese order (Đ after D), remarks without an
    agency last; within an agency contributions first, then feedback by the time it was sent
    (not by when the row was written), and one still only added to the session."""
    workshop = factories.make_workshop()
    dong = factories.make_organization("Sở Đông", kind="department")
    dung = factories.make_organization("Sở Dũng", kind="department")
    district = factories.make_organization("UBND huyện Anh", kind="district")
    by = {agency.name: factories.make_invitee(workshop, organization=agency, status="accepted")
          for agency in (dong, dung, district)}
    start = workshop.starts_at
    db.session.add_all([
        Feedback(workshop_id=workshop.id, invitation_id=by["UBND huyện Anh"].id, category="result",
                 text="huyện", created_at=start),
        Feedback(workshop_id=workshop.id, invitation_id=None, category="result", text="không rõ",
                 created_at=start),
        Feedback(workshop_id=workshop.id, invitation_id=by["Sở Đông"].id, category="result",
                 text="Đông sau", created_at=start + timedelta(minutes=5)),
        Feedback(workshop_id=workshop.id, invitation_id=by["Sở Đông"].id, category="result",
                 text="Đông trước", created_at=start + timedelta(minutes=1)),
        Contribution(invitation_id=by["Sở Đông"].id, results="Đông tham luận"),
    ])
    db.session.commit()
    db.session.add(Feedback(workshop_id=workshop.id, invitation_id=by["Sở Dũng"].id,
                            category="result", text="Dũng", created_at=start))
    order = [(remark.text, remark.agency, remark.source, remark.kind)
             for remark in services.remarks(workshop)]
    assert order == [
        ("Dũng", "Sở Dũng", "feedback", "department"),
        ("Đông tham luận", "Sở Đông", "contribution", "department"),
        ("Đông trước", "Sở Đông", "feedback", "department"),
        ("Đông sau", "Sở Đông", "feedback", "department"),
        ("huyện", "UBND huyện Anh", "feedback", "district"),
        ("không rõ", None, "feedback", "other"),
    ]

# ---- the API row ---------------------------------------------------------------------------

def post_feedback(client, workshop, token, **body):
    headers = {"X-Invitation-Token": token} if token else {}
    return client.post(f"/api/v1/workshops/{workshop.code}/feedback", json=body, headers=headers)


def test_api_attendee_sends_feedback(invited, client):
    workshop, invitation = invited
    session = workshop.sessions[1]
    response = post_feedback(client, workshop, invitation.token, category="recommendation",
                             text="Đề nghị tỉnh hỗ trợ kinh phí", session_id=session.id, rating=4)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["category"], body["session_id"], body["rating"]) == ("recommendation", session.id, 4)
    stored = db.session.get(Feedback, body["id"])
    assert (stored.invitation_id, stored.text) == (invitation.id, "Đề nghị tỉnh hỗ trợ kinh phí")


def test_api_refusals(invited, client):
    workshop, invitation = invited
    assert post_feedback(client, workshop, None, category="lesson", text="A").status_code == 401
    assert post_feedback(client, workshop, "khong-dung", category="lesson", text="A").status_code == 401

    invalid = post_feedback(client, workshop, invitation.token, category="khen", text="", rating=9)
    assert invalid.status_code == 422
    fields = {problem["field"] for problem in invalid.get_json()["error"]["fields"]}
    assert fields == {"category", "text", "rating"}

    other = factories.make_workshop()
    wrong_session = post_feedback(client, workshop, invitation.token, category="lesson", text="A",
                                  session_id=other.sessions[0].id)
    assert wrong_session.status_code == 422
    assert wrong_session.get_json()["error"]["fields"][0]["field"] == "session_id"
    assert post_feedback(client, other, invitation.token, category="lesson", text="A").status_code == 403

    services.set_feedback_closes_at(workshop, utcnow() - timedelta(minutes=5))
    closed = post_feedback(client, workshop, invitation.token, category="lesson", text="Trễ")
    assert closed.status_code == 409
    assert closed.get_json()["error"]["code"] == "feedback_closed"
    assert feedback_count() == 0


def test_api_feedback_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/workshops/{code}/feedback"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["category"]["enum"] == ["result", "obstacle", "lesson", "recommendation"]
    assert schema["properties"]["text"]["maxLength"] == 2000
    rating = schema["properties"]["rating"]
    assert (rating["type"], rating["minimum"], rating["maximum"]) == ("integer", 1, 5)
    assert operation["security"] == [{"invitationToken": []}]


def test_api_chair_lists_feedback_by_category(invited, client, api_headers):
    workshop, invitation = invited
    services.add_feedback(workshop, invitation, "lesson", "Bài học một")
    services.add_feedback(workshop, invitation, "obstacle", "Vướng mắc một")
    response = client.get(f"/api/v1/workshops/{workshop.code}/feedback?category=lesson",
                          headers=api_headers("chair"))
    assert response.status_code == 200
    assert [item["text"] for item in response.get_json()["items"]] == ["Bài học một"]
    staff = client.get(f"/api/v1/workshops/{workshop.code}/feedback", headers=api_headers("staff"))
    assert staff.status_code == 403


# ---- the attendee's pages -------------------------------------------------------------------

def test_attendee_page_sends_feedback_and_lists_it(invited, client):
    workshop, invitation = invited
    page = client.get(f"/i/{invitation.token}/feedback")
    assert page.status_code == 200
    assert "Bài học kinh nghiệm" in page.text and workshop.sessions[0].title in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    sent = client.post(f"/i/{invitation.token}/feedback", data={
        "category": "lesson", "text": "<b>Phải</b> đào tạo lại", "session_id": "", "rating": ""})
    assert sent.status_code == 302
    listed = client.get(sent.headers["Location"])
    assert "&lt;b&gt;Phải&lt;/b&gt; đào tạo lại" in listed.text
    assert "<b>Phải</b>" not in listed.text


def test_attendee_page_keeps_what_was_typed_when_refused(invited, client):
    workshop, invitation = invited
    other = factories.make_workshop()
    refused = client.post(f"/i/{invitation.token}/feedback", data={
        "category": "lesson", "text": "Nội dung giữ lại", "session_id": str(other.sessions[0].id)})
    assert refused.status_code == 422
    assert "Phiên không thuộc hội thảo này" in refused.text
    assert "Nội dung giữ lại" in refused.text
    assert feedback_count() == 0


def test_attendee_page_after_closing(invited, client):
    workshop, invitation = invited
    services.set_feedback_closes_at(workshop, utcnow() - timedelta(minutes=1))
    page = client.get(f"/i/{invitation.token}/feedback")
    assert "Đã hết thời gian nhận góp ý" in page.text
    assert 'name="text"' not in page.text
    late = client.post(f"/i/{invitation.token}/feedback", data={"category": "lesson", "text": "Trễ"})
    assert late.status_code == 409
    assert feedback_count() == 0


def test_unknown_link_is_a_plain_404(client):
    response = client.get("/i/khong-co-link-nay/feedback")
    assert response.status_code == 404
    assert "Đường link giấy mời không đúng" in response.text


def test_attendee_sends_a_contribution_with_a_file(invited, client):
    _, invitation = invited
    response = client.post(f"/i/{invitation.token}/contribution", data={
        "results": "Chuẩn hóa 100% quy trình", "lessons": "Lãnh đạo vào cuộc",
        "attachment": (io.BytesIO(docx_bytes()), "tham-luan.docx"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    contribution = db.session.scalar(select(Contribution))
    assert (contribution.results, contribution.attachment_name) == ("Chuẩn hóa 100% quy trình",
                                                                   "tham-luan.docx")
    page = client.get(f"/i/{invitation.token}/contribution")
    assert "tham-luan.docx" in page.text and "Lãnh đạo vào cuộc" in page.text


def test_attendee_contribution_with_a_wrong_file_saves_nothing(invited, client):
    _, invitation = invited
    response = client.post(f"/i/{invitation.token}/contribution", data={
        "results": "Nội dung giữ lại",
        "attachment": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF (.pdf) hoặc Word (.docx)" in response.text
    assert "Nội dung giữ lại" in response.text
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


# ---- the organizer's and the chair's page ------------------------------------------------------

def test_organizer_sets_when_feedback_closes(invited, client_as):
    workshop, _ = invited
    organizer = client_as("organizer")
    response = organizer.post(f"/workshops/{workshop.code}/feedback/closing",
                              data={"feedback_closes_at": "2030-08-15T17:00"})
    assert response.status_code == 302
    db.session.refresh(workshop)
    assert workshop.feedback_closes_at.isoformat().startswith("2030-08-15T10:00")  # 17:00 in UTC+7
    page = organizer.get(f"/workshops/{workshop.code}/feedback")
    assert "17:00 15/08/2030" in page.text
    bad = organizer.post(f"/workshops/{workshop.code}/feedback/closing",
                         data={"feedback_closes_at": "ngày mai"})
    assert bad.status_code == 422
    db.session.refresh(workshop)
    assert workshop.feedback_closes_at is not None


def test_the_chair_reads_but_does_not_set_the_closing(invited, client_as):
    workshop, _ = invited
    chair = client_as("chair")
    assert chair.get(f"/workshops/{workshop.code}/feedback").status_code == 200
    assert chair.post(f"/workshops/{workshop.code}/feedback/closing",
                      data={"feedback_closes_at": ""}).status_code == 403


def test_check_in_staff_do_not_see_feedback(invited, client_as):
    # One role per test: the requests of a test share its application context, and with it
    # the signed-in user that Flask-Login caches in `g`.
    workshop, _ = invited
    assert client_as("staff").get(f"/workshops/{workshop.code}/feedback").status_code == 403


def test_chair_sees_remarks_and_downloads_an_attachment(ctx, client_as):
    reviewed = factories.make_reviewed_workshop()
    services.save_contribution(reviewed.declined, "Kết quả", None, None, None,
                               attachment=("tham-luan.pdf", None, PDF))
    chair = client_as("chair")
    page = chair.get(f"/workshops/{reviewed.workshop.code}/feedback?category=lesson")
    assert "Người đứng đầu phải trực tiếp chỉ đạo" in page.text
    assert "Cán bộ đầu mối thay đổi thường xuyên" not in page.text  # an obstacle, filtered out
    contribution = db.session.scalar(select(Contribution))
    download = chair.get(f"/workshops/{reviewed.workshop.code}/contributions/{contribution.id}/attachment")
    assert download.status_code == 200
    assert download.data == PDF and download.mimetype == "application/pdf"
    other = factories.make_workshop()
    assert chair.get(f"/workshops/{other.code}/contributions/{contribution.id}/attachment").status_code == 404
