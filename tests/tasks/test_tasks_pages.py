"""The agency's task link from a phone and the organizer's tasks page."""
import io
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import select

from tests import factories
from tests.smtp import smtp_server_fixture  # noqa: F401
from workshop.extensions import db
from workshop.models import ConclusionItem, OutboxMessage, Task, TaskReport
from workshop.tasks import services

LATER = date.today() + timedelta(days=20)


@pytest.fixture
def app(make_app, smtp_server):
    """The app, sending mail to the test's real SMTP server."""
    app = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port,
                   MAIL_FROM="hoithao@example.org")
    app.before_request(_forget_cached_login)  # as conftest's `app` does
    return app


def _forget_cached_login() -> None:
    g.pop("_login_user", None)


@pytest.fixture
def world(ctx):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Nội vụ", email="snv@example.org")
    neighbour = factories.make_organization("Sở Tư pháp", email="stp@example.org")
    mine, token = services.create_task(workshop, "Rà soát quy trình ISO.", agency.id, LATER)
    second, _ = services.create_task(workshop, "Công bố lại hệ thống.", agency.id, LATER)
    theirs, their_token = services.create_task(workshop, "Việc của Sở Tư pháp.", neighbour.id, LATER)
    other = factories.make_workshop()
    elsewhere, _ = services.create_task(other, "Việc ở hội thảo khác.", agency.id, LATER)
    return {"workshop": workshop, "agency": agency, "mine": mine, "token": token,
            "second": second, "theirs": theirs, "their_token": their_token,
            "elsewhere": elsewhere}


def post_report(client, token, task_id, **fields):
    return client.post(f"/t/{token}", data={"task_id": str(task_id), **fields},
                       content_type="multipart/form-data")


def test_the_link_shows_its_agencys_tasks_of_its_workshop_only(client, world):
    response = client.get(f"/t/{world['token']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Rà soát quy trình ISO." in page and "Công bố lại hệ thống." in page
    assert "Việc của Sở Tư pháp." not in page and "Việc ở hội thảo khác." not in page
    assert 'name="viewport"' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_unknown_link_is_404(client, world):
    assert client.get("/t/khong-co-duong-link-nay").status_code == 404


def test_the_agency_reports_with_a_pdf_then_finishes(app, world):
    client = app.test_client()
    response = post_report(client, world["token"], world["second"].id,
                           text="Đã hoàn thành 80% khối lượng.",
                           attachment=(io.BytesIO(b"%PDF-1.4 bao cao"), "bao-cao.pdf"))
    assert response.status_code == 302
    report = db.session.scalar(select(TaskReport))
    assert (report.task_id, report.attachment_name, report.attachment_type) == (
        world["second"].id, "bao-cao.pdf", "application/pdf")
    assert post_report(client, world["token"], world["second"].id, text="Đã xong.",
                       done="y").status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, world["second"].id).status == "done"
    again = post_report(client, world["token"], world["second"].id, text="Bổ sung.")
    assert again.status_code == 409
    assert "không nhận thêm báo cáo" in again.get_data(as_text=True)
    assert db.session.get(Task, world["second"].id).reports[-1].text == "Đã xong."


@pytest.mark.parametrize("fields,problem", [
    ({"text": ""}, "Vui lòng nhập nội dung báo cáo."),
    ({"text": "Có \x1b ký tự"}, "ký tự điều khiển"),
    ({"text": "Báo cáo", "attachment": (io.BytesIO(b"MZ not a pdf"), "bao-cao.pdf")}, "Chỉ nhận tệp PDF"),
    ({"text": "Báo cáo", "attachment": (io.BytesIO(b"GIF89a"), "anh.gif")}, "Chỉ nhận tệp PDF"),
])
def test_a_bad_report_is_refused_with_its_reason_and_changes_nothing(app, world, fields, problem):
    before = factories.database_snapshot()
    response = post_report(app.test_client(), world["token"], world["mine"].id, **fields)
    assert response.status_code == 422
    assert problem in response.get_data(as_text=True)
    assert factories.database_snapshot() == before


@pytest.mark.parametrize("target", ["theirs", "elsewhere"])
def test_a_link_cannot_report_on_another_agencys_or_workshops_task(app, world, target):
    before = factories.database_snapshot()
    response = post_report(app.test_client(), world["token"], world[target].id, text="Giả mạo.")
    assert response.status_code == 404
    assert factories.database_snapshot() == before


def test_tasks_page_by_agency_and_state_and_navigation(client_as, world):
    late = world["mine"]
    late.due_on = date.today() - timedelta(days=1)
    db.session.commit()
    staff = client_as("staff")
    page = staff.get(f"/workshops/{world['workshop'].code}/tasks").get_data(as_text=True)
    assert "Sở Nội vụ" in page and "Sở Tư pháp" in page and "Quá hạn" in page
    assert "Giao nhiệm vụ" not in page  # staff cannot create
    overdue = staff.get(f"/workshops/{world['workshop'].code}/tasks?status=overdue").get_data(as_text=True)
    assert "Rà soát quy trình ISO." in overdue and "Công bố lại hệ thống." not in overdue
    dashboard = client_as("chair").get(f"/workshops/{world['workshop'].code}/").get_data(as_text=True)
    assert f"/workshops/{world['workshop'].code}/tasks" in dashboard


