"""E-mail states tell the truth: an invitation is `sent` only once a mail
server accepted it (or the organizer marked a letter delivered by hand); while its e-mail is
queued, retrying or failed it stays a draft and every page says so, in plain Vietnamese.

Two real mail servers: aiosmtpd (tests/smtp.py) and none at all (conftest's MAIL_PORT=1, a
port that refuses connections)."""
import re
import smtplib
import socket
import ssl
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import login_as
from tests.smtp import smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)
from workshop.auth.services import create_api_token
from workshop.config import from_environment
from workshop.extensions import db
from workshop.invitations import inviting
from workshop.models import Invitation, OutboxHeartbeat, OutboxMessage
from workshop.outbox import mailer, services
from workshop.outbox.cli import outbox_cli
from workshop.timeutil import isoformat, utcnow

TECHNICAL = ("Errno", "Connection refused", "[Errno 111]", "5.1.1", "no such mailbox", "Mailbox full",
             "STARTTLS", "AUTH", "timed out")


def fresh(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def fail_for_good(now=None):
    """Delivery rounds against the refusing port until every message is out of attempts."""
    now = now or utcnow()
    for _round in range(services.MAX_ATTEMPTS):
        services.deliver_due(now=now)
        now += timedelta(minutes=16)
    return now


def assert_plain(text: str) -> None:
    # Whole words only: a link made at 11:12:35 ("…-111235-…") is not the errno 111.
    for word in TECHNICAL:
        assert not re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w.-])", text), (word, text)


# --- no mail server: the port refuses ----------------------------------------------------------


def test_a_refused_connection_leaves_the_invitation_draft_with_a_vietnamese_reason(ctx):
    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop)

    assert services.queue_invitation_emails(workshop).queued == 1
    assert fresh(invitation).status == "draft"  # queued is not sent
    assert fresh(invitation).first_emailed_at is None
    assert services.last_delivery(invitation).state == "queued"
    assert services.last_delivery(invitation).label == "Đang gửi e-mail"

    report = services.deliver_due()
    assert (report.sent, report.retrying) == (0, 1)
    invitation = fresh(invitation)
    assert invitation.status == "draft" and invitation.first_emailed_at is None
    delivery = services.last_delivery(invitation)
    assert delivery.state == "retrying"
    assert delivery.error.startswith("Máy chủ thư từ chối kết nối")
    assert_plain(delivery.error)
    assert delivery.label.startswith("Gửi lại lần 2")
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.error_code == "connection_refused"
    assert "Connection refused" in message.last_error  # the technical detail, for the log

    fail_for_good()
    delivery = services.last_delivery(fresh(invitation))
    assert delivery.state == "failed" and fresh(invitation).status == "draft"
    assert delivery.label == f"Gửi e-mail thất bại: {delivery.error}"


