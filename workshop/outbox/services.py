"""The e-mail outbox: queue invitation e-mails and reminders, deliver them over SMTP (`mailer.py`
talks to the server).

Queueing writes the OutboxMessage rows in one transaction and changes no invitation: "sent" is
a promise, so a draft becomes `sent` (and gets its `first_emailed_at`) only in the transaction
that records a mail server's acceptance of one of its e-mails. Delivery (`deliver_due`, run by
`flask outbox send`) claims each message with a conditional UPDATE before talking to the SMTP
server, so two senders never send one message. A sender that crashes after its claim leaves
the message in `sending`; once the claim lapses (10 minutes) it is queued again. That can
deliver it twice only when the crash came after the SMTP server had accepted it and before
`sent` was recorded; the Message-ID fixed at queue time lets the receiving side recognise the
duplicate. Each failure is stored as a class (shown to organizers as a Vietnamese sentence,
ERROR_REASONS) and its technical detail (`last_error`, for the log).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import audit
from ..extensions import db
from ..letters.services import build_letter
from ..models import UNANSWERED_STATUSES, Invitation, OutboxHeartbeat, OutboxMessage, User, Workshop
from ..timeutil import isoformat, local_time, utcnow
from .mailer import DeliveryError, Mailer, email_message

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=10)
PENDING = ("queued", "sending")
# The dashboard warns when no `flask outbox send` round ran for this long.
WORKER_SILENCE = timedelta(minutes=10)
WORKER, PAGE = "worker", "page"

KIND_LABELS = {
    "invitation": _l("Gửi giấy mời"),
    "reminder": _l("Nhắc trả lời"),
    "deputy": _l("Gửi thẻ cho người dự thay"),
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


def waiting(kind: str | None = "invitation"):
    """An e-mail of `kind` (any kind: None) of the invitation waits in the outbox."""
    condition = exists().where(OutboxMessage.invitation_id == Invitation.id,
                               OutboxMessage.status.in_(PENDING))
    return condition.where(OutboxMessage.kind == kind) if kind else condition


def never_emailed(workshop: Workshop) -> Select:
    """The default of a bulk send: every invitation with an e-mail address that was never
    e-mailed, whatever its answer. "E-mailed" means a mail server accepted one of its e-mails:
    an invitation whose e-mails all failed is in it again (so that a bulk send resends it), one
    whose invitation e-mail still waits in the outbox is not (it is on its way)."""
    return select(Invitation.id).where(
        Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False), has_email(),
        Invitation.first_emailed_at.is_(None), ~waiting(),
    )


def _latest_message_id():
    return (select(func.max(OutboxMessage.id)).where(OutboxMessage.invitation_id == Invitation.id)
            .correlate(Invitation).scalar_subquery())


def failed_deliveries(workshop: Workshop) -> Select:
    """Invitations whose latest e-mail failed for good (what "Gửi lại n e-mail bị lỗi" sends)."""
    return select(Invitation.id).where(
        Invitation.workshop_id == workshop.id, has_email(),
        exists().where(OutboxMessage.id == _latest_message_id(), OutboxMessage.status == "failed"),
    )


def unanswered(workshop: Workshop) -> Select:
    """Who gets a reminder: an e-mail address and no answer yet."""
    return select(Invitation.id).where(
        Invitation.workshop_id == workshop.id, has_email(), Invitation.status.in_(UNANSWERED_STATUSES)
    )


def queue_invitation_emails(workshop: Workshop, ids: list[int] | None = None, *,
                            actor: User | None = None) -> QueueResult:
    """Queue the invitation e-mail for the chosen `ids` (a resend when already e-mailed), or by
    default for every invitation never e-mailed (see `never_emailed`). Raises OutboxError for
    ids of other workshops."""
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
    return _queue(chosen, "invitation", workshop=workshop, action="outbox.send", actor=actor)


def queue_failed_again(workshop: Workshop, *, actor: User | None = None) -> QueueResult:
    """The invitation e-mail again for every invitation whose latest e-mail failed."""
    return _queue(failed_deliveries(workshop), "invitation", workshop=workshop,
                  action="outbox.resend_failed", actor=actor)


def queue_reminders(workshop: Workshop, *, actor: User | None = None) -> QueueResult:
    return _queue(unanswered(workshop), "reminder", workshop=workshop, action="outbox.remind",
                  actor=actor)


def _queue(chosen: Select, kind: str, *, workshop: Workshop, action: str,
           actor: User | None = None) -> QueueResult:
    """One message of `kind` per chosen invitation, in one transaction; no invitation changes.

    The chosen invitations are first locked, in id order (no deadlock between two sends), by a
    write that changes nothing (on SQLite it takes the database's write lock): of two organizers
    pressing "send" at once, the second waits for the first's commit, and the next statement,
    which skips every invitation whose message of this kind still waits in the outbox, then
    sees the first's messages.
    """
    now = utcnow()
    in_order = (select(Invitation.id).where(Invitation.id.in_(chosen.scalar_subquery()))
                .order_by(Invitation.id).with_for_update())
    locked = list(db.session.scalars(
        update(Invitation)
        .where(Invitation.id.in_(in_order.scalar_subquery()))
        .values(workshop_id=Invitation.workshop_id)  # no change: only the rows' locks
        .returning(Invitation.id)
        .execution_options(synchronize_session=False)
    ))
    claimed = list(db.session.scalars(chosen.where(Invitation.id.in_(locked), ~waiting(kind))))
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
    audit.log(action, workshop=workshop, actor=actor,
              detail=_("%(count)d giấy mời", count=len(claimed)))
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


def requeue_stale(now: datetime) -> int:
    """Messages whose `sending` claim lapsed (their sender crashed) are queued again.

    While a message is `sending`, `next_attempt_at` holds the moment its claim lapses.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now)
        .values(status="queued", error_code="interrupted",
                last_error="claim lapsed: the sender stopped before recording the result")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def record_heartbeat(runner: str, now: datetime | None = None) -> None:
    """Note that a delivery round of `runner` (WORKER or PAGE) runs now; not committed."""
    now = now or utcnow()
    updated = db.session.execute(
        update(OutboxHeartbeat).where(OutboxHeartbeat.runner == runner)
        .values(last_run_at=literal(now, OutboxHeartbeat.last_run_at.type))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated:
        # the first round ever: of two first rounds at once, one row wins and the other's
        # round notes nothing more
        insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(OutboxHeartbeat).values(runner=runner, last_run_at=now)
                           .on_conflict_do_nothing(index_elements=["runner"]))


