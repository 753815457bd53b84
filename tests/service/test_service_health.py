"""/healthz: 200 with the last scan while the scheduler works, 503 when stuck or all failed."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import pytest_asyncio

from auditor.health import check_health, start_health_server
from auditor.scheduler import AuditorService
from auditor.store.database import Store
from auditor.store.scans import Scan, ScanStatus
from tests.service.service_support import ACCOUNT_A, ACCOUNT_B, Recorder, service_settings

NOW = datetime.now(UTC)


def _add_scan(store: Store, account_id: str, status: ScanStatus, minutes_ago: int) -> None:
    started = NOW - timedelta(minutes=minutes_ago)
    with store.session() as session:
        session.add(
            Scan(
                id=str(uuid.uuid4()),
                account_id=account_id,
                regions=["us-east-1"],
                started_at=started,
                status=status,
                finished_at=started + timedelta(minutes=1),
            )
        )


@pytest_asyncio.fixture
async def service(store: Store, recorder: Recorder) -> AsyncIterator[AuditorService]:
    running = AuditorService(
        service_settings(store), store, scan=recorder.scan, notify=recorder.notify
    )
    running.start()
    yield running
    await running.stop()


@pytest.mark.asyncio
async def test_healthy_before_any_scan(service: AuditorService) -> None:
    health = await check_health(service)
    assert (health.http_status, health.body["problems"], health.body["last_scan_at"]) == (
        200,
        [],
        None,
    )
    assert set(health.body["next_runs"]) == {"scan", "weekly_email", "prune"}


@pytest.mark.asyncio
async def test_reports_the_latest_scan_of_each_account(
    service: AuditorService, store: Store
) -> None:
    _add_scan(store, ACCOUNT_A, ScanStatus.FAILED, minutes_ago=90)
    _add_scan(store, ACCOUNT_A, ScanStatus.COMPLETE, minutes_ago=30)
    _add_scan(store, ACCOUNT_B, ScanStatus.FAILED, minutes_ago=20)
    health = await check_health(service)
    assert health.http_status == 200
    assert health.body["last_scan_status"] == "failed"
    assert health.body["last_scan_at"] == (NOW - timedelta(minutes=20)).isoformat()
    assert {(s["account_id"], s["status"]) for s in health.body["scans"]} == {
        (ACCOUNT_A, "complete"),
        (ACCOUNT_B, "failed"),
    }


@pytest.mark.asyncio
async def test_unhealthy_when_every_latest_scan_failed(
    service: AuditorService, store: Store
) -> None:
    _add_scan(store, ACCOUNT_A, ScanStatus.COMPLETE, minutes_ago=90)
    _add_scan(store, ACCOUNT_A, ScanStatus.FAILED, minutes_ago=30)
    _add_scan(store, ACCOUNT_B, ScanStatus.FAILED, minutes_ago=20)
    health = await check_health(service)
    assert (health.http_status, health.body["problems"]) == (
        503,
        ["the latest scan of every account failed"],
    )


@pytest.mark.asyncio
async def test_unhealthy_when_a_job_is_overdue(service: AuditorService) -> None:
    service.scheduler.pause()  # a stuck scheduler: due jobs never run
    service.scheduler.modify_job("prune", next_run_time=NOW - timedelta(hours=1))
    health = await check_health(service)
    assert (health.http_status, health.body["problems"]) == (
        503,
        ["jobs overdue (scheduler stuck): prune"],
    )


@pytest.mark.asyncio
async def test_unhealthy_once_stopping(service: AuditorService) -> None:
    await service.stop()
    health = await check_health(service)
    assert (health.http_status, health.body["problems"]) == (503, ["scheduler is not running"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.asyncio
async def test_healthz_answers_over_http(service: AuditorService, store: Store) -> None:
    port = _free_port()
    runner = await start_health_server(service, "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "ok"
            _add_scan(store, ACCOUNT_A, ScanStatus.FAILED, minutes_ago=1)
            async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                body = await response.json()
                assert (body["status"], body["last_scan_status"]) == ("unhealthy", "failed")
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_busy_health_port_is_one_clear_error(store: Store) -> None:
    from auditor.cli.errors import UsageError
    from auditor.cli.serve_cmd import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UsageError, match=f"cannot serve /healthz on 127.0.0.1:{port}"):
            await serve(service_settings(store), health_host="127.0.0.1", health_port=port)