def test_the_pages_and_the_api_say_what_happened_to_a_failed_email(ctx, client_as, api_headers):
    workshop = factories.make_letter_workshop()
    failed = factories.make_invitee(workshop, "Nguyễn Văn Lỗi")
    factories.make_invitee(workshop, "Trần Thị Chờ", email=None)
    services.queue_invitation_emails(workshop)
    fail_for_good()
    organizer = client_as("organizer")

    page = organizer.get(f"/workshops/{workshop.code}/invitations").get_data(as_text=True)
    rows = page.split("<tbody>")[-1]
    assert "Đã gửi, chưa trả lời" not in rows and "Chưa gửi" in rows
    assert "E-mail gần nhất" in page  # the column of the last delivery
    assert "Gửi e-mail thất bại: Máy chủ thư từ chối kết nối" in page
    assert "Gửi lại 1 e-mail bị lỗi" in page
    assert_plain(rows)

    dashboard = organizer.get(f"/workshops/{workshop.code}/").get_data(as_text=True)
    assert '<div class="count-draft"><dt>Chưa gửi</dt><dd>2</dd></div>' in dashboard
    assert "1 e-mail gửi thất bại" in dashboard

    outbox = organizer.get(f"/workshops/{workshop.code}/outbox").get_data(as_text=True)
    assert "Gửi lại 1 e-mail bị lỗi" in outbox
    assert " disabled" not in outbox.split("Gửi giấy mời qua e-mail</button>")[0].rsplit("<button", 1)[1]
    assert "outbox send" not in outbox and "flask" not in outbox  # no command line for an organizer
    assert_plain(outbox)

    body = organizer.get(f"/api/v1/workshops/{workshop.code}/invitations",
                         headers=api_headers("organizer")).get_json()
    items = {item["name"]: item for item in body["items"]}
    assert items["Nguyễn Văn Lỗi"]["status"] == "draft"
    delivery = items["Nguyễn Văn Lỗi"]["delivery"]
    assert delivery["state"] == "failed" and delivery["at"]
    assert delivery["error"].startswith("Máy chủ thư từ chối kết nối")
    assert items["Trần Thị Chờ"]["delivery"] is None
    assert failed.id in {item["id"] for item in body["items"]}


def test_a_failed_email_is_sent_again_by_default_by_ids_and_by_the_resend_button(
        ctx, client_as, client, api_headers, make_app, smtp_server):
    workshop = factories.make_letter_workshop()
    first, second, third = (factories.make_invitee(workshop) for _ in range(3))
    services.queue_invitation_emails(workshop, [first.id, second.id])
    fail_for_good()
    # "Never e-mailed" means no mail server ever accepted one: the failed ones are in the
    # default again, together with the one never tried; nothing waiting is queued twice.
    assert services.overview(workshop).never_emailed == 3
    assert services.overview(workshop).failed == 2

    url = f"/api/v1/workshops/{workshop.code}/invitations/send"
    response = client.post(url, json={"ids": [first.id]}, headers=api_headers("organizer"))
    assert (response.status_code, response.get_json()["queued"]) == (202, 1)
    assert services.last_delivery(first).state == "queued"
    assert services.overview(workshop).failed == 1

    response = client_as("organizer").post(f"/workshops/{workshop.code}/outbox/resend-failed")
    assert response.status_code == 302
    assert [m.invitation_id for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "queued"))] == [first.id, second.id]

    response = client.post(url, json={}, headers=api_headers("organizer"))
    assert response.get_json()["queued"] == 1  # the third only: the others are on their way

    with make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port).app_context():
        assert services.deliver_due().sent == 3
    assert {fresh(i).status for i in (first, second, third)} == {"sent"}
    assert services.overview(workshop).never_emailed == 0
    assert services.overview(workshop).failed == 0


# --- a real mail server ------------------------------------------------------------------------


@pytest.fixture
def mail(make_app, smtp_server):
    app = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    with app.app_context():
        yield app


def test_sent_only_when_the_server_accepted_it(mail, smtp_server):
    workshop = factories.make_letter_workshop()
    accepted = factories.make_invitee(workshop)
    answered = factories.make_invitee(workshop, status="declined")
    refused = factories.make_invitee(workshop, email="nobody@example.org")
    full = factories.make_invitee(workshop, email="full@example.org")
    smtp_server.handler.refuse.add("nobody@example.org")
    smtp_server.handler.replies["full@example.org"] = "552 5.2.2 Mailbox full"
    services.queue_invitation_emails(workshop)
    assert {fresh(i).status for i in (accepted, refused, full)} == {"draft"}

    report = services.deliver_due()

    assert (report.sent, report.failed) == (2, 2)
    assert fresh(accepted).status == "sent" and fresh(accepted).first_emailed_at is not None
    assert fresh(answered).status == "declined" and fresh(answered).first_emailed_at is not None
    assert services.last_delivery(accepted).state == "delivered"
    assert services.last_delivery(accepted).at == fresh(accepted).first_emailed_at
    for invitation, code, start in ((refused, "recipient_refused", "Máy chủ thư từ chối địa chỉ người nhận"),
                                    (full, "mailbox_full", "Hộp thư của người nhận đã đầy")):
        assert fresh(invitation).status == "draft" and fresh(invitation).first_emailed_at is None
        delivery = services.last_delivery(invitation)
        assert delivery.state == "failed" and delivery.error.startswith(start)
        assert_plain(delivery.error)
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id))
        assert message.error_code == code
    assert "5.1.1" in db.session.scalar(select(OutboxMessage.last_error).where(
        OutboxMessage.invitation_id == refused.id))