def test_staff_cannot_create_a_task_on_the_page_and_chair_can(client_as, world, app):
    url = f"/workshops/{world['workshop'].code}/tasks"
    data = {"text": "Báo cáo kết quả khắc phục.", "organization_id": str(world["agency"].id),
            "due_on": LATER.isoformat()}
    assert client_as("staff").post(url, data=data).status_code == 403
    response = client_as("chair").post(url, data=data)
    assert response.status_code == 201, response.get_data(as_text=True)[-1500:]
    page = response.get_data(as_text=True)
    assert "/t/" in page and "Kính gửi Sở Nội vụ" in page  # the link and the Zalo/SMS text
    assert db.session.scalar(select(Task).where(Task.text == "Báo cáo kết quả khắc phục."))


def test_tasks_from_the_conclusion_items(client_as, world, app):
    workshop = world["workshop"]
    db.session.add_all([
        ConclusionItem(workshop_id=workshop.id, position=1, text="Sở Nội vụ tổng hợp kết quả.",
                       organization_id=world["agency"].id, due_on=LATER),
        ConclusionItem(workshop_id=workshop.id, position=2, text="Các cơ quan duy trì ISO.",
                       organization_id=world["theirs"].organization_id),
        ConclusionItem(workshop_id=workshop.id, position=3, text="Hội thảo thành công tốt đẹp."),
    ])
    db.session.commit()
    url = f"/workshops/{workshop.code}/tasks/from-conclusions"
    assert client_as("chair").post(url, data={}).status_code == 422  # item 2 has no deadline
    response = client_as("chair").post(url, data={"due_on": (LATER + timedelta(days=10)).isoformat()})
    assert response.status_code == 201
    made = db.session.scalars(select(Task).where(Task.conclusion_item_id.is_not(None))
                              .order_by(Task.id)).all()
    assert [(task.text, task.due_on) for task in made] == [
        ("Sở Nội vụ tổng hợp kết quả.", LATER),
        ("Các cơ quan duy trì ISO.", LATER + timedelta(days=10))]
    assert services.unassigned_items(workshop) == []


def test_overdue_reminders_arrive_over_smtp_with_a_working_link(app, client_as, world, smtp_server):
    world["mine"].due_on = date.today() - timedelta(days=2)
    db.session.commit()
    organizer = client_as("organizer")
    assert organizer.post(f"/workshops/{world['workshop'].code}/tasks/remind").status_code == 302
    queued = db.session.scalars(select(OutboxMessage)).all()
    assert [message.to_address for message in queued] == ["snv@example.org"]  # only the overdue
    assert smtp_server.messages == []  # queued, sent after the commit by a delivery round
    assert organizer.post(f"/workshops/{world['workshop'].code}/tasks/deliver").status_code == 302
    [mail] = smtp_server.messages
    body = mail.get_body(("plain",)).get_content()
    assert "Rà soát quy trình ISO." in body and "Công bố lại hệ thống." not in body
    link = next(line for line in body.splitlines() if "/t/" in line).strip()
    token = link.rsplit("/t/", 1)[1]
    assert app.test_client().get(f"/t/{token}").status_code == 200
    # the earlier link of the reminded task was replaced
    assert app.test_client().get(f"/t/{world['token']}").status_code == 404


