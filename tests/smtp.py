"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 and a free port.

Use it with `from tests.smtp import smtp_server_fixture` in a test module: the fixture is
named `smtp_server`. The handler keeps every accepted message (parsed with the modern e-mail
policy), answers 550 for the addresses in `refuse` and the reply given in `replies` (e.g.
"552 5.2.2 Mailbox full") for the addresses there.
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Collector:
    """The aiosmtpd handler: collects messages, refuses chosen recipients."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    replies: dict[str, str] = field(default_factory=dict)  # address → its RCPT reply
    delay: float = 0.0  # seconds before accepting each message, to make senders overlap
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Recipient address rejected: no such mailbox"
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [message["Message-ID"] for message in self.messages]


class SmtpServer:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Down: the port refuses connections until `start()` again."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(name="smtp_server")
def smtp_server_fixture():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
