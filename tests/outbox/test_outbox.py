"""The e-mail outbox against a real SMTP server (aiosmtpd): queue, deliver, retry, never twice."""
import os
import re
import signal
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, func, select
from werkzeug.exceptions import NotFound

from tests import factories
from tests.smtp import smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)
from workshop.extensions import db
from workshop.links import personal_url
from workshop.models import OutboxMessage
from workshop.outbox import services
from workshop.outbox.cli import outbox_cli
from workshop.timeutil import utcnow

MAIL_FROM = "Sở Khoa học và Công nghệ <hoithao@skhcn.example.vn>"


@pytest.fixture
def app(make_app, smtp_server):
    """Replaces conftest's `app`: this module's mail goes to the test's SMTP server."""
    return make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, MAIL_FROM=MAIL_FROM)


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def invitees(count: int, **fields):
    workshop = factories.make_letter_workshop(**fields)
    return workshop, [factories.make_invitee(workshop) for _ in range(count)]


def test_queue_writes_one_message_per_invitation_never_emailed(ctx):
    workshop = factories.make_letter_workshop()
    draft = factories.make_invitee(workshop, "Trần Thị Bình")
    answered = factories.make_invitee(workshop, status="accepted")  # answered via Zalo: still e-mailed
    already = factories.make_invitee(workshop, status="sent", first_emailed_at=utcnow())
    factories.make_invitee(workshop, email=None)
    factories.make_invitee(workshop, email="  ")
    factories.make_invitee(factories.make_letter_workshop())  # another workshop

    result = services.queue_invitation_emails(workshop)

    assert result.queued == 2 and result.batch
    queued = messages()
    assert {m.invitation_id for m in queued} == {draft.id, answered.id}
    assert {m.batch for m in queued} == {result.batch}
    assert all(m.status == "queued" and m.kind == "invitation" and m.attempts == 0 for m in queued)
    assert {m.to_address for m in queued} == {draft.email, answered.email}
    # Queued is not sent: the invitations change only once a mail server accepts their e-mail.
    assert draft.status == "draft" and draft.first_emailed_at is None
    assert answered.status == "accepted" and answered.first_emailed_at is None
    assert already not in {m.invitation for m in queued}
    # Everything is now on its way: a second bulk send (a double click) queues nothing.
    assert services.queue_invitation_emails(workshop) == services.QueueResult(None, 0)
    services.deliver_due()
    db.session.expire_all()
    assert draft.status == "sent" and draft.first_emailed_at is not None
    assert answered.status == "accepted" and answered.first_emailed_at is not None
    assert services.queue_invitation_emails(workshop) == services.QueueResult(None, 0)


def test_chosen_ids_are_sent_again_and_others_refused(ctx):
    workshop, (first, second) = invitees(2)
    services.queue_invitation_emails(workshop)
    services.deliver_due()
    no_email = factories.make_invitee(workshop, email=None)

    result = services.queue_invitation_emails(workshop, [first.id, no_email.id])
    assert result.queued == 1
    assert [m.invitation_id for m in messages() if m.batch == result.batch] == [first.id]

    stranger = factories.make_invitee(factories.make_letter_workshop())
    with pytest.raises(services.OutboxError, match=str(stranger.id)):
        services.queue_invitation_emails(workshop, [second.id, stranger.id])
    assert len(messages()) == 3


