"""`auditor serve --demo`: the example config on the demo estate; its messages never leave it."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.service_support import ServeProcess, free_port, wait_for

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


class SlackRecorder:
    """A Slack incoming-webhook stand-in on loopback that keeps every posted payload."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        received = self.payloads

        class Hook(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/services/T/B/demo"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Mailbox:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def __init__(self) -> None:
        self.messages: list[Any] = []


@pytest.fixture
def loopback_alerts() -> Iterator[tuple[SlackRecorder, Mailbox, int]]:
    from aiosmtpd.controller import Controller

    slack, mailbox, port = SlackRecorder(), Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield slack, mailbox, port
    controller.stop()
    slack.stop()


def _notify_functions_exist() -> bool:
    from auditor.notify import email as email_module
    from auditor.notify import slack as slack_module

    return hasattr(slack_module, "send_alert") and hasattr(email_module, "send_weekly")


def test_serve_demo_alerts_its_own_receivers_never_the_configured_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback_alerts: Any
) -> None:
    if not _notify_functions_exist():
        message = "auditor.notify lacks send_alert/send_weekly(store, settings)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # A "real" webhook and mail server configured: the demo must not touch them.
    slack, mailbox, smtp_port = loopback_alerts
    for name, value in {
        "AUDITOR_SLACK_WEBHOOK_URL": slack.url,
        "AUDITOR_SLACK_ALWAYS_POST": "true",
        "AUDITOR_SMTP_HOST": "127.0.0.1",
        "AUDITOR_SMTP_PORT": str(smtp_port),
        "AUDITOR_EMAIL_FROM": "auditor@example.com",
        "AUDITOR_EMAIL_TO": "team@example.com",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AUDITOR_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # the example config keeps its SQLite file in the cwd
    demo = tmp_path / "data" / "auditor" / "demo"
    messages = demo / "messages"
    serve = ServeProcess(
        REPO / "auditor.example.toml", "", tmp_path / "serve.log", "--demo", keep_auditor_env=True
    )
    try:
        wait_for(
            lambda: (
                messages.is_dir()
                and any(messages.glob("slack-*.json"))
                and any(messages.glob("email-*.eml"))
            ),
            timeout=300,
            what="both messages at the demo's receivers",
        )
        status, body = wait_for(serve.healthz, what="/healthz")
        # --demo serves the report on the (loopback) health port: led by root causes.
        with urllib.request.urlopen(f"http://127.0.0.1:{serve.port}/", timeout=30) as page:
            report = page.read().decode()
    finally:
        code, seconds = serve.stop()
    output = serve.output()
    assert code == 0, output
    assert seconds < 30
    assert status == 200, body
    assert {scan["account_id"] for scan in body["scans"]} == {"123456789012", "210987654321"}
    assert "What broke" in report and 'class="pathd"' in report
    assert "NAT gateway" in report
    assert slack.payloads == [] and mailbox.messages == []  # nothing reached the real ones
    [saved] = messages.glob("slack-*.json")
    assert json.loads(saved.read_text())["blocks"]
    [mail] = messages.glob("email-*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert message["To"] == "team@example.com"
    assert str(messages) in output  # it says where the messages went
    assert (demo / "demo.db").exists()  # its own store, printed ...
    assert str(demo / "demo.db") in output
    assert not (tmp_path / "auditor.db").exists()  # ... not the configured one