def test_tasks_export_is_an_xlsx(client_as, world):
    from openpyxl import load_workbook

    response = client_as("staff").get(f"/workshops/{world['workshop'].code}/tasks.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Sở Nội vụ" in values and "Rà soát quy trình ISO." in values
    assert "Việc ở hội thảo khác." not in values



def test_the_conclusions_notice_lists_the_tasks_and_sends_to_their_agencies(client_as, world):
    page = client_as("chair").get(f"/workshops/{world['workshop'].code}/conclusions/print")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Giao nhiệm vụ cụ thể:" in text
    assert "Rà soát quy trình ISO." in text and "Việc của Sở Tư pháp." in text
    assert "Việc ở hội thảo khác." not in text
    assert "Sở Tư pháp;" in text  # among the recipients (Nơi nhận)


def test_the_status_report_in_docx_and_pdf_names_each_agency_and_state(client_as, world, api_headers,
                                                                        client):
    import subprocess

    from docx import Document as Docx

    late = world["theirs"]
    late.due_on = date.today() - timedelta(days=1)
    db.session.commit()
    services.add_report(world["mine"], "Đã rà soát 20/24 quy trình.")
    chair = client_as("chair")
    response = chair.get(f"/workshops/{world['workshop'].code}/documents/followup.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Docx(io.BytesIO(response.data)).paragraphs)
    assert "BÁO CÁO" in text and "Tình hình thực hiện kết luận" in text
    assert "Sở Nội vụ" in text and "Đã rà soát 20/24 quy trình." in text
    assert "Tổng số nhiệm vụ: 3; đã hoàn thành: 0; đang thực hiện, đã báo cáo tiến độ: 1; " \
           "chưa báo cáo: 1; quá hạn chưa hoàn thành: 1." in text
    assert "Việc ở hội thảo khác." not in text
    pdf = client.get(f"/api/v1/workshops/{world['workshop'].code}/documents/followup.pdf",
                     headers=api_headers("chair"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    words = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True,
                           check=True).stdout.decode()
    assert "Sở Tư pháp" in words and "quá hạn" in words.lower()
    assert client_as("staff").get(
        f"/workshops/{world['workshop'].code}/documents/followup.docx").status_code == 403


@pytest.mark.parametrize("task_id", ["99999999999", "2147483648", "-1", "abc", ""])
def test_a_task_number_past_any_id_or_no_number_is_refused(app, world, task_id):
    before = factories.database_snapshot()
    response = post_report(app.test_client(), world["token"], task_id, text="Báo cáo.")
    assert response.status_code in (404, 422)
    assert factories.database_snapshot() == before


def test_an_agency_number_past_any_id_is_an_unknown_agency(client_as, world, app):
    response = client_as("chair").post(f"/workshops/{world['workshop'].code}/tasks", data={
        "text": "Nhiệm vụ.", "organization_id": "99999999999", "due_on": LATER.isoformat()})
    assert response.status_code == 422
    assert "Cơ quan không có trong danh bạ." in response.get_data(as_text=True)


def test_the_page_across_workshops_shows_each_agencys_tasks_of_every_workshop(client_as, world):
    world["elsewhere"].due_on = date.today() - timedelta(days=1)
    db.session.commit()
    staff = client_as("staff")
    page = staff.get("/tasks").get_data(as_text=True)
    assert "Rà soát quy trình ISO." in page and "Việc ở hội thảo khác." in page
    assert page.index("Sở Nội vụ") < page.index("Sở Tư pháp")
    overdue = staff.get("/tasks?status=overdue").get_data(as_text=True)
    assert "Việc ở hội thảo khác." in overdue and "Rà soát quy trình ISO." not in overdue
    assert "/tasks" in staff.get("/workshops/").get_data(as_text=True)


def test_sending_the_links_mails_each_agency_with_a_task_not_done(app, client_as, world,
                                                                  smtp_server):
    services.add_report(world["theirs"], "Đã xong.", done=True)  # Sở Tư pháp has nothing left
    nobody = factories.make_organization("UBND huyện Võ Nhai", "district")  # no e-mail address
    services.create_task(world["workshop"], "Việc của huyện Võ Nhai.", nobody.id, LATER)
    organizer = client_as("organizer")
    response = organizer.post(f"/workshops/{world['workshop'].code}/tasks/send",
                              follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã đưa 1 e-mail vào hàng đợi gửi." in page
    assert "chưa có địa chỉ e-mail trong danh bạ" in page and "UBND huyện Võ Nhai" in page
    organizer.post(f"/workshops/{world['workshop'].code}/tasks/deliver")
    [mail] = smtp_server.messages
    assert mail["To"] == "snv@example.org"
    body = mail.get_body(("plain",)).get_content()
    assert "Rà soát quy trình ISO." in body and "Công bố lại hệ thống." in body
    assert "Việc của Sở Tư pháp." not in body
    token = next(line for line in body.splitlines() if "/t/" in line).strip().rsplit("/t/", 1)[1]
    page = app.test_client().get(f"/t/{token}").get_data(as_text=True)
    assert "Công bố lại hệ thống." in page and "Việc của Sở Tư pháp." not in page
    assert "E-mail nhiệm vụ: 0 đang chờ gửi, 1 đã gửi, 0 gửi lỗi." in organizer.get(
        f"/workshops/{world['workshop'].code}/tasks").get_data(as_text=True)


def test_access_logs_hide_the_secret_of_a_task_link():
    from workshop.accesslog import redact

    assert redact("GET /t/WR9vXQ1znO1YQSVL2_MhvIX1Jz HTTP/1.1") == "GET /t/*** HTTP/1.1"
    assert redact("POST /t/abc?x=1 HTTP/1.1") == "POST /t/***?x=1 HTTP/1.1"
    assert redact("GET /tasks?status=overdue HTTP/1.1") == "GET /tasks?status=overdue HTTP/1.1"


def test_an_expired_session_keeps_the_typed_report_and_writes_nothing(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    before = factories.database_snapshot()
    response = post_report(app.test_client(), world["token"], world["mine"].id,
                           text="Báo cáo gõ dở trên điện thoại.")  # no CSRF token: expired
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn" in page and "Báo cáo gõ dở trên điện thoại." in page
    assert factories.database_snapshot() == before
