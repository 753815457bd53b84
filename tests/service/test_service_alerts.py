"""`auditor serve`'s alerts: after a scan job, one Slack message for what that run changed
(a section per account, as `notify slack --run`); the weekly email keeps covering the week.

The real engine against moto, the real notifiers, a loopback Slack webhook and SMTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from sqlalchemy import select

from auditor.config import AccountsSettings, Settings
from auditor.engine import scan_accounts
from auditor.notify.settings import EmailSettings, SlackSettings, SmtpSettings
from auditor.scheduler import AuditorService
from auditor.store.database import Store
from auditor.store.notifications import NotificationDelivery
from tests.cli.receivers import SlackReceiver, slack_receiver, smtp_receiver
from tests.cli.test_cli_scan import seed_small_estate
from tests.notify.notify_servers import RecordingSmtp
from tests.service.service_support import ACCOUNT_A, ACCOUNT_B, service_settings

ELSEWHERE = "111111111111"  # scanned by someone else (a CLI run) meanwhile, never posted


@pytest.fixture
def receivers() -> Iterator[tuple[SlackReceiver, RecordingSmtp]]:
    with slack_receiver() as slack, smtp_receiver() as smtp:
        yield slack, smtp


def _settings(store: Store, slack: SlackReceiver, smtp: RecordingSmtp) -> Settings:
    base = service_settings(store)
    updated: Settings = base.model_copy(
        update={
            "accounts": AccountsSettings(ids=[ACCOUNT_A, ACCOUNT_B]),
            "max_attempts": 2,
            "slack": SlackSettings(webhook_url=slack.url),
            "smtp": SmtpSettings(host=smtp.host, port=smtp.port),
            "email": EmailSettings(from_="auditor@localhost", to="team@localhost"),
        }
    )
    return updated


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_the_scan_job_alerts_on_its_own_run_and_the_weekly_email_keeps_working(
    moto: Any, boto3_client: Any, store: Store, receivers: tuple[SlackReceiver, RecordingSmtp]
) -> None:
    slack, smtp = receivers
    seed_small_estate(boto3_client)  # ACCOUNT_A's tasks fail; the other accounts are empty
    settings = _settings(store, slack, smtp)
    # A scan of another account, not posted: `--scan latest` would have put it in the alert.
    [elsewhere] = await scan_accounts(settings, [ELSEWHERE], store=store, trigger="cli")
    assert elsewhere.status == "complete"

    service = AuditorService(settings, store)
    await service.run("scan")
    assert service.last_scan is not None
    [run_id] = {o.run_id for o in service.last_scan.outcomes}
    assert run_id is not None and run_id != elsewhere.run_id

    [message] = slack.messages  # one message for the run
    text = _text(message)
    assert run_id in text and f"--run {run_id}" in text
    assert f"*Account `{ACCOUNT_A}`*" in text and ACCOUNT_B in text
    assert ELSEWHERE not in text
    with store.session() as session:
        [delivery] = session.scalars(select(NotificationDelivery))
        assert sorted(delivery.scan_ids) == sorted(o.scan_id for o in service.last_scan.outcomes)

    # The next run changes nothing: no message (nothing new), the first run's stays the only one.
    await service.run("scan")
    assert len(slack.messages) == 1

    await service.run("weekly_email")
    [envelope] = smtp.messages
    mail = message_from_bytes(envelope.content)
    parts = [p.get_payload(decode=True) for p in mail.walk() if not p.is_multipart()]
    body = "\n".join(p.decode() for p in parts if isinstance(p, bytes))
    # Every scan since the last email: both runs' and the one of the other account.
    assert f"5 scans of 3 accounts: {ELSEWHERE}, {ACCOUNT_A}, {ACCOUNT_B}." in body, body[:2000]
