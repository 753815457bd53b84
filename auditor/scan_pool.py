"""Scanning a run's accounts in a few worker processes, each with its own event loop.

One interpreter tops out at one core: with client setup shared, the per-request work
(signing, parsing, evaluation) still keeps a scan of hundreds of accounts CPU-bound. Workers
take accounts from one queue (a large account does not hold up a fixed share of the others)
and write to the same store: SQLite takes one writer at a time and the others wait
(``busy_timeout``); each account's records are one short transaction. Owner accounts of the
run are looked up in the store, so an account whose owner another worker has not stored yet
is deferred, and the parent evaluates it once every worker is done.

A worker that dies breaks the pool: every scan of the run still running is marked failed,
and an account no worker reached gets a failed scan of its own; none is left ``running``.
"""

from __future__ import annotations

import asyncio
import gc
import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from typing import Any

from auditor.config import Settings
from auditor.gc_tuning import SCAN_THRESHOLDS
from auditor.store import reads, repository
from auditor.store.database import Store, open_store
from auditor.store.scans import ScanStatus
from collectors.results import ProgressCallback, ProgressEvent

# Below this many accounts a pool costs more than it saves (a worker takes about a second of
# CPU to start: a fresh interpreter importing botocore, SQLAlchemy and the checks).
MIN_ACCOUNTS_PER_WORKER = 8
WORKER_DIED = "a scan worker process died before this scan finished"

_accounts: Queue[str | None] | None = None
_events: Queue[ProgressEvent | None] | None = None


def worker_count(configured: int, accounts: int) -> int:
    """How many processes scan ``accounts`` accounts: ``configured``, never more than one
    per account; 0 means one per CPU core, but no more than one per
    MIN_ACCOUNTS_PER_WORKER accounts. One means in this process."""
    if configured:
        return max(1, min(configured, accounts))
    return max(1, min(os.cpu_count() or 1, accounts // MIN_ACCOUNTS_PER_WORKER))


def _start_worker(accounts: Queue[str | None], events: Queue[ProgressEvent | None] | None) -> None:
    global _accounts, _events
    _accounts, _events = accounts, events


def _worker(
    settings: Settings,
    regions: Sequence[str] | None,
    database_url: str,
    trigger: str,
    run_id: str,
    run_accounts: Sequence[str],
    lanes: int,
) -> list[Any]:
    """One worker process: ``lanes`` accounts at a time, taken from the queue until its end."""
    from auditor.engine import scan_run_here

    _settle_heap()
    assert _accounts is not None
    accounts = _accounts
    events = _events
    store = open_store(database_url, upgrade=False)

    async def next_account() -> str | None:
        return await asyncio.to_thread(accounts.get)

    try:
        return asyncio.run(
            scan_run_here(
                settings,
                [],
                regions,
                store=store,
                trigger=trigger,
                progress=events.put if events is not None else None,
                run_id=run_id,
                run_accounts=run_accounts,
                max_parallel_accounts=lanes,
                next_account=next_account,
            )
        )
    finally:
        store.dispose()


def _settle_heap() -> None:
    """Leave what every account's scan reads and never frees out of garbage collection: the
    modules and the service models of the collectors' clients. Without this a worker spent
    about a fifth of its CPU in the collector's full passes over them (gc.callbacks timing
    bench_org 20 x 4), which the CLI process already avoids (auditor.cli freezes after import)."""
    from auditor.aws import load_service_models
    from collectors.registry import account_wide, regional

    load_service_models({c.service for c in (*regional(), *account_wide())} | {"sts"})
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SCAN_THRESHOLDS)  # as `auditor scan` itself (the worker ends with it)


async def scan_in_workers(
    settings: Settings,
    account_ids: Sequence[str],
    regions: Sequence[str] | None,
    *,
    store: Store,
    trigger: str,
    progress: ProgressCallback | None,
    run_id: str,
    workers: int,
    max_parallel_accounts: int,
) -> list[Any]:
    """Scan the accounts in ``workers`` processes sharing ``max_parallel_accounts`` accounts
    in flight; every account's outcome (or DeferredScan), in the order of ``account_ids``."""
    from auditor.engine import DeferredScan, ScanSummary

    # spawn, not fork: the parent has threads (the store's, asyncio's) a fork would copy
    # in whatever state they were.
    context = multiprocessing.get_context("spawn")
    lanes = max(1, math.ceil(max_parallel_accounts / workers))
    accounts: Queue[str | None] = context.Queue()
    for account_id in account_ids:
        accounts.put(account_id)
    for _ in range(workers * lanes):  # one end-of-queue per lane
        accounts.put(None)
    events: Queue[ProgressEvent | None] | None = context.Queue() if progress else None
    relay = asyncio.create_task(_relay(events, progress)) if events and progress else None
    loop = asyncio.get_running_loop()
    results: list[Any] = []
    try:
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(accounts, events)
        ) as pool:
            futures = [
                loop.run_in_executor(
                    pool,
                    _worker,
                    settings,
                    list(regions) if regions else None,
                    store.url,
                    trigger,
                    run_id,
                    list(account_ids),
                    lanes,
                )
                for _ in range(workers)
            ]
            try:
                finished = await asyncio.gather(*futures, return_exceptions=True)
            except (asyncio.CancelledError, KeyboardInterrupt):
                _stop(pool)  # the caller marks the scans they leave running failed
                raise
            for done in finished:
                if isinstance(done, BaseException):
                    if not isinstance(done, BrokenProcessPool):
                        raise done
                    continue
                results.extend(done)
    finally:
        # Accounts left in the queue by a broken pool must not hold up this process's exit.
        accounts.cancel_join_thread()
        if relay is not None and events is not None:
            events.put(None)
            await relay
    by_account: dict[str, ScanSummary | DeferredScan] = {r.account_id: r for r in results}
    missing = [a for a in account_ids if a not in by_account]
    if missing:
        recovered = await asyncio.to_thread(
            _recover, store, settings, regions, run_id, missing, trigger
        )
        by_account.update(recovered)
    return [by_account[a] for a in account_ids]


