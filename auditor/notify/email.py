"""`auditor notify email`: the weekly email, covering every scan since the last one sent."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from auditor.history import (
    Changes,
    diff_each_with_previous,
    diff_over_period,
    select_run,
    select_scans,
)
from auditor.notify.settings import EmailSettings, ReportLinkSettings, SmtpSettings
from auditor.notify.slack import NotifyConfigError
from auditor.notify.slack_message import title_line
from auditor.report.headline import headline
from auditor.report.model import causes_of_changes
from auditor.report.render import ReportFormat, render
from auditor.report.templating import environment, timestamp
from auditor.report.text import one_line
from auditor.store.database import Store
from auditor.store.reads import last_delivery, scans_since
from auditor.store.repository import record_delivery
from auditor.store.scans import Scan, ScanStatus

if TYPE_CHECKING:
    from auditor.config import Settings

log = logging.getLogger(__name__)

# New, fixed and newly unknown findings listed in the body before "and N more".
BODY_LIMIT = 20
# What the very first email covers, when no earlier email marks where the period starts.
FIRST_PERIOD = timedelta(days=7)


@dataclass(frozen=True, kw_only=True)
class EmailAttempt:
    """One attempt at the email: whether it went out, how many scans it covered, and why not."""

    sent: bool
    scans: int
    subject: str | None = None
    error: str | None = None


def _period(scans: Sequence[Scan]) -> str:
    first, last = scans[0].started_at, scans[-1].started_at
    if first == last:
        return f"Scan of {timestamp(first)}"
    return f"Scans from {timestamp(first)} to {timestamp(last)}"


def build_email(
    session: Session,
    *,
    scans: Sequence[Scan],
    changes: Changes,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    report_url: str | None,
    run_id: str | None = None,
    accounts: Sequence[Changes] = (),
) -> EmailMessage:
    """Plain text and HTML alternatives, with the full HTML report of the newest scans attached.

    For a run (``run_id``), a section per account of ``accounts`` (each scan's own diff), and
    the run's report attached."""
    causes = causes_of_changes(session, changes)
    title = title_line(changes, causes)
    if run_id is not None:
        title = f"run {run_id[:8]}: {title}"
    subject = f"[auditor] {one_line(title, 200)}"
    attachment_name = f"auditor-report-{now:%Y-%m-%d}.html"
    context = {
        "headline": headline(changes),
        "period": _period(scans),
        "scan_count": len(scans),
        "partial_count": sum(1 for s in scans if s.status != ScanStatus.COMPLETE),
        "accounts": sorted({s.account_id for s in scans}),
        "changes": changes,
        "causes": causes,
        "limit": BODY_LIMIT,
        "attachment_name": attachment_name,
        "report_url": report_url,
        "run_id": run_id,
        "account_parts": sorted(accounts, key=lambda part: part.scans[0].account_id),
    }
    env = environment()
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="auditor.invalid")
    message.set_content(env.get_template("email.txt.j2").render(context))
    message.add_alternative(env.get_template("email.html.j2").render(context), subtype="html")
    report = render(
        session, [s.id for s in changes.scans], ReportFormat.HTML, now=now, run_id=run_id
    )
    message.add_attachment(
        report.encode(), maintype="text", subtype="html", filename=attachment_name
    )
    return message


def send(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Hand the message to the SMTP server (raises ``smtplib.SMTPException`` or ``OSError``)."""
    assert smtp.host is not None
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.ssl:
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.effective_port, timeout=smtp.timeout, context=context
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout)
    with client:
        if smtp.starttls:
            client.starttls(context=context)
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            client.login(smtp.username, password)
        client.send_message(message)


def _scans_to_cover(
    session: Session, scan: str, accounts: Sequence[str], now: datetime, run: str | None
) -> list[Scan]:
    if run is not None:
        return select_run(session, run, accounts)
    if scan != "latest":
        return select_scans(session, scan, accounts)
    previous = last_delivery(session, "email")
    since = previous.sent_at if previous else now - FIRST_PERIOD
    return scans_since(session, since, accounts)


def notify_email(
    store: Store,
    *,
    scan: str,
    accounts: Sequence[str],
    email: EmailSettings,
    smtp: SmtpSettings,
    link: ReportLinkSettings,
    now: datetime,
    run: str | None = None,
) -> EmailAttempt:
    """Send the email about ``scan``, or by default about every scan since the last email;
    about the scans of ``run`` (an ID, a prefix or "latest"), one section per account."""
    if not smtp.host:
        raise NotifyConfigError("set AUDITOR_SMTP_HOST (and AUDITOR_SMTP_PORT) to send email")
    if not email.from_ or not email.recipients:
        raise NotifyConfigError("set AUDITOR_EMAIL_FROM and AUDITOR_EMAIL_TO to send email")
    with store.session() as session:
        scans = _scans_to_cover(session, scan, accounts, now, run)
        if not scans:
            log.info("email: no finished scan since the last email; nothing sent")
            return EmailAttempt(sent=False, scans=0)
        parts: list[Changes] = []
        if run is not None:
            parts = diff_each_with_previous(session, scans)
            changes = Changes.merge(parts)
        else:
            changes = diff_over_period(session, scans)
        message = build_email(
            session,
            scans=scans,
            changes=changes,
            sender=email.from_,
            recipients=email.recipients,
            now=now,
            report_url=link.report_url,
            run_id=scans[0].run_id if run is not None else None,
            accounts=parts,
        )
    subject = str(message["Subject"])
    try:
        send(message, smtp)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        log.error("email: not sent to %s:%d (%s)", smtp.host, smtp.effective_port, error)
        return EmailAttempt(sent=False, scans=len(scans), subject=subject, error=error)
    with store.session() as session:
        record_delivery(session, channel="email", scans=scans, sent_at=now)
    log.info("email: sent %r to %d recipients", subject, len(email.recipients))
    return EmailAttempt(sent=True, scans=len(scans), subject=subject)


def send_weekly(store: Store, settings: Settings) -> EmailAttempt | None:
    """The scheduler's weekly email, if SMTP and recipients are configured."""
    if not settings.smtp.host or not settings.email.recipients:
        log.info("email: AUDITOR_SMTP_HOST or AUDITOR_EMAIL_TO is not set; no email sent")
        return None
    return notify_email(
        store,
        scan="latest",
        accounts=[],
        email=settings.email,
        smtp=settings.smtp,
        link=ReportLinkSettings(),
        now=datetime.now(UTC),
    )