def test_vietnamese_subject_and_body_arrive_intact_and_the_link_opens(ctx, client, smtp_server):
    workshop = factories.make_letter_workshop()
    agency = factories.make_organization("UBND huyện Phú Bình", kind="district")
    invitation = factories.make_invitee(workshop, "Đặng Thị Hương", title="Chủ tịch UBND",
                                        organization=agency, email="huong@phubinh.example.vn")
    services.queue_invitation_emails(workshop)

    report = services.deliver_due()

    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [received] = smtp_server.messages
    assert received["Subject"] == f"Giấy mời dự {workshop.title}"
    assert received["To"] == "huong@phubinh.example.vn"
    assert received["From"] == MAIL_FROM
    [message] = messages()
    assert received["Message-ID"] == message.message_id
    assert message.status == "sent" and message.sent_at is not None and message.last_error is None
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Kính gửi:" in body
        assert "Chủ tịch UBND huyện Phú Bình" in body  # by position, no salutation
        assert f"Sở Khoa học và Công nghệ trân trọng kính mời đồng chí tới dự {workshop.title}" in body
        assert "Ông/Bà" not in body
        assert "08 giờ 00, Thứ Hai, ngày 12/8/2030" in body
        assert workshop.venue in body
        assert "trước 17 giờ 00 ngày 08/8/2030" in body
    [link] = set(re.findall(r"https?://\S+/i/[\w-]+", text))
    assert link == personal_url(invitation)
    assert f'href="{link}"' in html
    # The personal page belongs to the invitations feature: once it serves /i/<token>, it opens.
    path = urlsplit(link).path
    try:
        ctx.url_map.bind("localhost").match(path)
    except NotFound:
        return
    assert client.get(path).status_code == 200


def test_two_rounds_never_send_a_message_twice(ctx, smtp_server):
    workshop, _people = invitees(3)
    services.queue_invitation_emails(workshop)
    assert services.deliver_due().sent == 3
    assert services.deliver_due(now=utcnow() + timedelta(hours=1)).handled == 0
    assert len(smtp_server.messages) == 3
    assert {m.status for m in messages()} == {"sent"}


def test_two_concurrent_senders_never_send_one_message_twice(ctx, make_app, smtp_server):
    workshop, _people = invitees(24)
    services.queue_invitation_emails(workshop)
    smtp_server.handler.delay = 0.01  # slow enough that the two senders interleave
    senders = [make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port) for _ in range(2)]
    start = threading.Barrier(len(senders))
    reports, errors = [], []

    def run(app):
        try:
            with app.app_context():
                start.wait()
                reports.append(services.deliver_due())
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(app,)) for app in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sum(report.sent for report in reports) == 24
    ids = smtp_server.handler.message_ids()
    assert len(ids) == 24 and len(set(ids)) == 24
    assert {m.status for m in messages()} == {"sent"}


def test_a_refused_recipient_fails_with_the_reason_and_the_others_go(ctx, smtp_server):
    workshop = factories.make_letter_workshop()
    good = factories.make_invitee(workshop, email="good@example.org")
    bad = factories.make_invitee(workshop, email="nobody@example.org")
    last = factories.make_invitee(workshop, email="last@example.org")
    smtp_server.handler.refuse.add("nobody@example.org")
    services.queue_invitation_emails(workshop)

    report = services.deliver_due()

    assert (report.sent, report.failed, report.retrying) == (2, 1, 0)
    assert sorted(m["To"] for m in smtp_server.messages) == [good.email, last.email]
    status = {m.invitation_id: m for m in messages()}
    assert status[bad.id].status == "failed" and status[bad.id].attempts == 1
    # the server's words for the log, a sentence for the organizer
    assert "550" in status[bad.id].last_error and "no such mailbox" in status[bad.id].last_error
    assert status[bad.id].error_code == "recipient_refused"
    assert status[good.id].status == status[last.id].status == "sent"
    assert services.last_delivery(bad).state == "failed"
    assert services.last_delivery(bad).label.startswith(
        "Gửi e-mail thất bại: Máy chủ thư từ chối địa chỉ người nhận")
    assert services.last_delivery(good).label == "Máy chủ thư đã nhận"
    db.session.expire_all()
    assert (bad.status, good.status) == ("draft", "sent")


def test_a_server_that_is_down_leaves_messages_queued_with_backoff(ctx, smtp_server):
    workshop, _people = invitees(3)
    services.queue_invitation_emails(workshop)
    smtp_server.stop()
    now = utcnow()

    report = services.deliver_due(now=now)

    assert (report.sent, report.failed, report.retrying) == (0, 0, 3)
    for message in messages():
        assert message.status == "queued" and message.attempts == 1
        assert message.next_attempt_at == now + timedelta(minutes=1)
        assert message.error_code == "connection_refused" and "Connection refused" in message.last_error
        assert services.last_delivery(message.invitation).label.startswith("Gửi lại lần 2 lúc")
        assert message.invitation.status == "draft"
    # Not due again before the backoff has passed.
    assert services.deliver_due(now=now + timedelta(seconds=30)).handled == 0

    smtp_server.start()
    assert services.deliver_due(now=now + timedelta(minutes=1)).sent == 3
    assert services.deliver_due(now=now + timedelta(hours=1)).handled == 0
    ids = smtp_server.handler.message_ids()
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(m.status == "sent" and m.last_error is None for m in messages())
    assert {m.invitation.status for m in messages()} == {"sent"}