def worker_last_seen() -> datetime | None:
    """When `flask outbox send` last ran a round (None: never)."""
    return db.session.scalar(select(OutboxHeartbeat.last_run_at)
                             .where(OutboxHeartbeat.runner == WORKER))


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


def deliver_due(limit: int = 100, now: datetime | None = None, batch: str | None = None,
                runner: str = WORKER, *, workshop: Workshop | None = None,
                actor: User | None = None) -> DeliveryReport:
    """Send up to `limit` messages that are due (of one `batch` if given) over SMTP.

    Every round notes its heartbeat: `runner` is WORKER for `flask outbox send`, PAGE for a
    round started from a page (by `actor`, of `workshop`'s batch, for the audit log)."""
    now = now or utcnow()
    record_heartbeat(runner)
    if runner == PAGE:  # the worker's rounds are no one's action
        audit.log("outbox.deliver_now", workshop=workshop, detail=batch, actor=actor)
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
                _record_delivery(message)
                report.sent += 1
            db.session.commit()
    return report


def _record_delivery(message: OutboxMessage) -> None:
    """The server accepted the message: in the same transaction, its invitation is e-mailed —
    a draft becomes `sent`; an answer stays as it is (one UPDATE, so an answer written at the
    same moment is never overwritten)."""
    at = utcnow()
    message.status, message.sent_at, message.last_attempt_at = "sent", at, at
    message.error_code = message.last_error = None
    if message.invitation_id is None:
        return
    db.session.execute(
        update(Invitation).where(Invitation.id == message.invitation_id)
        .values(
            # typed as the column, so that `at` is stored as UTC like every other time
            first_emailed_at=func.coalesce(Invitation.first_emailed_at,
                                           literal(at, Invitation.first_emailed_at.type)),
            status=case((Invitation.status == "draft", "sent"), else_=Invitation.status),
        )
        .execution_options(synchronize_session=False)
    )  # the caller's commit expires any loaded copy of the invitation


def _record_failure(message: OutboxMessage, error: DeliveryError, now: datetime,
                    report: DeliveryReport) -> None:
    """Back to the queue after 1, 2, 4, 8 minutes; failed after MAX_ATTEMPTS or at once when
    the server refused the message for good. The invitation does not change."""
    message.attempts += 1
    message.error_code = error.code
    message.last_error = error.detail[:2000]
    message.last_attempt_at = utcnow()
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        report.failed += 1
    else:
        message.status = "queued"
        message.next_attempt_at = now + timedelta(minutes=2 ** (message.attempts - 1))
        report.retrying += 1
    report.errors.append(f"{message.to_address}: {message.reason} ({error.detail})")


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
        .where(OutboxMessage.batch == batch, OutboxMessage.error_code.is_not(None),
               or_(OutboxMessage.status == "failed", OutboxMessage.attempts > 0))
        .order_by(OutboxMessage.status, OutboxMessage.id)  # failed before queued
    ))


DELIVERY_STATES = ("queued", "retrying", "failed", "delivered")


