"""Where the demo's messages go: a Slack webhook and an SMTP server of its own, on loopback.

`auditor serve --demo` must never post to a real webhook or mail a real address, whatever the
environment holds: its Slack alert and weekly email go to these receivers, which save each
message as a file in the demo folder and log where.
"""

from __future__ import annotations

import http.server
import itertools
import logging
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("auditor.demo")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class DemoReceivers:
    webhook_url: str
    smtp_port: int
    folder: Path


def _webhook_server(folder: Path, counter: Iterator[int]) -> http.server.ThreadingHTTPServer:
    class Webhook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = folder / f"slack-{next(counter):03d}.json"
            path.write_bytes(body)
            log.info("demo: Slack message received on loopback, saved to %s", path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo logs each message itself."""

    return http.server.ThreadingHTTPServer((LOOPBACK, 0), Webhook)


def _smtp_server(folder: Path, counter: Iterator[int]) -> socketserver.ThreadingTCPServer:
    class Smtp(socketserver.StreamRequestHandler):
        """Just enough SMTP for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 auditor-demo ESMTP")
            while raw := self.rfile.readline():
                verb = raw.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 auditor-demo")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    self.save(self.read_data())
                    self.reply("250 OK: saved")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not implemented")

        def read_data(self) -> bytes:
            lines = []
            while (line := self.rfile.readline()) and line.rstrip(b"\r\n") != b".":
                lines.append(line[1:] if line.startswith(b"..") else line)
            return b"".join(lines)

        def save(self, message: bytes) -> None:
            path = folder / f"email-{next(counter):03d}.eml"
            path.write_bytes(message)
            log.info("demo: email received on loopback, saved to %s", path)

    server = socketserver.ThreadingTCPServer((LOOPBACK, 0), Smtp)
    server.daemon_threads = True
    return server


@contextmanager
def demo_receivers(folder: Path) -> Iterator[DemoReceivers]:
    """Both receivers, serving from threads until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    counter = itertools.count(1)
    webhook = _webhook_server(folder, counter)
    smtp = _smtp_server(folder, counter)
    threads = [
        threading.Thread(target=server.serve_forever, daemon=True) for server in (webhook, smtp)
    ]
    for thread in threads:
        thread.start()
    try:
        yield DemoReceivers(
            webhook_url=f"http://{LOOPBACK}:{webhook.server_address[1]}/services/demo",
            smtp_port=int(smtp.server_address[1]),
            folder=folder,
        )
    finally:
        for server in (webhook, smtp):
            server.shutdown()
            server.server_close()
