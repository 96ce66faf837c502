"""Talking to the SMTP server: the MIME message, one connection per delivery round, and the class
of each failure (a key of ERROR_REASONS, whose sentence the pages show). Knows nothing of the
queue: `services.deliver_due` claims the messages and records what this module reports.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from ..models import OutboxMessage
from ..timeutil import utcnow

SMTP_TIMEOUT = 20  # seconds; one unreachable server costs one timeout per round, not per message


class DeliveryError(Exception):
    """A failed attempt: `code` is its class (a key of ERROR_REASONS, whose sentence the pages
    show), `detail` the technical words for the log; `permanent` when trying again is useless."""

    def __init__(self, code: str, detail: str, permanent: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.permanent = permanent


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


def _mailbox_full(code: int, text: str) -> bool:
    """552 / 452, or the enhanced status x.2.2 ("mailbox full") of RFC 3463."""
    return code in (452, 552) or ".2.2 " in f" {text} "


def classify(error: BaseException) -> DeliveryError:
    """The class of an SMTP or network failure, and whether to try again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        detail = "; ".join(_reply(code, text) for code, text in replies)
        permanent = all(code >= 500 for code, _text in replies)
        if any(_mailbox_full(code, _reply(code, text)) for code, text in replies):
            return DeliveryError("mailbox_full", detail, permanent)
        return DeliveryError("recipient_refused" if permanent else "temporary", detail, permanent)
    if isinstance(error, smtplib.SMTPSenderRefused):
        # The sender address is our configuration, not this message: retry, do not give up.
        return DeliveryError("sender_refused", _reply(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return DeliveryError("auth", _reply(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPResponseException):
        detail = _reply(error.smtp_code, error.smtp_error)
        permanent = error.smtp_code >= 500
        if _mailbox_full(error.smtp_code, detail):
            return DeliveryError("mailbox_full", detail, permanent)
        return DeliveryError("rejected" if permanent else "temporary", detail, permanent)
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        # STARTTLS or AUTH asked for by the configuration and not offered by the server.
        return DeliveryError("auth" if "AUTH" in str(error) else "tls", detail)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib reports a reply that never came (a timeout) as a closed connection
        timed_out = isinstance(error.__context__, TimeoutError)
        return DeliveryError("timeout" if timed_out else "disconnected", detail)
    if isinstance(error, ConnectionRefusedError):
        return DeliveryError("connection_refused", detail)
    if isinstance(error, socket.gaierror):
        return DeliveryError("dns", detail)
    if isinstance(error, TimeoutError):  # socket.timeout too
        return DeliveryError("timeout", detail)
    if isinstance(error, ssl.SSLError):
        return DeliveryError("tls", detail)
    if isinstance(error, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return DeliveryError("disconnected", detail)
    return DeliveryError("other", detail)


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
        raise DeliveryError("invalid", f"{type(error).__name__}: {error}", permanent=True) from error
    return email


class Mailer:
    """One SMTP connection for a round, opened on first use. When the server cannot be reached,
    every later message of the round gets the same error without trying again."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: DeliveryError | None = None

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
            failure = classify(error)
            failure.detail = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}: {failure.detail}"
            failure.permanent = False  # the server, not this message: the next round tries again
            self.unreachable = failure
            raise failure from error
        return smtp

    def send(self, email: EmailMessage) -> None:
        """Raises DeliveryError, `permanent` when the server refused this message for good (5xx)."""
        if self.unreachable:
            raise DeliveryError(self.unreachable.code, self.unreachable.detail)
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPResponseException as error:  # refusals: the connection still works
            raise classify(error) from error
        except smtplib.SMTPRecipientsRefused as error:
            raise classify(error) from error
        except (smtplib.SMTPException, OSError) as error:
            self._close()  # the connection is gone; the next message opens a new one
            raise classify(error) from error
