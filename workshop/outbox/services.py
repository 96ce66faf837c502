"""The e-mail outbox: queue invitation e-mails and reminders, deliver them over SMTP.

Queueing writes the OutboxMessage rows in the same transaction as the invitations' new state,
so a rolled-back change never sends mail. Delivery (`deliver_due`, run by `flask outbox send`)
claims each message with a conditional UPDATE before talking to the SMTP server, so two senders
never send one message. A sender that crashes after its claim leaves the message in `sending`;
once the claim lapses (10 minutes) it is queued again. That can deliver it twice only when the
crash came after the SMTP server had accepted it and before `sent` was recorded; the Message-ID
fixed at queue time lets the receiving side recognise the duplicate.
"""
from __future__ import annotations

import secrets
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, func, literal, or_, select, update

from ..extensions import db
from ..letters.services import build_letter
from ..models import UNANSWERED_STATUSES, Invitation, OutboxMessage, Workshop
from ..timeutil import utcnow

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=10)
SMTP_TIMEOUT = 20  # seconds; one unreachable server costs one timeout per round, not per message
UNANSWERED = UNANSWERED_STATUSES  # defined once, with the states
PENDING = ("queued", "sending")

STATUS_LABELS = {
    "queued": _l("Đang chờ gửi"),
    "sending": _l("Đang gửi"),
    "sent": _l("Đã gửi"),
    "failed": _l("Gửi không thành công"),
}
KIND_LABELS = {
    "invitation": _l("Gửi giấy mời"),
    "reminder": _l("Nhắc trả lời"),
}


class OutboxError(ValueError):
    """A refused request, with a message for the organizer."""


@dataclass(frozen=True)
class QueueResult:
    batch: str | None  # None when nothing was queued
    queued: int


# --- Queueing ---------------------------------------------------------------------------------


def has_email():
    return func.length(func.trim(func.coalesce(Invitation.email, ""))) > 0


def never_emailed(workshop: Workshop) -> Select:
    """The default of a bulk send: every invitation with an e-mail address that was never
    e-mailed, whatever its answer."""
    return select(Invitation.id).where(
        Invitation.workshop_id == workshop.id, has_email(), Invitation.first_emailed_at.is_(None)
    )


def unanswered(workshop: Workshop) -> Select:
    """Who gets a reminder: an e-mail address and no answer yet."""
    return select(Invitation.id).where(
        Invitation.workshop_id == workshop.id, has_email(), Invitation.status.in_(UNANSWERED)
    )


def queue_invitation_emails(workshop: Workshop, ids: list[int] | None = None) -> QueueResult:
    """Queue the invitation e-mail for the chosen `ids` (a resend when already e-mailed), or by
    default for every invitation never e-mailed. Raises OutboxError for ids of other workshops."""
    if ids:
        unknown = set(ids) - set(db.session.scalars(
            select(Invitation.id).where(Invitation.workshop_id == workshop.id, Invitation.id.in_(ids))
        ))
        if unknown:
            raise OutboxError(_("Không có giấy mời số %(ids)s trong hội thảo này.",
                                ids=", ".join(str(i) for i in sorted(unknown))))
        chosen = select(Invitation.id).where(Invitation.id.in_(ids), has_email())
    else:
        chosen = never_emailed(workshop)
    return _queue(chosen, "invitation")


def queue_reminders(workshop: Workshop) -> QueueResult:
    return _queue(unanswered(workshop), "reminder")


def _queue(chosen: Select, kind: str) -> QueueResult:
    """One message of `kind` per chosen invitation, in one transaction with its new state.

    The invitations are updated first by one conditional UPDATE … RETURNING: when two organizers
    press "send" at once, the second finds nothing left that was never e-mailed. An invitation
    whose message of this kind still waits in the outbox is skipped (a double click).
    """
    now = utcnow()
    waiting = exists().where(
        OutboxMessage.invitation_id == Invitation.id,
        OutboxMessage.kind == kind,
        OutboxMessage.status.in_(PENDING),
    )
    claimed = list(db.session.scalars(
        update(Invitation)
        .where(Invitation.id.in_(chosen.scalar_subquery()), ~waiting)
        .values(
            # typed as the column, so that `now` is stored as UTC like every other time
            first_emailed_at=func.coalesce(Invitation.first_emailed_at,
                                           literal(now, Invitation.first_emailed_at.type)),
            status=case((Invitation.status == "draft", "sent"), else_=Invitation.status),
        )
        .returning(Invitation.id)
        .execution_options(synchronize_session=False)
    ))
    if not claimed:
        db.session.rollback()
        return QueueResult(None, 0)
    batch = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.id.in_(claimed))
        .order_by(Invitation.letter_number.is_(None), Invitation.letter_number, Invitation.id)
        .execution_options(populate_existing=True)
    )
    for invitation in invitations:
        subject, text, html = render_email(invitation, kind)
        db.session.add(OutboxMessage(
            kind=kind, invitation=invitation, batch=batch, to_address=invitation.email.strip(),
            subject=subject, body_text=text, body_html=html, next_attempt_at=now,
        ))
    db.session.commit()
    return QueueResult(batch, len(claimed))


