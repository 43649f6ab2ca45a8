"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), collecting what it is sent."""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller


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
    with socket.socket() as probe:  # a free port (the controller checks its server by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, inbox
    finally:
        controller.stop()