def test_backoff_doubles_and_gives_up_after_five_attempts(ctx, smtp_server):
    workshop, _people = invitees(1)
    services.queue_invitation_emails(workshop)
    smtp_server.stop()
    now, delays = utcnow(), []
    for _attempt in range(5):
        services.deliver_due(now=now)
        [message] = messages()
        if message.status == "queued":
            delays.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert delays == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert message.status == "failed" and message.attempts == 5
    assert services.deliver_due(now=now + timedelta(days=1)).handled == 0


def test_a_message_left_sending_by_a_crashed_sender_is_requeued(ctx, smtp_server):
    workshop, _people = invitees(2)
    services.queue_invitation_emails(workshop)
    crashed, busy = messages()
    now = utcnow()
    # The crashed sender's claim lapsed; the other's is still running.
    crashed.status, crashed.next_attempt_at = "sending", now - timedelta(seconds=1)
    busy.status, busy.next_attempt_at = "sending", now + timedelta(minutes=9)
    db.session.commit()

    report = services.deliver_due(now=now)

    assert (report.requeued, report.sent) == (1, 1)
    assert [m["Message-ID"] for m in smtp_server.messages] == [crashed.message_id]
    assert {m.id: m.status for m in messages()} == {crashed.id: "sent", busy.id: "sending"}


def test_queue_writes_nothing_when_the_invitation_change_is_rolled_back(ctx, smtp_server):
    workshop, people = invitees(2)
    session = db.session()

    def fail(session):
        session.flush()  # the invitations' new state and the messages both reach the database…
        raise RuntimeError("the database refused the commit")  # …and the transaction fails

    event.listen(session, "before_commit", fail)
    try:
        with pytest.raises(RuntimeError):
            services.queue_invitation_emails(workshop)
    finally:
        event.remove(session, "before_commit", fail)
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    db.session.expire_all()
    assert {(p.status, p.first_emailed_at) for p in people} == {("draft", None)}
    assert services.deliver_due().handled == 0 and smtp_server.messages == []


def test_reminders_go_to_those_who_have_not_answered(ctx, smtp_server):
    workshop = factories.make_letter_workshop()
    waiting = factories.make_invitee(workshop, status="sent", first_emailed_at=utcnow())
    never = factories.make_invitee(workshop)
    for status in ("accepted", "declined"):
        factories.make_invitee(workshop, status=status)
    factories.make_invitee(workshop, status="delegated", delegate_name="Ngô Văn Phó")
    factories.make_invitee(workshop, email=None, status="sent")

    result = services.queue_reminders(workshop)

    assert result.queued == 2
    reminders = messages()
    assert {m.invitation_id for m in reminders} == {waiting.id, never.id}
    assert {m.kind for m in reminders} == {"reminder"}
    assert never.status == "draft" and never.first_emailed_at is None  # queued is not sent
    # A second press while they wait in the outbox queues nothing more.
    assert services.queue_reminders(workshop).queued == 0
    services.deliver_due()
    db.session.expire_all()
    assert never.status == "sent" and never.first_emailed_at is not None  # the reminder arrived
    assert {m["Subject"] for m in smtp_server.messages} == {f"Đề nghị xác nhận tham dự {workshop.title}"}
    assert "chưa nhận được xác nhận tham dự" in smtp_server.messages[0].get_body(("plain",)).get_content()
    # Once delivered, a later reminder may go again.
    assert services.queue_reminders(workshop).queued == 2


def test_progress_of_a_batch(ctx, smtp_server):
    workshop, _people = invitees(3)
    batch = services.queue_invitation_emails(workshop).batch
    assert services.batch_progress(batch).as_dict() == {
        "batch": batch, "kind": "invitation", "total": 3, "queued": 3, "sending": 0, "sent": 0,
        "failed": 0, "done": False,
    }
    smtp_server.handler.refuse.add(messages()[0].to_address)
    services.deliver_due()
    progress = services.batch_progress(batch)
    assert (progress.sent, progress.failed, progress.done) == (2, 1, True)
    assert services.batch_progress("nope") is None


