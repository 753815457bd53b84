"""`auditor notify email` delivered to a real aiosmtpd server on loopback."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from auditor.config import Settings
from auditor.notify.email import EmailAttempt, notify_email, send_weekly
from auditor.notify.settings import EmailSettings, ReportLinkSettings, SmtpSettings
from auditor.notify.slack import NotifyConfigError
from auditor.store.database import Store
from auditor.store.notifications import NotificationDelivery
from tests.notify.notify_servers import RecordingSmtp, free_port
from tests.report.report_factories import (
    T0,
    finding_row,
    scan_row,
    seed_outage,
    seed_week,
    task_arn,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RECIPIENTS = ["ops@example.com", "lead@example.com"]


def send(store: Store, port: int, *, now: datetime = NOW, scan: str = "latest") -> EmailAttempt:
    return notify_email(
        store,
        scan=scan,
        accounts=[],
        email=EmailSettings(from_="auditor@example.com", to=", ".join(RECIPIENTS)),
        smtp=SmtpSettings(host="127.0.0.1", port=port),
        link=ReportLinkSettings(),
        now=now,
    )


def received(server: RecordingSmtp, index: int = 0) -> EmailMessage:
    message = email.message_from_bytes(server.messages[index].content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_notify_email_sends_text_html_and_the_report(
    store: Store, smtp_server: RecordingSmtp
) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)

    outcome = send(store, smtp_server.port)

    # These findings carry no hop: each check of each account is one root cause.
    subject = (
        "[auditor] Check “Running tasks can reach their image registry”: 1 task (image pull) "
        "(+3 other new root causes)"
    )
    assert outcome == EmailAttempt(sent=True, scans=2, subject=subject)
    assert len(smtp_server.messages) == 1
    assert sorted(smtp_server.messages[0].rcpt_tos) == sorted(RECIPIENTS)
    message = received(smtp_server)
    assert message["Subject"] == subject
    assert message.get_content_type() == "multipart/mixed"
    alternative = next(
        p for p in message.iter_parts() if p.get_content_type() == "multipart/alternative"
    )
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "New root causes (4)" in text and "New root causes (4)" in html
    assert "New failures (2)" in text and "checkout-web" in text and "billing-web" in text
    assert "Fixed (2)" in text and "checkout-fixed" in text
    assert "New failures (2)" in html
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["auditor-report-2026-11-26.html"]
    report = attachments[0].get_content()
    assert report.startswith("<!DOCTYPE html>") and 'id="resources"' in report


def test_notify_email_covers_every_scan_since_the_last_email(
    store: Store, smtp_server: RecordingSmtp
) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)
    assert send(store, smtp_server.port).sent

    assert send(store, smtp_server.port, now=NOW + timedelta(hours=1)) == EmailAttempt(
        sent=False, scans=0
    )
    with store.session() as session:
        for day in (10, 12):
            scan = scan_row(session, started_at=T0 + timedelta(days=day))
            finding_row(
                session,
                scan=scan,
                resource_id=task_arn("checkout-web"),
                resource_name="checkout-web",
                first_seen=T0,
            )
            finding_row(session, scan=scan, resource_id=task_arn(f"midweek-{day}"))

    outcome = send(store, smtp_server.port, now=NOW + timedelta(days=7))

    # The newest scan against the one the last email covered: midweek-12 is new,
    # checkout-web still fails, the VPC flow-log finding is gone (fixed); midweek-10
    # came and went within the period.
    assert outcome.sent and outcome.scans == 2
    # No hop is stored on these findings: the check is the cause, new as midweek-12 is.
    assert outcome.subject == (
        "[auditor] Check “Running tasks can reach their image registry”: 2 tasks (image pull)"
    )
    with store.session() as session:
        rows = session.scalars(select(NotificationDelivery).order_by(NotificationDelivery.sent_at))
        assert [len(r.scan_ids) for r in rows] == [2, 2]


def test_notify_email_makes_hostile_text_inert(store: Store, smtp_server: RecordingSmtp) -> None:
    with store.session() as session:
        seed_week(session, hostile=True)

    send(store, smtp_server.port)

    message = received(smtp_server)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script" not in html and "<img" not in html and 'onerror="' not in html
    assert "&lt;script&gt;" in html
    for part in (text, html):
        assert "\u202e" not in part
        assert "invoice[U+202E]gnp.exe" in part
        assert "A" * 10_000 not in part
    assert "&lt;!channel&gt; wake up" in html


def test_notify_email_smtp_failure_is_reported_and_not_recorded(store: Store) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)

    outcome = send(store, free_port())

    assert not outcome.sent
    assert outcome.error is not None and "ConnectionRefusedError" in outcome.error
    with store.session() as session:
        assert session.scalars(select(NotificationDelivery)).first() is None


def test_notify_email_without_smtp_settings_is_a_config_error(store: Store) -> None:
    with pytest.raises(NotifyConfigError, match="AUDITOR_SMTP_HOST"):
        notify_email(
            store,
            scan="latest",
            accounts=[],
            email=EmailSettings(),
            smtp=SmtpSettings(),
            link=ReportLinkSettings(),
            now=NOW,
        )


def test_notify_email_scheduler_entry_point_uses_the_service_settings(
    store: Store, smtp_server: RecordingSmtp
) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)

    assert send_weekly(store, Settings()) is None
    outcome = send_weekly(
        store,
        Settings(
            smtp=SmtpSettings(host="127.0.0.1", port=smtp_server.port),
            email=EmailSettings(from_="auditor@example.com", to=["ops@example.com"]),
        ),
    )

    assert outcome is not None and outcome.sent
    assert smtp_server.messages[0].rcpt_tos == ["ops@example.com"]


def test_notify_email_subject_names_the_worst_new_root_cause(
    store: Store, smtp_server: RecordingSmtp
) -> None:
    with store.session() as session:
        seed_outage(session)

    outcome = send(store, smtp_server.port)

    assert outcome.subject == (
        "[auditor] NAT gateway nat-0payments is deleted: 4 services, 10 tasks "
        "(image pull, log delivery, secrets)"
    )
    body = received(smtp_server).get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert "New root causes (1)" in text
    assert "Fixed root causes (1)\n- rtb-0ledger routes 0.0.0.0/0 to a blackhole" in text
    assert "Still open: 1 root cause." in text
