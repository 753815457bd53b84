"""`auditor notify slack|email` through Typer, as the README tells users to run them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from auditor.cli import notify_cmd
from auditor.config import ConfigError
from auditor.store.database import Store
from tests.notify.notify_servers import RecordingSmtp
from tests.report.report_factories import seed_week


class Webhook(BaseHTTPRequestHandler):
    status = 200
    bodies: list[bytes] = []  # noqa: RUF012  (shared by the handler instances of one test)

    def do_POST(self) -> None:
        Webhook.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(Webhook.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the request line holds the secret URL."""


@pytest.fixture
def threaded_webhook() -> Iterator[str]:
    Webhook.bodies = []
    Webhook.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def seeded(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    with store.session() as session:
        seed_week(session, hostile=False)
    monkeypatch.setattr(notify_cmd, "open_store", lambda url: store)
    return store


def test_notify_cli_slack_delivers_and_exits_0(
    seeded: Store, threaded_webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_SLACK_WEBHOOK_URL", threaded_webhook)

    result = CliRunner().invoke(notify_cmd.notify_app, ["slack"])

    assert result.exit_code == 0, result.output
    assert len(Webhook.bodies) == 1
    assert b"2 new high findings in 2 accounts" in Webhook.bodies[0]


def test_notify_cli_slack_failure_exits_4(
    seeded: Store, threaded_webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Webhook.status = 404
    monkeypatch.setenv("AUDITOR_SLACK_WEBHOOK_URL", threaded_webhook)

    result = CliRunner().invoke(notify_cmd.notify_app, ["slack"])

    assert result.exit_code == notify_cmd.EXIT_DELIVERY_FAILED
    assert "Slack message not delivered: HTTP 404" in result.output
    assert threaded_webhook not in result.output


def test_notify_cli_email_delivers(
    seeded: Store, smtp_server: RecordingSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AUDITOR_SMTP_HOST": "127.0.0.1",
        "AUDITOR_SMTP_PORT": str(smtp_server.port),
        "AUDITOR_EMAIL_FROM": "auditor@example.com",
        "AUDITOR_EMAIL_TO": "ops@example.com, lead@example.com",
    }.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(notify_cmd.notify_app, ["email"])

    assert result.exit_code == 0, result.output
    assert sorted(smtp_server.messages[0].rcpt_tos) == ["lead@example.com", "ops@example.com"]


def test_notify_cli_bad_settings_are_one_line(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_SMTP_STARTTLS", "true")
    monkeypatch.setenv("AUDITOR_SMTP_SSL", "true")

    result = CliRunner().invoke(notify_cmd.notify_app, ["email"])

    assert isinstance(result.exception, ConfigError)
    assert "not both" in str(result.exception)


def test_notify_cli_slack_twice_for_the_same_scans_posts_once(
    seeded: Store, threaded_webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_SLACK_WEBHOOK_URL", threaded_webhook)

    first = CliRunner().invoke(notify_cmd.notify_app, ["slack"])
    second = CliRunner().invoke(notify_cmd.notify_app, ["slack"])

    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert len(Webhook.bodies) == 1  # the delivery is recorded, like email's
    assert "already posted" in second.output
    again = CliRunner().invoke(notify_cmd.notify_app, ["slack", "--again"])
    assert again.exit_code == 0, again.output
    assert len(Webhook.bodies) == 2


def test_notify_email_help_says_what_latest_means() -> None:
    result = CliRunner().invoke(notify_cmd.notify_app, ["email", "--help"])
    assert "since the last email" in " ".join(result.output.split())