def test_a_temporary_refusal_is_retried(mail, smtp_server):
    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop, email="later@example.org")
    smtp_server.handler.replies["later@example.org"] = "450 4.2.1 Try again later"
    services.queue_invitation_emails(workshop)
    assert services.deliver_due().retrying == 1
    delivery = services.last_delivery(invitation)
    assert delivery.state == "retrying" and delivery.error.startswith("Máy chủ thư tạm thời")
    del smtp_server.handler.replies["later@example.org"]
    assert services.deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert fresh(invitation).status == "sent"


@pytest.mark.parametrize("config, code, start", [
    ({"MAIL_USE_TLS": True}, "tls", "Không thiết lập được kết nối bảo mật"),
    ({"MAIL_USERNAME": "hoithao", "MAIL_PASSWORD": "x"}, "auth", "Máy chủ thư không chấp nhận"),
])
def test_tls_and_sign_in_problems_read_plainly(make_app, smtp_server, config, code, start):
    """aiosmtpd here offers neither STARTTLS nor AUTH: asking for them fails as it would against
    a server that refuses them."""
    with make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, **config).app_context():
        workshop = factories.make_letter_workshop()
        invitation = factories.make_invitee(workshop)
        services.queue_invitation_emails(workshop)
        services.deliver_due()
        message = db.session.scalar(select(OutboxMessage))
        assert message.error_code == code
        assert services.last_delivery(invitation).error.startswith(start)
        assert fresh(invitation).status == "draft"


def test_a_server_that_never_answers_is_a_timeout(make_app, monkeypatch):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never greets
    monkeypatch.setattr(mailer, "SMTP_TIMEOUT", 0.5)
    try:
        with make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1]).app_context():
            workshop = factories.make_letter_workshop()
            invitation = factories.make_invitee(workshop)
            services.queue_invitation_emails(workshop)
            assert services.deliver_due().retrying == 1
            assert db.session.scalar(select(OutboxMessage.error_code)) == "timeout"
            assert services.last_delivery(invitation).error.startswith("Máy chủ thư không phản hồi")
    finally:
        silent.close()


@pytest.mark.parametrize("error, code, permanent", [
    (ConnectionRefusedError(111, "Connection refused"), "connection_refused", False),
    (socket.gaierror(-2, "Name or service not known"), "dns", False),
    (TimeoutError("timed out"), "timeout", False),
    (ssl.SSLCertVerificationError("certificate verify failed"), "tls", False),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"), "auth", False),
    (smtplib.SMTPRecipientsRefused({"a@x.vn": (550, b"5.1.1 unknown")}), "recipient_refused", True),
    (smtplib.SMTPRecipientsRefused({"a@x.vn": (452, b"4.2.2 Mailbox full")}), "mailbox_full", False),
    (smtplib.SMTPRecipientsRefused({"a@x.vn": (451, b"4.3.0 later")}), "temporary", False),
    (smtplib.SMTPDataError(552, b"5.2.2 Mailbox full"), "mailbox_full", True),
    (smtplib.SMTPDataError(554, b"5.7.1 Spam"), "rejected", True),
    (smtplib.SMTPSenderRefused(553, b"5.7.1 not yours", "hoithao@localhost"), "sender_refused", False),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "disconnected", False),
    (OSError(113, "No route to host"), "other", False),
])
def test_every_failure_class_has_a_vietnamese_sentence(ctx, error, code, permanent):
    delivery_error = mailer.classify(error)
    assert (delivery_error.code, delivery_error.permanent) == (code, permanent)
    assert delivery_error.detail  # the technical words, for the log
    message = OutboxMessage(error_code=code)
    assert message.reason and message.reason[0].isupper()
    assert_plain(message.reason)


