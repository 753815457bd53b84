"""Loopback Slack and SMTP receivers for CLI subprocess tests: they record what arrives."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.notify.notify_servers import RecordingSmtp, free_port


class SlackReceiver:
    """An incoming-webhook stand-in on 127.0.0.1: 200 "ok" to every POST, bodies kept."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.messages = received

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the URL holds the webhook's secret."""

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}/services/T000/B000/secret-token"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def slack_receiver() -> Iterator[SlackReceiver]:
    receiver = SlackReceiver()
    try:
        yield receiver
    finally:
        receiver.stop()


@contextmanager
def smtp_receiver() -> Iterator[RecordingSmtp]:
    from aiosmtpd.controller import Controller

    recorder = RecordingSmtp(host="127.0.0.1", port=free_port())
    controller = Controller(recorder, hostname=recorder.host, port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


def notify_env(slack: SlackReceiver, smtp: RecordingSmtp) -> dict[str, str]:
    """The variables that aim `auditor notify` at the receivers."""
    return {
        "AUDITOR_SLACK_WEBHOOK_URL": slack.url,
        "AUDITOR_SMTP_HOST": smtp.host,
        "AUDITOR_SMTP_PORT": str(smtp.port),
        "AUDITOR_SMTP_STARTTLS": "false",
        "AUDITOR_EMAIL_FROM": "auditor@localhost",
        "AUDITOR_EMAIL_TO": "team@localhost",
    }