# --- Pages ------------------------------------------------------------------------------------


def test_bulk_send_page_progress_and_send_now(ctx, client_as, smtp_server):
    workshop, people = invitees(3)
    factories.make_invitee(workshop, email=None)
    smtp_server.handler.refuse.add(people[1].email)
    client = client_as("organizer")

    page = client.get(f"/workshops/{workshop.code}/outbox").get_data(as_text=True)
    assert "Gửi giấy mời qua e-mail" in page and "Nhắc những người chưa trả lời" in page
    assert "outbox send" not in page  # no command line for an organizer

    response = client.post(f"/workshops/{workshop.code}/outbox")
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    batch = batch_url.rsplit("/", 1)[1]
    assert batch_url.endswith(f"/workshops/{workshop.code}/outbox/{batch}")
    assert len(messages()) == 3 and smtp_server.messages == []  # queued, not sent by the request

    page = client.get(batch_url).get_data(as_text=True)  # a reload finds the same batch
    assert "<progress" in page and 'max="3"' in page and 'value="0"' in page
    assert "Gửi ngay" in page and " style=" not in page
    assert re.search(r"/static/js/outbox\.[0-9a-f]{12}\.js", page)
    progress = client.get(f"{batch_url}/progress").get_json()
    assert (progress["total"], progress["queued"], progress["done"]) == (3, 3, False)

    response = client.post(f"{batch_url}/deliver", follow_redirects=True)
    assert "Đã gửi 2, không gửi được 1, sẽ thử lại 0." in response.get_data(as_text=True)
    assert len(smtp_server.messages) == 2
    progress = client.get(f"{batch_url}/progress").get_json()
    assert (progress["sent"], progress["failed"], progress["done"]) == (2, 1, True)
    [failure] = progress["failures"]
    assert failure["email"] == people[1].email and failure["name"] == people[1].name
    assert failure["error"].startswith("Máy chủ thư từ chối địa chỉ người nhận")
    page = client.get(batch_url).get_data(as_text=True)
    assert people[1].email in page and "Máy chủ thư từ chối địa chỉ người nhận" in page
    assert "no such mailbox" not in page

    page = client.get(f"/workshops/{workshop.code}/outbox").get_data(as_text=True)
    assert f"/outbox/{batch}" in page


def test_chosen_ids_reminders_and_bad_input_from_the_pages(ctx, client_as):
    workshop, (first, second) = invitees(2)
    client = client_as("organizer")

    response = client.post(f"/workshops/{workshop.code}/outbox", data={"ids": [str(second.id)]})
    assert response.status_code == 302
    assert [m.invitation_id for m in messages()] == [second.id]

    response = client.post(f"/workshops/{workshop.code}/outbox", data={"ids": ["abc"]},
                           follow_redirects=True)
    assert "phải là số nguyên dương" in response.get_data(as_text=True)
    response = client.post(f"/workshops/{workshop.code}/outbox", data={"ids": ["999999"]},
                           follow_redirects=True)
    assert "Không có giấy mời số 999999" in response.get_data(as_text=True)
    assert len(messages()) == 1

    response = client.post(f"/workshops/{workshop.code}/outbox/reminders")
    assert response.status_code == 302 and "/outbox/" in response.headers["Location"]
    assert {(m.kind, m.invitation_id) for m in messages()} == {
        ("invitation", second.id), ("reminder", first.id), ("reminder", second.id)}
    assert client.get(f"/workshops/{workshop.code}/outbox/not-a-batch").status_code == 404


def test_a_batch_of_another_workshop_is_not_found(ctx, client_as):
    workshop, _people = invitees(1)
    other = factories.make_letter_workshop()
    batch = services.queue_invitation_emails(workshop).batch
    client = client_as("organizer")
    assert client.get(f"/workshops/{other.code}/outbox/{batch}").status_code == 404
    assert client.get(f"/workshops/{other.code}/outbox/{batch}/progress").status_code == 404
    assert client.post(f"/workshops/{other.code}/outbox/{batch}/deliver").status_code == 404