# --- marking by hand, deleting, concurrency ------------------------------------------------------


def test_hand_delivered_letters_are_sent_whatever_their_email(ctx):
    workshop = factories.make_letter_workshop()
    failed, untouched = factories.make_invitee(workshop), factories.make_invitee(workshop, email=None)
    services.queue_invitation_emails(workshop)
    fail_for_good()
    assert inviting.mark_sent(workshop) == 2
    assert {fresh(failed).status, fresh(untouched).status} == {"sent"}
    assert services.last_delivery(failed).state == "failed"  # the e-mail itself still failed


def test_deleting_a_draft_cancels_its_queued_email(ctx):
    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop)
    services.queue_invitation_emails(workshop)
    inviting.delete_invitation(fresh(invitation))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert services.deliver_due().handled == 0


def test_two_organizers_sending_at_once_queue_each_email_once(ctx, make_app):
    workshop = factories.make_letter_workshop()
    people = [factories.make_invitee(workshop) for _ in range(30)]
    ids = [person.id for person in people]
    workshop_id = workshop.id
    apps = [make_app() for _ in range(4)]
    start = threading.Barrier(len(apps))
    results, errors = [], []

    def run(app, chosen):
        try:
            with app.app_context():
                mine = db.session.get(type(workshop), workshop_id)
                start.wait()
                results.append(services.queue_invitation_emails(mine, chosen).queued)
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(app, ids if n % 2 else None))
               for n, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(results) == 30
    db.session.expire_all()
    counts = db.session.execute(select(OutboxMessage.invitation_id, func.count())
                                .group_by(OutboxMessage.invitation_id)).all()
    assert sorted(counts) == sorted((i, 1) for i in ids)


# --- the dashboard warns -------------------------------------------------------------------------

WORKER_WARNING = "Chưa có tiến trình gửi e-mail nào chạy trong 10 phút qua"
NOT_SET_UP = "Máy chủ thư chưa được cấu hình"


def test_mail_is_set_up_only_when_the_environment_names_a_server(monkeypatch, tmp_path):
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    assert from_environment(tmp_path)["MAIL_CONFIGURED"] is False
    assert from_environment(tmp_path)["MAIL_SERVER"] == "localhost"  # CONTRACT's default stays
    monkeypatch.setenv("MAIL_SERVER", "mail.skhcn.example.vn")
    assert from_environment(tmp_path)["MAIL_CONFIGURED"] is True


def test_the_dashboard_warns_when_mail_is_not_set_up(make_app, monkeypatch):
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    app = make_app(MAIL_CONFIGURED=False)
    with app.app_context():
        workshop = factories.make_letter_workshop()
        organizer = factories.make_user("organizer")
        client = app.test_client()
        login_as(client, organizer)
        for path in (f"/workshops/{workshop.code}/", f"/workshops/{workshop.code}/outbox",
                     f"/workshops/{workshop.code}/invitations"):
            page = client.get(path).get_data(as_text=True)
            assert NOT_SET_UP in page and "cán bộ kỹ thuật" in page, path
            assert "MAIL_SERVER" not in page and "flask" not in page


