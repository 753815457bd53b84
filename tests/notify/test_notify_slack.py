"""`auditor notify slack` against a real HTTP server on loopback."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from auditor.config import Settings
from auditor.notify.settings import ReportLinkSettings, SlackSettings
from auditor.notify.slack import NotifyConfigError, notify_slack, send_alert
from auditor.notify.webhook import Delivery
from auditor.store.database import Store
from auditor.store.notifications import NotificationDelivery
from tests.notify.notify_servers import RecordingWebhook
from tests.report.report_factories import (
    T0,
    finding_row,
    scan_row,
    seed_outage,
    seed_week,
    task_arn,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class RecordedSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def settings(url: str, **overrides: Any) -> SlackSettings:
    return SlackSettings(webhook_url=SecretStr(url), **overrides)


async def send(
    store: Store, webhook: RecordingWebhook, sleep: RecordedSleep, **overrides: Any
) -> Delivery | None:
    return await notify_slack(
        store,
        scan="latest",
        accounts=[],
        slack=settings(webhook.url, **overrides),
        link=ReportLinkSettings(report_url="https://reports.example.com/latest.html"),
        now=NOW,
        sleep=sleep,
    )


def texts(payload: dict[str, Any]) -> list[str]:
    found = []
    for block in payload["blocks"]:
        for holder in [block.get("text"), *block.get("elements", [])]:
            if isinstance(holder, dict):
                found.append(holder["text"])
    return found


def deliveries(store: Store) -> list[tuple[str, list[str]]]:
    with store.session() as session:
        rows = session.scalars(select(NotificationDelivery)).all()
        return [(row.channel, sorted(row.scan_ids)) for row in rows]


@pytest.mark.asyncio
async def test_notify_slack_retries_429_and_500_then_delivers(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        scan_ids = sorted(s.id for s in seed_week(session, hostile=False))
    webhook.script = [(429, {"Retry-After": "7"}), (500, {})]
    sleep = RecordedSleep()

    delivery = await send(store, webhook, sleep)

    assert delivery == Delivery(delivered=True, attempts=3)
    assert sleep.waits == [7.0, 2.0]
    assert len(webhook.requests) == 3
    assert webhook.requests[0] == webhook.requests[2]
    payload = webhook.requests[2]
    # Grouped by root cause; these findings carry no hop, so each check is one cause.
    assert payload["text"] == (
        "auditor: Check “Running tasks can reach their image registry”: 1 task (image pull) "
        "(+3 other new root causes)"
    )
    body = "\n".join(texts(payload))
    assert "*4 new root causes, 2 still open, 0 fixed" in body
    assert "`checkout-web`" in body and "`billing-web`" in body
    assert "*Fixed: 0 root causes*" in body and "`checkout-fixed`" in body
    assert "log delivery, could not be evaluated" in body
    assert "https://reports.example.com/latest.html" in body
    assert deliveries(store) == [("slack", scan_ids)]


@pytest.mark.asyncio
async def test_notify_slack_makes_hostile_text_inert(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        seed_week(session, hostile=True)

    await send(store, webhook, RecordedSleep())

    payload = webhook.requests[0]
    raw = json.dumps(payload, ensure_ascii=False)
    assert "<!channel>" not in raw and "<http" not in raw and "<script" not in raw
    assert "\u202e" not in raw
    assert "A" * 3001 not in raw
    for text in texts(payload):
        assert "<" not in text.replace("<https://reports.example.com", "")
        outside_code = text.split("`")[0::2]
        assert not any("*bold*" in part for part in outside_code), text
    assert "&lt;!channel&gt;" in raw
    assert "invoice[U+202E]gnp.exe" in raw


@pytest.mark.asyncio
async def test_notify_slack_stays_within_block_kit_limits(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        scan = scan_row(session)
        for index in range(300):
            finding_row(
                session,
                scan=scan,
                check_id=f"check-{index % 60}",
                resource_id=task_arn(f"t{index}"),
                message="m" * 5_000,
            )

    await send(store, webhook, RecordedSleep(), top_n=30)

    payload = webhook.requests[0]
    assert len(payload["blocks"]) <= 50
    assert all(len(text) <= 3000 for text in texts(payload))
    assert "and 30 more new root causes in the full report" in texts(payload)


@pytest.mark.asyncio
async def test_notify_slack_posts_nothing_when_nothing_changed_unless_forced(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        for day in (0, 1):
            scan = scan_row(session, started_at=T0 + timedelta(days=day))
            finding_row(session, scan=scan, resource_id=task_arn("same"))

    assert await send(store, webhook, RecordedSleep()) is None
    assert webhook.requests == []

    forced = await send(store, webhook, RecordedSleep(), always_post=True)
    assert forced == Delivery(delivered=True, attempts=1)
    assert webhook.requests[0]["text"] == "auditor: No new findings in 1 account"


@pytest.mark.asyncio
async def test_notify_slack_final_failure_keeps_the_scan_and_hides_the_url(
    store: Store, webhook: RecordingWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)
    webhook.script = [(503, {})] * 4
    caplog.set_level(logging.DEBUG)

    delivery = await send(store, webhook, RecordedSleep(), max_attempts=4)

    assert delivery is not None and not delivery.delivered
    assert delivery.attempts == 4 and len(webhook.requests) == 4
    assert delivery.error is not None and "secret-token" not in delivery.error
    assert "secret-token" not in caplog.text
    assert "giving up after 4 attempts" in caplog.text
    assert deliveries(store) == []
    with store.session() as session:
        assert session.scalars(select(NotificationDelivery)).first() is None


@pytest.mark.asyncio
async def test_notify_slack_does_not_retry_a_rejected_payload(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)
    webhook.script = [(400, {})]

    delivery = await send(store, webhook, RecordedSleep())

    assert delivery == Delivery(delivered=False, attempts=1, error="HTTP 400 'rate_limited'")


@pytest.mark.asyncio
async def test_notify_slack_without_a_webhook_url_is_a_config_error(store: Store) -> None:
    with pytest.raises(NotifyConfigError, match="AUDITOR_SLACK_WEBHOOK_URL"):
        await notify_slack(
            store,
            scan="latest",
            accounts=[],
            slack=SlackSettings(),
            link=ReportLinkSettings(),
            now=NOW,
        )


@pytest.mark.asyncio
async def test_notify_slack_scheduler_entry_point_uses_the_service_settings(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        seed_week(session, hostile=False)

    assert await send_alert(store, Settings()) is None
    delivery = await send_alert(
        store, Settings(slack=SlackSettings(webhook_url=SecretStr(webhook.url)))
    )

    assert delivery == Delivery(delivered=True, attempts=1)
    assert len(webhook.requests) == 1


@pytest.mark.asyncio
async def test_notify_slack_groups_a_broken_nat_into_one_root_cause(
    store: Store, webhook: RecordingWebhook
) -> None:
    with store.session() as session:
        seed_outage(session)

    await send(store, webhook, RecordedSleep())

    payload = webhook.requests[0]
    line = (
        "NAT gateway nat-0payments is deleted: 4 services, 10 tasks "
        "(image pull, log delivery, secrets)"
    )
    assert payload["text"] == f"auditor: {line}"
    body = "\n".join(texts(payload))
    assert f"*{line}*" in body
    assert "Services: `cart`, `checkout-api`, `payments-worker`, `receipts`" in body
    assert "*Fixed: 1 root cause*\n• rtb-0ledger routes 0.0.0.0/0 to a blackhole" in body
    # 42 failing findings, one section: not a wall of text.
    assert sum("nat-0payments" in text for text in texts(payload)) == 2  # header and section
