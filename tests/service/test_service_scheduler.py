"""`auditor serve`'s scheduler: crons from the config, jobs that fire, missed runs, locks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.config import Settings
from auditor.scheduler import AuditorService
from auditor.store.database import Store
from auditor.store.locks import RowLocks
from tests.service.service_support import ACCOUNT_A, ACCOUNT_B, RUN, Recorder, service_settings


def _service(settings: Settings, store: Store, recorder: Recorder) -> AuditorService:
    return AuditorService(settings, store, scan=recorder.scan, notify=recorder.notify)


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(60):
        while not condition():  # noqa: ASYNC110  (polls state the scheduler owns)
            await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_jobs_follow_the_configured_crons(store: Store, recorder: Recorder) -> None:
    settings = service_settings(store, timezone="Europe/Paris", scan="15 2 * * *", alert="")
    service = _service(settings, store, recorder)
    service.start()
    try:
        jobs = {job.id: job for job in service.scheduler.get_jobs()}
        assert set(jobs) == {"scan", "weekly_email", "prune"}
        scan_time = jobs["scan"].next_run_time
        assert (str(scan_time.tzinfo), scan_time.hour, scan_time.minute) == ("Europe/Paris", 2, 15)
        assert jobs["weekly_email"].next_run_time.weekday() == 0
        assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    finally:
        await service.stop()
    assert recorder.calls == []


@pytest.mark.asyncio
async def test_scan_job_scans_every_account_then_alerts(store: Store, recorder: Recorder) -> None:
    service = _service(service_settings(store), store, recorder)
    service.start()
    try:
        service.scheduler.modify_job("scan", next_run_time=datetime.now(UTC))
        await _until(lambda: len(recorder.calls) == 2)
        assert recorder.calls == [
            ("scan", (ACCOUNT_A, ACCOUNT_B), "schedule"),
            ("slack", "send_alert", RUN),  # what that run changed
        ]
        assert service.last_scan is not None
        assert service.last_scan.skipped == []
        assert service.locks.held == {"scheduler"}  # the leader lock, no account lock
    finally:
        await service.stop()


@pytest.mark.asyncio
async def test_weekly_email_missed_during_downtime_is_sent_once(
    store: Store, recorder: Recorder
) -> None:
    settings = service_settings(store, weekly_email="0 8 * * mon")
    # First life of the service: jobs persisted, then the process goes away for five weeks,
    # so five Monday emails were missed.
    before = _service(settings, store, recorder)
    before.scheduler.start(paused=True)
    before._sync_jobs()
    five_weeks_ago = datetime.now(UTC) - timedelta(weeks=5)
    before.scheduler.modify_job("weekly_email", next_run_time=five_weeks_ago)
    before.scheduler.shutdown(wait=False)

    after = _service(settings, store, recorder)
    after.start()
    try:
        await _until(lambda: len(recorder.calls) >= 1)
        await asyncio.sleep(1)  # room for any duplicate to show up
        assert recorder.calls == [("email", "send_weekly")]
        next_email = after.scheduler.get_job("weekly_email").next_run_time
        assert next_email > datetime.now(UTC)
    finally:
        await after.stop()


@pytest.mark.asyncio
async def test_restart_keeps_the_stored_schedule_unless_the_cron_changed(
    store: Store, recorder: Recorder
) -> None:
    settings = service_settings(store)
    first = _service(settings, store, recorder)
    first.start()
    planned = first.next_runs()
    await first.stop()

    second = _service(settings, store, recorder)
    second.start()
    assert second.next_runs() == planned
    await second.stop()

    changed = service_settings(store, prune="", scan="5 4 * * *")
    third = _service(changed, store, recorder)
    third.start()
    try:
        runs = third.next_runs()
        assert set(runs) == {"scan", "weekly_email"}
        assert runs["weekly_email"] == planned["weekly_email"]
        assert runs["scan"] != planned["scan"]
        assert third.scheduler.get_job("scan").next_run_time.minute == 5
    finally:
        await third.stop()


@pytest.mark.asyncio
async def test_an_account_locked_elsewhere_is_skipped(store: Store, recorder: Recorder) -> None:
    elsewhere = RowLocks(store.engine, "other-host:1")
    assert elsewhere.acquire([ACCOUNT_B]) == [ACCOUNT_B]
    service = _service(service_settings(store), store, recorder)
    await service.run("scan")
    assert recorder.calls == [("scan", (ACCOUNT_A,), "schedule"), ("slack", "send_alert", RUN)]
    assert service.last_scan is not None
    assert service.last_scan.skipped == [ACCOUNT_B]
    assert elsewhere.holders() == {ACCOUNT_B: "other-host:1"}


@pytest.mark.asyncio
async def test_every_account_locked_elsewhere_means_no_scan_and_no_alert(
    store: Store, recorder: Recorder
) -> None:
    RowLocks(store.engine, "other-host:1").acquire([ACCOUNT_A, ACCOUNT_B])
    service = _service(service_settings(store), store, recorder)
    await service.run("scan")
    assert recorder.calls == []


@pytest.mark.asyncio
async def test_failed_delivery_is_logged_and_the_service_goes_on(
    store: Store, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(channel: str, function: str) -> Any:
        def deliver(store: Store, settings: Settings, *args: Any) -> None:
            raise ConnectionError("smtp.example.com refused")

        return deliver

    service = AuditorService(service_settings(store), store, scan=recorder.scan, notify=broken)
    await service.run("scan")
    await service.run("weekly_email")
    assert recorder.calls == [("scan", (ACCOUNT_A, ACCOUNT_B), "schedule")]
    failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert failures == ["slack delivery failed", "email delivery failed"]


@pytest.mark.asyncio
async def test_stop_waits_for_a_running_scan_then_cancels_it(store: Store) -> None:
    finished: list[str] = []
    cancelled: list[str] = []

    async def slow_scan(*args: Any, **kwargs: Any) -> list[Any]:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append("scan")
            raise
        finished.append("scan")
        return []

    recorder = Recorder()
    service = AuditorService(service_settings(store), store, scan=slow_scan, notify=recorder.notify)
    service.start()
    job = asyncio.create_task(service.run("scan"))
    await _until(lambda: ACCOUNT_A in service.locks.held)
    started = asyncio.get_running_loop().time()
    await service.stop(grace=timedelta(seconds=0.5))
    elapsed = asyncio.get_running_loop().time() - started
    assert job.cancelled() or job.done()
    assert (finished, cancelled) == ([], ["scan"])
    assert elapsed < 3
    assert not service.scheduler.running
    assert RowLocks(store.engine, "x").holders() == {}
    assert recorder.calls == []


@pytest.mark.asyncio
async def test_one_replica_leads_the_other_stands_by_then_takes_over(
    store: Store, recorder: Recorder
) -> None:
    settings = service_settings(store, alert="0 0 1 1 *")
    leader = _service(settings, store, recorder)
    standby = AuditorService(
        settings,
        store,
        scan=recorder.scan,
        notify=recorder.notify,
        leader_retry=timedelta(seconds=0.2),
    )
    leader.start()
    standby.start()
    try:
        assert (leader.is_leader, standby.is_leader) == (True, False)
        # The job table is shared: a due job runs once, in the leader.
        leader.scheduler.modify_job("alert", next_run_time=datetime.now(UTC))
        await _until(lambda: bool(recorder.calls))
        await asyncio.sleep(0.5)
        assert recorder.calls == [("slack", "send_alert")]
        await leader.stop()
        await _until(lambda: standby.is_leader)
        assert standby.scheduler.state == 1  # STATE_RUNNING: resumed, no longer paused
        assert set(standby.next_runs()) == {"scan", "alert", "weekly_email", "prune"}
    finally:
        await standby.stop()


@pytest.mark.asyncio
async def test_scheduled_scan_runs_the_real_engine(
    moto: Any, store: Store, recorder: Recorder
) -> None:
    from sqlalchemy import select

    from auditor.store.scans import Scan

    settings = service_settings(store).model_copy(
        update={
            "accounts": service_settings(store).accounts.model_copy(update={"ids": [ACCOUNT_A]}),
            "max_attempts": 2,
        }
    )
    service = AuditorService(settings, store, notify=recorder.notify)
    service.start()
    try:
        service.scheduler.modify_job("scan", next_run_time=datetime.now(UTC))
        await _until(lambda: bool(recorder.calls))
    finally:
        await service.stop()
    with store.session() as session:
        scans = [(s.account_id, s.trigger, s.status) for s in session.scalars(select(Scan))]
        [run_id] = session.scalars(select(Scan.run_id))
    assert scans == [(ACCOUNT_A, "schedule", "complete")]
    assert recorder.calls == [("slack", "send_alert", run_id)]  # the alert of that run
    assert service.last_scan is not None
    assert [o.account_id for o in service.last_scan.outcomes] == [ACCOUNT_A]