def _stop(pool: ProcessPoolExecutor) -> None:
    """Interrupted (Ctrl-C, SIGTERM from ECS or Kubernetes): end the workers now rather than
    wait for them to empty the queue. SIGTERM ends a worker at once (it installs no handler)."""
    processes_of: Any = getattr(pool, "_processes", None) or {}  # CPython's; no public way
    for process in list(processes_of.values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


async def _relay(events: Queue[ProgressEvent | None], progress: ProgressCallback) -> None:
    """Hand the workers' progress events to the parent's callback until the end marker."""
    while (event := await asyncio.to_thread(events.get)) is not None:
        progress(event)


def _recover(
    store: Store,
    settings: Settings,
    regions: Sequence[str] | None,
    run_id: str,
    missing: Sequence[str],
    trigger: str,
) -> dict[str, Any]:
    """Outcomes for the accounts whose worker died: a scan whose records were stored is
    deferred (the parent evaluates it), one left running before that is failed, an account
    no worker reached gets a failed scan; finished ones are read back as they are."""
    from auditor.engine import DeferredScan, ScanSummary

    now = datetime.now(UTC)
    found: dict[str, Any] = {}
    for account_id in missing:
        with store.session() as session:
            scan = reads.run_scan(session, run_id, account_id)
            if scan is None:
                scan = repository.new_scan(
                    account_id, regions or settings.regions, trigger=trigger, run_id=run_id, now=now
                )
                repository.add_scan(session, scan)
            elif scan.status == ScanStatus.RUNNING and reads.has_outcomes(session, scan.id):
                found[account_id] = DeferredScan(scan_id=scan.id, account_id=account_id)
                continue
            if scan.status == ScanStatus.RUNNING:
                repository.fail_scan(scan, WORKER_DIED, now)
            found[account_id] = ScanSummary(
                scan_id=scan.id,
                account_id=account_id,
                status=ScanStatus(scan.status),
                regions=list(scan.regions),
                error=scan.error,
                api_calls=scan.api_calls,
                run_id=scan.run_id,
                started_at=scan.started_at,
                finished_at=scan.finished_at,
            )
    return found
