"""A real HTTP server on 127.0.0.1 standing for a group robot's webhook, recording what it is posted."""

from __future__ import annotations

import json
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.ports import free_port


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict


@dataclass
class Receiver:
    url: str
    posts: list[Received] = field(default_factory=list)
    # (status, JSON answer) for the next requests, in turn; then 200 {"errcode": 0, "errmsg": "ok"}.
    answers: list[tuple[int, dict]] = field(default_factory=list)


@contextmanager
def webhook_receiver():
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}/robot/send?key=test-key")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            receiver.posts.append(Received(parts.path, query, dict(self.headers), body))
            status, answer = receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0, "errmsg": "ok"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
