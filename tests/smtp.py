"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), collecting what it is sent."""

from __future__ import annotations

import email
import email.policy
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.ports import free_port


class _Inbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


@contextmanager
def smtp_server():
    """Yield (host, port, inbox) of a running server; ``inbox.messages`` are parsed messages."""
    inbox = _Inbox()
    port = free_port()  # not 0: the controller checks its server by connecting to the port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, inbox
    finally:
        controller.stop()