@pytest.mark.parametrize("role", ["staff", "chair"])
def test_outbox_pages_are_for_organizers_only(ctx, client_as, role):
    workshop, _people = invitees(1)
    batch = services.queue_invitation_emails(workshop).batch
    client = client_as(role)
    base = f"/workshops/{workshop.code}/outbox"
    assert client.get(base).status_code == 403
    assert client.post(base).status_code == 403
    assert client.post(f"{base}/reminders").status_code == 403
    assert client.get(f"{base}/{batch}/progress").status_code == 403
    assert client.post(f"{base}/{batch}/deliver").status_code == 403
    assert services.batch_progress(batch).queued == 1


# --- API --------------------------------------------------------------------------------------


def test_api_send_queues_and_answers_202(ctx, client, api_headers):
    workshop, people = invitees(3)
    url = f"/api/v1/workshops/{workshop.code}/invitations/send"
    headers = api_headers("organizer")

    response = client.post(url, json={"ids": [people[0].id]}, headers=headers)
    assert response.status_code == 202
    assert response.get_json()["queued"] == 1 and response.get_json()["batch"]

    response = client.post(url, json={}, headers=headers)
    assert response.status_code == 202
    body = response.get_json()
    assert body["queued"] == 2
    assert services.batch_progress(body["batch"]).total == 2

    response = client.post(url, headers=headers)  # no body at all: the default too
    assert (response.status_code, response.get_json()) == (202, {"queued": 0, "batch": None})


def test_api_send_refuses_bad_ids_and_unknown_workshops(ctx, client, api_headers):
    workshop, _people = invitees(1)
    headers = api_headers("organizer")
    url = f"/api/v1/workshops/{workshop.code}/invitations/send"
    response = client.post(url, json={"ids": ["x"]}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "ids"
    response = client.post(url, json={"ids": [424242]}, headers=headers)
    assert response.status_code == 422 and "424242" in response.get_json()["error"]["message"]
    response = client.post("/api/v1/workshops/nope/invitations/send", json={}, headers=headers)
    assert response.status_code == 404
    assert len(messages()) == 0


def test_api_send_is_for_organizers(ctx, client, api_headers):
    workshop, _people = invitees(1)
    url = f"/api/v1/workshops/{workshop.code}/invitations/send"
    response = client.post(url, json={}, headers=api_headers("staff"))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert client.post(url, json={}).status_code == 401
    assert len(messages()) == 0


def test_api_send_is_documented(ctx, client, api_headers):
    spec = client.get("/api/v1/openapi.json", headers=api_headers("staff")).get_json()
    operation = spec["paths"]["/api/v1/workshops/{code}/invitations/send"]["post"]
    assert "202" in operation["responses"]
    assert "ids" in operation["requestBody"]["content"]["application/json"]["schema"]["properties"]


# --- Command line -----------------------------------------------------------------------------


def test_outbox_send_delivers_and_prints_a_summary(ctx, smtp_server):
    workshop, _people = invitees(2)
    factories.make_invitee(workshop, email="nobody@example.org")
    smtp_server.handler.refuse.add("nobody@example.org")
    services.queue_invitation_emails(workshop)
    runner = ctx.test_cli_runner()

    result = runner.invoke(outbox_cli, ["send"])

    assert result.exit_code == 0, result.output
    assert "Đã gửi 2, không gửi được 1, sẽ thử lại 0." in result.output
    assert "nobody@example.org" in result.output
    result = runner.invoke(outbox_cli, ["send"])
    assert "Không có e-mail nào đến hạn gửi." in result.output
    assert len(smtp_server.messages) == 2


def test_outbox_send_loop_stops_cleanly_on_sigterm(ctx, smtp_server):
    workshop, _people = invitees(2)
    services.queue_invitation_emails(workshop)
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        result = ctx.test_cli_runner().invoke(outbox_cli, ["send", "--loop", "--interval", "0.2"])
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert "Đã gửi 2" in result.output and result.output.rstrip().endswith("Đã dừng.")
    assert len(smtp_server.messages) == 2
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is put back
