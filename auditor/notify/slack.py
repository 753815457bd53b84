"""`auditor notify slack`: tell a channel what changed since the previous scan."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from auditor.history import Changes, diff_each_with_previous, select_run, select_scans
from auditor.notify.mrkdwn import code, escape
from auditor.notify.settings import ReportLinkSettings, SlackSettings
from auditor.notify.slack_message import slack_payload
from auditor.notify.webhook import Delivery, Sleep, post_json
from auditor.report.model import causes_of_changes
from auditor.store.database import Store
from auditor.store.reads import delivered_scan_ids
from auditor.store.repository import record_delivery

if TYPE_CHECKING:
    from auditor.config import Settings

log = logging.getLogger(__name__)


class NotifyConfigError(ValueError):
    """A notification cannot be sent as configured; the message is one line for the user."""


def report_hint(
    scan_ids: Sequence[str], link: ReportLinkSettings, run_id: str | None = None
) -> str:
    """Where the full report is: the configured URL, else the command that renders it."""
    if link.report_url:
        return f"Full report: {escape(link.report_url)}"
    # One scan is named; several are what `--scan latest` (the default) selects.
    scan = f" --scan {code(scan_ids[0], 40)[1:-1]}" if len(scan_ids) == 1 else ""
    if run_id is not None:
        scan = f" --run {code(run_id, 40)[1:-1]}"
    return f"Full report: run `auditor report{scan} --format html -o report.html`"


async def notify_slack(
    store: Store,
    *,
    scan: str,
    accounts: Sequence[str],
    slack: SlackSettings,
    link: ReportLinkSettings,
    now: datetime,
    sleep: Sleep | None = None,
    again: bool = False,
    run: str | None = None,
) -> Delivery | None:
    """Post what changed; None when nothing changed and no message is forced, or when every
    selected scan was already posted (like email, a delivery is recorded) unless ``again``.

    ``run`` (an ID, a prefix or "latest") posts one message for the scans of that run, with a
    section per account, each against its own previous scan."""
    if slack.webhook_url is None:
        raise NotifyConfigError("set AUDITOR_SLACK_WEBHOOK_URL to the Slack incoming-webhook URL")
    with store.session() as session:
        if run is not None:
            scans = select_run(session, run, accounts)
            run_id = scans[0].run_id
        else:
            scans, run_id = select_scans(session, scan, accounts), None
        if not again:
            posted = delivered_scan_ids(session, "slack")
            scans = [s for s in scans if s.id not in posted]
            if not scans:
                log.info("slack: already posted for these scans; no message posted")
                return None
        parts = diff_each_with_previous(session, scans)
        changes = Changes.merge(parts)
        if changes.is_empty and not slack.always_post:
            log.info("slack: nothing changed since the previous scan; no message posted")
            return None
        payload = slack_payload(
            changes,
            causes_of_changes(session, changes),
            top_n=slack.top_n,
            report_hint=report_hint([s.id for s in scans], link, run_id),
            run_id=run_id,
            accounts=parts if run_id is not None else (),
        )
    extra = {"sleep": sleep} if sleep is not None else {}
    delivery = await post_json(
        slack.webhook_url.get_secret_value(),
        payload,
        max_attempts=slack.max_attempts,
        request_timeout=slack.timeout,
        max_retry_after=slack.max_retry_after,
        **extra,
    )
    if delivery.delivered:
        with store.session() as session:
            record_delivery(session, channel="slack", scans=scans, sent_at=now)
    return delivery


async def send_alert(
    store: Store, settings: Settings, run_id: str | None = None
) -> Delivery | None:
    """The scheduler's alert, if Slack is configured: after a scan job, what run ``run_id``
    changed (one message, a section per account, as ``notify slack --run``); on the alert's
    own schedule, the newest finished scan of each account (``--scan latest``)."""
    if settings.slack.webhook_url is None:
        log.info("slack: AUDITOR_SLACK_WEBHOOK_URL is not set; no alert sent")
        return None
    return await notify_slack(
        store,
        scan="latest",
        run=run_id,
        accounts=[],
        slack=settings.slack,
        link=ReportLinkSettings(),
        now=datetime.now(UTC),
    )
