"""``auditor serve``'s jobs on APScheduler 3: scans, Slack alerts, the weekly email, pruning.

Jobs live in the store's database (APScheduler's own table), so a restart keeps the schedule,
and a run missed while the service was down happens once (coalescing) when it comes back.
Every job calls the same functions as the CLI. Replicas sharing a database elect one leader
(the holder of the ``scheduler`` lock) that runs the schedule; the others stand by and take
over when it goes away. Account locks keep any two processes from scanning one account at once.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from auditor.accounts import AccountResolutionError, resolve_accounts
from auditor.config import Settings
from auditor.store.database import Store
from auditor.store.locks import Locks, open_locks

if TYPE_CHECKING:
    from auditor.engine import ScanSummary

log = logging.getLogger(__name__)

JOBS = ("scan", "alert", "weekly_email", "prune")
JOB_TABLE = "apscheduler_jobs"
LOCK_REFRESH_EVERY = timedelta(minutes=1)
LEADER_LOCK = "scheduler"
# How often a standby tries the leader lock. A leader stopped gracefully releases it on the
# way out, so a standby takes over within this; a killed one holds it one lease at most.
LEADER_RETRY = timedelta(seconds=5)


class ScanFunction(Protocol):
    def __call__(
        self,
        settings: Settings,
        account_ids: Sequence[str],
        regions: Sequence[str] | None = None,
        *,
        store: Store,
        trigger: str = "cli",
        max_parallel_accounts: int = 4,
    ) -> Awaitable[list[ScanSummary]]: ...


def _engine() -> ModuleType:
    # The engine pulls in every collector and check: loaded when a job first needs it.
    return importlib.import_module("auditor.engine")


def notifier(module: str, name: str) -> Callable[[Store, Settings], Any]:
    """``auditor.notify.<module>.<name>``, looked up when a job runs rather than at import."""
    function: Callable[[Store, Settings], Any] = getattr(
        importlib.import_module(f"auditor.notify.{module}"), name
    )
    return function


async def _call(function: Callable[..., Any], *args: Any) -> Any:
    """Await a coroutine function; run a plain one in a thread so the loop keeps serving."""
    if inspect.iscoroutinefunction(function):
        return await function(*args)
    return await asyncio.to_thread(function, *args)


@dataclass
class ScanRun:
    """The last scan job: when it ran and how each account fared."""

    started_at: datetime
    finished_at: datetime | None = None
    outcomes: list[ScanSummary] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None


class AuditorService:
    """The scheduler plus everything its jobs need; one per process."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        locks: Locks | None = None,
        scan: ScanFunction | None = None,
        notify: Callable[[str, str], Callable[[Store, Settings], Any]] = notifier,
        leader_retry: timedelta = LEADER_RETRY,
    ) -> None:
        self.settings = settings
        self.store = store
        self.locks = locks or open_locks(store.engine)
        self._scan: ScanFunction = scan or _engine().scan_accounts
        self._notify = notify
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=store.engine, tablename=JOB_TABLE)},
            timezone=settings.schedules.timezone,
        )
        self.last_scan: ScanRun | None = None
        self.started_at: datetime | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._lock_refresher: asyncio.Task[None] | None = None
        self._standby: asyncio.Task[None] | None = None
        self._leader_retry = leader_retry
        self.is_leader = False
        self.stopping = False

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler; must run inside the event loop.

        The scheduler starts paused. The leader compares the persisted jobs with the
        configuration before resuming: an unchanged job keeps its stored next run time, which
        is what lets a run missed during downtime happen once now. A standby stays paused.
        """
        _SERVICES[:] = [self]
        self.scheduler.start(paused=True)
        self.started_at = datetime.now(UTC)
        self._lock_refresher = asyncio.create_task(self._refresh_locks())
        if self.locks.acquire([LEADER_LOCK]):
            self._lead()
        else:
            log.info("another process runs the schedule; standing by")
            self._standby = asyncio.create_task(self._await_leadership())

    def _lead(self) -> None:
        self._sync_jobs()
        self.scheduler.resume()
        self.is_leader = True
        log.info("scheduler started", extra={"jobs": self.next_runs()})

    async def _await_leadership(self) -> None:
        while not self.stopping:
            await asyncio.sleep(self._leader_retry.total_seconds())
            if await asyncio.to_thread(self.locks.acquire, [LEADER_LOCK]):
                log.info("the previous scheduler went away; taking over")
                self._lead()
                return

    def _sync_jobs(self) -> None:
        grace = self.settings.schedules.misfire_grace_seconds
        for name in JOBS:
            trigger = self.settings.schedules.trigger(name)
            existing = self.scheduler.get_job(name)
            if trigger is None:
                if existing is not None:
                    existing.remove()
                continue
            if existing is not None and _same_trigger(existing.trigger, trigger):
                existing.modify(misfire_grace_time=grace, coalesce=True, max_instances=1)
                continue
            self.scheduler.add_job(
                "auditor.scheduler:run_job",
                trigger=trigger,
                args=[name],
                id=name,
                name=name,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=grace,
            )

    async def stop(self, grace: timedelta = timedelta(seconds=20)) -> None:
        """Take no new job, give running ones ``grace`` to finish, then cancel them.

        A cancelled scan is marked failed by the engine; its previous complete scan is
        untouched.
        """
        self.stopping = True
        if self.scheduler.running:
            self.scheduler.pause()
        running = [task for task in self._running if not task.done()]
        if running:
            log.info("waiting for %d running job(s) to finish", len(running))
            _, pending = await asyncio.wait(running, timeout=grace.total_seconds())
            for task in pending:
                task.cancel()
            if pending:
                log.warning("cancelled %d job(s) still running at shutdown", len(pending))
                await asyncio.wait(pending, timeout=5)
        for helper in (self._lock_refresher, self._standby):
            if helper is not None:
                helper.cancel()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await asyncio.to_thread(self.locks.close)
        if self in _SERVICES:
            _SERVICES.clear()

    def next_runs(self) -> dict[str, str | None]:
        """Job name → next run time (ISO 8601), for logs and /healthz."""
        runs: dict[str, str | None] = {}
        for job in self.scheduler.get_jobs():
            next_run = getattr(job, "next_run_time", None)
            runs[job.id] = next_run.isoformat() if next_run else None
        return runs

    def overdue_jobs(self, now: datetime, tolerance: timedelta) -> list[str]:
        """Jobs whose run time passed more than ``tolerance`` ago without running: stuck."""
        if not self.scheduler.running:
            return []
        return sorted(
            job.id
            for job in self.scheduler.get_jobs()
            if job.next_run_time is not None and now - job.next_run_time > tolerance
        )

    async def _refresh_locks(self) -> None:
        while True:
            await asyncio.sleep(LOCK_REFRESH_EVERY.total_seconds())
            try:
                await asyncio.to_thread(self.locks.refresh)
            except Exception:
                log.exception("could not refresh account locks")

    # --- jobs ----------------------------------------------------------------------------

    async def run(self, name: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await getattr(self, f"run_{name}")()
        finally:
            if task is not None:
                self._running.discard(task)

    async def run_scan(self) -> None:
        """Scan every configured account this process can lock, then send the Slack alert."""
        run = ScanRun(started_at=datetime.now(UTC))
        self.last_scan = run
        try:
            accounts = await resolve_accounts(self.settings)
        except AccountResolutionError as error:
            run.error = str(error)
            run.finished_at = datetime.now(UTC)
            log.error("scheduled scan not started: %s", error)
            return
        locked = await asyncio.to_thread(self.locks.acquire, accounts)
        run.skipped = [account for account in accounts if account not in locked]
        for account in run.skipped:
            log.warning("account %s skipped: another process is scanning it", account)
        for account in locked:
            log.info("scan of %s started", account, extra={"account_id": account})
        try:
            if locked:
                run.outcomes = await self._scan(
                    self.settings,
                    locked,
                    store=self.store,
                    trigger="schedule",
                    max_parallel_accounts=self.settings.account_concurrency,
                )
        finally:
            await asyncio.shield(asyncio.to_thread(self.locks.release, locked))
            run.finished_at = datetime.now(UTC)
        for outcome in run.outcomes:
            _log_finished(outcome)
        for hint in _engine().owner_hints(run.outcomes):
            log.warning(hint)
        if run.outcomes and not self.stopping:
            # What this run changed, one message for its scans (a section per account); not
            # the newest scan of every account in the store, which another replica's run or
            # a CLI scan may have written meanwhile.
            run_ids = sorted({o.run_id for o in run.outcomes if o.run_id is not None})
            if not run_ids:
                await self.run_alert()
            for run_id in run_ids:
                await self.run_alert(run_id)

    async def run_alert(self, run_id: str | None = None) -> None:
        """The Slack alert: for run ``run_id`` (after a scan job), else (the alert's own
        schedule) for the newest finished scan of each account not posted yet."""
        if run_id is None:
            await self._deliver("slack", "send_alert")
        else:
            await self._deliver("slack", "send_alert", run_id)

    async def run_weekly_email(self) -> None:
        await self._deliver("email", "send_weekly")

    async def run_prune(self) -> None:
        pruned = await asyncio.to_thread(_engine().prune, self.store, self.settings)
        log.info("pruned %d scan(s) past %d days", pruned, self.settings.retention_days)

    async def _deliver(self, channel: str, function_name: str, *args: Any) -> None:
        # A failed delivery is logged and never disturbs the schedule or the scans.
        try:
            await _call(self._notify(channel, function_name), self.store, self.settings, *args)
        except Exception:
            log.exception("%s delivery failed", channel)


def _log_finished(outcome: ScanSummary) -> None:
    duration = None
    if outcome.started_at and outcome.finished_at:
        duration = round((outcome.finished_at - outcome.started_at).total_seconds(), 1)
    log.log(
        logging.INFO if outcome.status == "complete" else logging.WARNING,
        "scan of %s finished: %s in %s s, %d API calls (scan %s)",
        outcome.account_id,
        outcome.status,
        duration,
        outcome.api_calls,
        outcome.scan_id,
        extra={
            "account_id": outcome.account_id,
            "scan_id": outcome.scan_id,
            "status": str(outcome.status),
            "duration_seconds": duration,
            "api_calls": outcome.api_calls,
            "error": outcome.error,
        },
    )


def _same_trigger(stored: Any, wanted: CronTrigger) -> bool:
    return isinstance(stored, CronTrigger) and (str(stored), str(stored.timezone)) == (
        str(wanted),
        str(wanted.timezone),
    )


# The running service, for job functions that APScheduler loads from its job table by name.
_SERVICES: list[AuditorService] = []


async def run_job(name: str) -> None:
    """Entry point of every persisted job."""
    if not _SERVICES:
        log.error("job %s fired with no service running", name)
        return
    await _SERVICES[0].run(name)