@dataclass(frozen=True)
class Delivery:
    """The invitation's latest e-mail as the organizer reads it (CONTRACT.md `delivery`):
    `queued` (waiting or being sent, never tried), `retrying` (an attempt failed, another will
    follow), `failed` (given up) or `delivered` (a mail server accepted it)."""

    state: str
    kind: str
    attempts: int
    at: datetime  # accepted, last tried, or queued
    next_attempt_at: datetime | None
    error: str | None  # why the last attempt failed, in the user's language

    @classmethod
    def of(cls, message: OutboxMessage) -> Delivery:
        if message.status == "sent":
            state, at = "delivered", message.sent_at or message.created_at
        elif message.status == "failed":
            state, at = "failed", message.last_attempt_at or message.created_at
        elif message.attempts or message.error_code:
            state, at = "retrying", message.last_attempt_at or message.created_at
        else:
            state, at = "queued", message.created_at
        next_attempt = message.next_attempt_at if message.status == "queued" else None
        # an interrupted attempt (a crashed sender) is not counted in `attempts`, but was one
        attempts = max(message.attempts, 1) if state == "retrying" else message.attempts
        return cls(state, message.kind, attempts, at, next_attempt,
                   message.reason if state != "delivered" else None)

    @property
    def label(self) -> str:
        if self.state == "delivered":
            return _("Máy chủ thư đã nhận")
        if self.state == "failed":
            return _("Gửi e-mail thất bại: %(reason)s", reason=self.error or "")
        if self.state == "retrying":
            if self.next_attempt_at is not None:
                return _("Gửi lại lần %(attempt)d lúc %(time)s", attempt=self.attempts + 1,
                         time=local_time(self.next_attempt_at))
            return _("Gửi lại lần %(attempt)d", attempt=self.attempts + 1)
        return _("Đang gửi e-mail")

    def as_dict(self) -> dict:
        return {"state": self.state, "error": self.error, "at": isoformat(self.at)}


def last_deliveries(invitation_ids: list[int]) -> dict[int, Delivery]:
    """The latest e-mail of each invitation, for a list: one query, not one per row."""
    if not invitation_ids:
        return {}
    latest = (
        select(func.max(OutboxMessage.id))
        .where(OutboxMessage.invitation_id.in_(invitation_ids))
        .group_by(OutboxMessage.invitation_id)
    )
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(latest)))
    return {message.invitation_id: Delivery.of(message) for message in messages}


def last_delivery(invitation: Invitation) -> Delivery | None:
    """The invitation's latest e-mail (None when it was never e-mailed)."""
    return last_deliveries([invitation.id]).get(invitation.id)


def delivery_counts(workshop: Workshop) -> dict[str, int]:
    """How many of the workshop's invitations have their latest e-mail in each state."""
    counts = dict.fromkeys(DELIVERY_STATES, 0)
    invitation_ids = list(db.session.scalars(
        select(Invitation.id).where(Invitation.workshop_id == workshop.id)
    ))
    for delivery in last_deliveries(invitation_ids).values():
        counts[delivery.state] += 1
    return counts


@dataclass(frozen=True)
class Overview:
    never_emailed: int
    without_email: int
    unanswered: int
    failed: int  # the latest e-mail failed: "Gửi lại n e-mail bị lỗi"
    waiting: int  # queued or being sent
    batches: list[BatchProgress]


def _count(statement: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def overview(workshop: Workshop) -> Overview:
    """What the outbox page offers: how many a bulk send, a resend and a reminder would reach."""
    without = select(Invitation.id).where(Invitation.workshop_id == workshop.id, ~has_email())
    waiting_now = select(Invitation.id).where(Invitation.workshop_id == workshop.id,
                                              waiting(None))
    return Overview(_count(never_emailed(workshop)), _count(without), _count(unanswered(workshop)),
                    _count(failed_deliveries(workshop)), _count(waiting_now),
                    workshop_batches(workshop))


# --- Is mail working? -------------------------------------------------------------------------


@dataclass(frozen=True)
class MailHealth:
    """What the organizer's pages warn about: mail not set up, no worker running lately, and
    e-mails of this workshop that failed."""

    configured: bool
    worker_seen_at: datetime | None
    worker_running: bool
    waiting: int
    failed: int
    relevant: bool  # the workshop is still ahead, or has e-mails waiting

    @property
    def warnings(self) -> list[str]:
        if not self.relevant:
            return []
        warnings = []
        if not self.configured:
            warnings.append(_("Máy chủ thư chưa được cấu hình: e-mail giấy mời sẽ không gửi được. "
                              "Vui lòng liên hệ cán bộ kỹ thuật để cấu hình máy chủ thư; trong lúc "
                              "chờ, có thể in giấy mời hoặc gửi đường liên kết qua Zalo/SMS."))
        if not self.worker_running:
            warnings.append(_("Chưa có tiến trình gửi e-mail nào chạy trong 10 phút qua: e-mail đã "
                              "xếp hàng sẽ chưa được gửi đi. Vui lòng liên hệ cán bộ kỹ thuật để "
                              "khởi động tiến trình gửi e-mail."))
        return warnings


def mail_health(workshop: Workshop, now: datetime | None = None) -> MailHealth:
    now = now or utcnow()
    seen = worker_last_seen()
    waiting_now = _count(select(Invitation.id).where(Invitation.workshop_id == workshop.id,
                                                     waiting(None)))
    ahead = (workshop.ends_at or workshop.starts_at) > now
    return MailHealth(
        configured=bool(current_app.config.get("MAIL_CONFIGURED")),
        worker_seen_at=seen,
        worker_running=seen is not None and now - seen < WORKER_SILENCE,
        waiting=waiting_now, failed=_count(failed_deliveries(workshop)),
        relevant=ahead or waiting_now > 0,
    )