def render_email(invitation: Invitation, kind: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the e-mail, in Vietnamese whatever the organizer's screen uses,
    from the same `Letter` as the printed giấy mời."""
    letter = build_letter(invitation)
    with force_locale("vi"):
        title = invitation.workshop.title
        if kind == "reminder":
            subject = _("Đề nghị xác nhận tham dự %(title)s", title=title)
        else:
            subject = _("Giấy mời dự %(title)s", title=title)
        context = {"letter": letter, "kind": kind, "workshop": invitation.workshop}
        text = render_template("mail/invitation.txt", **context)
        html = render_template("mail/invitation.html", **context)
    return " ".join(subject.split())[:500], text, html


# --- Delivery ---------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # permanently: refused, or out of attempts
    retrying: int = 0  # put back with a backoff
    requeued: int = 0  # stale claims of a crashed sender, queued again
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retrying


class DeliveryError(Exception):
    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def requeue_stale(now: datetime) -> int:
    """Messages whose `sending` claim lapsed (their sender crashed) are queued again.

    While a message is `sending`, `next_attempt_at` holds the moment its claim lapses.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now)
        .values(status="queued", last_error=_("Lần gửi trước bị gián đoạn; gửi lại."))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def _claim(message_id: int, now: datetime) -> bool:
    """queued → sending, only if still queued: of two senders, exactly one gets the message."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
        .values(status="sending", next_attempt_at=now + CLAIM_TIMEOUT)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_due(limit: int = 100, now: datetime | None = None, batch: str | None = None) -> DeliveryReport:
    """Send up to `limit` messages that are due (of one `batch` if given) over SMTP."""
    now = now or utcnow()
    report = DeliveryReport(requeued=requeue_stale(now))
    due = select(OutboxMessage.id).where(
        OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now
    )
    if batch:
        due = due.where(OutboxMessage.batch == batch)
    ids = list(db.session.scalars(due.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                                  .limit(limit)))
    db.session.commit()  # end the read: each claim starts its own short write transaction
    with Mailer(current_app.config) as mailer:
        for message_id in ids:
            if not _claim(message_id, now):
                continue  # another sender has it
            message = db.session.get(OutboxMessage, message_id)
            try:
                mailer.send(email_message(message, current_app.config["MAIL_FROM"]))
            except DeliveryError as error:
                _record_failure(message, error, now, report)
            else:
                message.status, message.sent_at, message.last_error = "sent", utcnow(), None
                report.sent += 1
            db.session.commit()
    return report


def _record_failure(message: OutboxMessage, error: DeliveryError, now: datetime,
                    report: DeliveryReport) -> None:
    """Back to the queue after 1, 2, 4, 8 minutes; failed after MAX_ATTEMPTS or at once when
    the server refused the message for good."""
    message.attempts += 1
    message.last_error = error.reason[:2000]
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        report.failed += 1
    else:
        message.status = "queued"
        message.next_attempt_at = now + timedelta(minutes=2 ** (message.attempts - 1))
        report.retrying += 1
    report.errors.append(f"{message.to_address}: {error.reason}")


def email_message(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: UTF-8 subject and bodies, and the Message-ID fixed at queue time."""
    try:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = sender
        email["To"] = message.to_address
        email["Message-ID"] = message.message_id
        email["Date"] = format_datetime(utcnow())
        # quoted-printable: plain 7-bit on the wire, whatever the server's extensions.
        email.set_content(message.body_text, cte="quoted-printable")
        if message.body_html:
            email.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    except (ValueError, TypeError) as error:
        raise DeliveryError(_("Địa chỉ hoặc nội dung thư không hợp lệ: %(error)s", error=error),
                            permanent=True) from error
    return email


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