def test_the_dashboard_warns_until_an_outbox_worker_has_run(ctx, client_as):
    workshop = factories.make_letter_workshop()
    factories.make_invitee(workshop)
    organizer = client_as("organizer")
    dashboard = f"/workshops/{workshop.code}/"

    page = organizer.get(dashboard).get_data(as_text=True)
    assert WORKER_WARNING in page and "cán bộ kỹ thuật" in page
    assert "outbox send" not in page and NOT_SET_UP not in page

    result = ctx.test_cli_runner().invoke(outbox_cli, ["send"])
    assert result.exit_code == 0, result.output
    [beat] = db.session.scalars(select(OutboxHeartbeat))
    assert utcnow() - beat.last_run_at < timedelta(minutes=1)
    assert WORKER_WARNING not in organizer.get(dashboard).get_data(as_text=True)

    beat.last_run_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert WORKER_WARNING in organizer.get(dashboard).get_data(as_text=True)
    # "Gửi ngay" from a page is no worker: it does not silence the warning.
    batch = services.queue_invitation_emails(workshop).batch
    organizer.post(f"/workshops/{workshop.code}/outbox/{batch}/deliver")
    assert WORKER_WARNING in organizer.get(dashboard).get_data(as_text=True)
    # Staff see the numbers, not the organizer's warnings.
    assert WORKER_WARNING not in client_as("staff").get(dashboard).get_data(as_text=True)


# --- the migration -----------------------------------------------------------------------------


def test_the_migration_puts_back_to_draft_what_was_only_queued(ctx):
    """Before 0007 queueing marked a draft `sent`: upgrading undoes that wherever no mail
    server ever accepted one of its e-mails, and keeps hand-delivered letters and answers."""
    from flask_migrate import downgrade, upgrade

    workshop = factories.make_letter_workshop()
    earlier = utcnow() - timedelta(days=1)
    only_queued = factories.make_invitee(workshop, status="sent", first_emailed_at=earlier)
    delivered = factories.make_invitee(workshop, status="sent", first_emailed_at=earlier)
    by_hand = factories.make_invitee(workshop, status="sent")
    answered = factories.make_invitee(workshop, status="accepted", first_emailed_at=earlier)
    for invitation, status in ((only_queued, "failed"), (delivered, "sent"), (answered, "queued")):
        error = "[Errno 111] Connection refused" if status != "sent" else None
        db.session.add(OutboxMessage(kind="invitation", invitation=invitation, subject="Giấy mời",
                                     to_address=invitation.email, body_text="…", status=status,
                                     last_error=error))
    db.session.commit()
    ids = [i.id for i in (only_queued, delivered, by_hand, answered)]
    db.session.remove()

    downgrade(revision="0006_audit_log")
    upgrade()

    rows = {row.id: (row.status, row.first_emailed_at is not None) for row in db.session.execute(
        select(Invitation.id, Invitation.status, Invitation.first_emailed_at).where(Invitation.id.in_(ids)))}
    assert [rows[i] for i in ids] == [("draft", False), ("sent", True), ("sent", False),
                                      ("accepted", False)]
    delivery = services.last_delivery(db.session.get(Invitation, ids[0]))
    assert delivery.error.startswith("Gửi thư không thành công")


def test_the_api_follows_an_email_from_queued_to_delivered(make_app, smtp_server):
    app = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    with app.app_context():
        workshop = factories.make_letter_workshop()
        invitation = factories.make_invitee(workshop)
        token = create_api_token(factories.make_user("staff"))
        client = app.test_client()

        def item():
            body = client.get(f"/api/v1/workshops/{workshop.code}/invitations",
                              headers={"Authorization": f"Bearer {token}"}).get_json()
            [row] = [row for row in body["items"] if row["id"] == invitation.id]
            return row["status"], row["delivery"]

        assert item() == ("draft", None)
        services.queue_invitation_emails(workshop)
        status, delivery = item()
        assert (status, delivery["state"], delivery["error"]) == ("draft", "queued", None)
        services.deliver_due()
        status, delivery = item()
        assert (status, delivery["state"], delivery["error"]) == ("sent", "delivered", None)
        assert delivery["at"] == isoformat(fresh(invitation).first_emailed_at)