class Mailer:
    """One SMTP connection for a round, opened on first use. When the server cannot be reached,
    every later message of the round gets the same error without trying again."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
            try:
                smtp.ehlo()
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            except BaseException:
                smtp.close()
                raise
        except (smtplib.SMTPException, OSError) as error:
            self.unreachable = _("Không kết nối được máy chủ thư %(server)s:%(port)s: %(error)s",
                                 server=config["MAIL_SERVER"], port=config["MAIL_PORT"], error=error)
            raise DeliveryError(self.unreachable) from error
        return smtp

    def send(self, email: EmailMessage) -> None:
        """Raises DeliveryError, `permanent` when the server refused this message for good (5xx)."""
        if self.unreachable:
            raise DeliveryError(self.unreachable)
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            replies = [_reply(code, text) for code, text in error.recipients.values()]
            permanent = all(code >= 500 for code, _text in error.recipients.values())
            raise DeliveryError(_("Máy chủ thư từ chối người nhận: %(reply)s", reply="; ".join(replies)),
                                permanent=permanent) from error
        except smtplib.SMTPSenderRefused as error:
            # The sender address is our configuration, not this message: retry, do not give up.
            raise DeliveryError(_("Máy chủ thư từ chối địa chỉ gửi: %(reply)s",
                                  reply=_reply(error.smtp_code, error.smtp_error))) from error
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(_("Máy chủ thư từ chối thư: %(reply)s",
                                  reply=_reply(error.smtp_code, error.smtp_error)),
                                permanent=error.smtp_code >= 500) from error
        except (smtplib.SMTPException, OSError) as error:
            self._close()  # the connection is gone; the next message opens a new one
            raise DeliveryError(_("Gửi thư bị gián đoạn: %(error)s", error=error)) from error


# --- Progress and status ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchProgress:
    batch: str
    kind: str
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    started_at: datetime | None

    @property
    def done(self) -> bool:
        return self.sent + self.failed == self.total

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    def as_dict(self) -> dict:
        return {"batch": self.batch, "kind": self.kind, "total": self.total, "queued": self.queued,
                "sending": self.sending, "sent": self.sent, "failed": self.failed, "done": self.done}


def _progress_columns():
    def count(status: str):
        return func.count(case((OutboxMessage.status == status, 1)))

    return (OutboxMessage.batch, func.min(OutboxMessage.kind), func.count(), count("queued"),
            count("sending"), count("sent"), count("failed"), func.min(OutboxMessage.created_at))


def batch_progress(batch: str) -> BatchProgress | None:
    """How many messages of `batch` are queued, being sent, sent and failed."""
    row = db.session.execute(
        select(*_progress_columns()).where(OutboxMessage.batch == batch).group_by(OutboxMessage.batch)
    ).one_or_none()
    return BatchProgress(*row) if row else None


def workshop_batches(workshop: Workshop, limit: int = 20) -> list[BatchProgress]:
    """The workshop's latest bulk sends, newest first."""
    rows = db.session.execute(
        select(*_progress_columns())
        .join(Invitation, OutboxMessage.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop.id, OutboxMessage.batch.is_not(None))
        .group_by(OutboxMessage.batch)
        .order_by(func.min(OutboxMessage.created_at).desc())
        .limit(limit)
    )
    return [BatchProgress(*row) for row in rows]


def batch_in_workshop(workshop: Workshop, batch: str) -> bool:
    return db.session.scalar(
        select(exists().where(
            OutboxMessage.batch == batch,
            OutboxMessage.invitation_id == Invitation.id,
            Invitation.workshop_id == workshop.id,
        ))
    )


def batch_failures(batch: str) -> list[OutboxMessage]:
    """Failed messages, and those waiting for a retry, with their reasons."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.batch == batch, OutboxMessage.last_error.is_not(None),
               or_(OutboxMessage.status == "failed", OutboxMessage.attempts > 0))
        .order_by(OutboxMessage.status, OutboxMessage.id)  # failed before queued
    ))


@dataclass(frozen=True)
class EmailStatus:
    status: str
    kind: str
    attempts: int
    sent_at: datetime | None
    error: str | None

    @property
    def label(self) -> str:
        if self.status == "queued" and self.attempts:
            return _("Đang chờ gửi lại (lần %(attempt)d)", attempt=self.attempts + 1)
        return str(STATUS_LABELS[self.status])


def last_email_statuses(invitation_ids: list[int]) -> dict[int, EmailStatus]:
    """The latest e-mail of each invitation, for a list: one query, not one per row."""
    if not invitation_ids:
        return {}
    latest = (
        select(func.max(OutboxMessage.id))
        .where(OutboxMessage.invitation_id.in_(invitation_ids))
        .group_by(OutboxMessage.invitation_id)
    )
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(latest)))
    return {
        message.invitation_id: EmailStatus(message.status, message.kind, message.attempts,
                                           message.sent_at, message.last_error)
        for message in messages
    }


def last_email_status(invitation: Invitation) -> EmailStatus | None:
    """The result of the invitation's latest e-mail (None when it was never e-mailed)."""
    return last_email_statuses([invitation.id]).get(invitation.id)


@dataclass(frozen=True)
class Overview:
    never_emailed: int
    without_email: int
    unanswered: int
    batches: list[BatchProgress]


def overview(workshop: Workshop) -> Overview:
    """What the outbox page offers: how many a bulk send and a reminder would reach."""
    def count(statement: Select) -> int:
        return db.session.scalar(select(func.count()).select_from(statement.subquery()))

    without = select(Invitation.id).where(Invitation.workshop_id == workshop.id, ~has_email())
    return Overview(count(never_emailed(workshop)), count(without), count(unanswered(workshop)),
                    workshop_batches(workshop))
