"""Runs a scan end to end: collect → store → inventory → checks → findings.

The CLI and the scheduler both call ``scan_accounts``; nothing else writes a scan.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from auditor import muting, processes
from auditor.aws import (
    AccountAccessError,
    Caller,
    enabled_regions,
    open_account,
    shared_connections,
)
from auditor.aws_calls import validate_regions
from auditor.config import Settings
from auditor.findings import Result, Status
from auditor.inventory import RECORD_FIELDS, Inventory
from auditor.store import reads, repository
from auditor.store.database import Store
from auditor.store.scans import CollectionOutcome, OutcomeStatus, Scan, ScanStatus
from checks import all_checks, evaluate_all
from collectors.results import Collected, ProgressCallback
from collectors.run import collect_account

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=60)


@dataclass(kw_only=True)
class ScanSummary:
    """What one account's scan produced, for summaries and exit codes."""

    scan_id: str
    account_id: str
    status: ScanStatus
    regions: list[str] = field(default_factory=list)
    error: str | None = None
    api_calls: int = 0
    # The run (one invocation over many accounts) the scan belongs to.
    run_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    resources: Counter[str] = field(default_factory=Counter)
    # (severity, status) → number of findings
    findings: Counter[tuple[str, str]] = field(default_factory=Counter)
    collection_errors: list[CollectionOutcome] = field(default_factory=list)
    expired_rules: list[str] = field(default_factory=list)
    # True when the account could not be reached at all (credentials, assume-role).
    unreachable: bool = False
    # True when the local AWS setup is at fault (no credentials, unknown profile, no region).
    setup_problem: bool = False
    # Accounts owning VPCs this account's records name, with neither a scan in this run nor
    # a recent complete one: owner account → one of its VPCs ("scan account X too").
    unscanned_owners: dict[str, str] = field(default_factory=dict)
    # The findings rows the scan stored, in insertion order, when the run asked to keep them
    # (a one-account run, whose outputs are then built without reading them back); None
    # otherwise. The store stays the source of truth: these are exactly the rows written.
    stored_findings: list[dict[str, Any]] | None = field(default=None, repr=False)


def owner_hints(outcomes: Sequence[ScanSummary]) -> list[str]:
    """One line per account that owns VPCs the scanned accounts use but was not scanned."""
    owners: dict[str, tuple[str, list[str]]] = {}
    for outcome in outcomes:
        for owner, vpc_id in sorted(outcome.unscanned_owners.items()):
            owners.setdefault(owner, (vpc_id, []))[1].append(outcome.account_id)
    return [
        f"scan account {owner} (owner of {vpc_id}) too: paths of {', '.join(users)} "
        "through its VPCs are UNKNOWN"
        for owner, (vpc_id, users) in sorted(owners.items())
    ]


def _now() -> datetime:
    return datetime.now(UTC)


def scan_status(outcomes: Sequence[CollectionOutcome]) -> ScanStatus:
    """complete: no required collector failed (not needed is no failure); failed: none ok;
    partial otherwise."""
    required = [o for o in outcomes if not o.optional]
    if required and not any(OutcomeStatus(o.status).failed for o in required):
        return ScanStatus.COMPLETE
    ok = [o for o in required if o.status == OutcomeStatus.OK]
    return ScanStatus.PARTIAL if ok else ScanStatus.FAILED


@dataclass(kw_only=True)
class StoredScan:
    """An account collected and stored (its scan still running), awaiting evaluation: its
    paths may cross the VPCs of other accounts of the same run."""

    scan_id: str
    collected: Collected
    outcomes: list[CollectionOutcome]


@dataclass(frozen=True)
class DeferredScan:
    """A stored scan whose evaluation waits for an owner account of the same run to store
    its records; its own records are in the store, not in memory."""

    scan_id: str
    account_id: str


class _Pending:
    """An owner account of the run whose records are not stored yet."""


PENDING = _Pending()


class RunView:
    """The network records a run's accounts are judged on, across accounts.

    A shared VPC or transit gateway is judged on its owner's records: the owner's scan in
    this run once stored, else its latest complete scan no older than
    ``owner_scan_max_age_hours``, else nothing (paths through it are UNKNOWN). Owners' views
    are read from the store when first needed and kept; nobody else's records are held, so
    a run of a thousand accounts holds the few network accounts' records, not all of them.
    """

    def __init__(self, run_id: str, accounts: Iterable[str], settings: Settings) -> None:
        self.run_id = run_id
        self.accounts = frozenset(accounts)
        self.newer_than = _now() - timedelta(hours=settings.owner_scan_max_age_hours)
        self._network: dict[str, Inventory | None] = {}
        # A one-account run keeps its findings rows for the outputs (ScanSummary); a run of
        # many accounts does not hold every account's findings at once.
        self.keep_findings = len(self.accounts) == 1

    def peers(
        self, session: Session, inventory: Inventory, *, final: bool
    ) -> list[Inventory] | None:
        """The views of the accounts owning what ``inventory`` names, and of their owners in
        turn (a TGW's egress VPC in a third account); None while an owner of this run has
        not stored its records yet, unless ``final`` (every account of the run is done)."""
        peers: list[Inventory] = []
        seen, todo = {inventory.account_id}, sorted(inventory.unscanned_owners)
        while todo:
            owner = todo.pop(0)
            if owner in seen:
                continue
            seen.add(owner)
            peer = self._network_of(session, owner, final=final)
            if peer is PENDING:
                return None
            if isinstance(peer, Inventory):
                peers.append(peer)
                todo.extend(sorted(peer.unscanned_owners))
        return peers

    def _network_of(
        self, session: Session, owner: str, *, final: bool
    ) -> Inventory | _Pending | None:
        if owner in self._network:
            return self._network[owner]
        found: Inventory | None = None
        scan = reads.run_scan(session, self.run_id, owner) if owner in self.accounts else None
        if scan is not None and reads.has_outcomes(session, scan.id):
            found = reads.load_network_inventory(session, scan)
        elif (
            owner in self.accounts
            and not final
            and (scan is None or scan.status == ScanStatus.RUNNING)
        ):
            return PENDING
        else:  # not in the run, or its scan failed before storing anything
            stand_in = reads.latest_complete_scans(session, [owner], newer_than=self.newer_than)
            if owner in stand_in:
                found = reads.load_network_inventory(session, stand_in[owner])
        self._network[owner] = found
        return found


async def scan_accounts(
    settings: Settings,
    account_ids: Sequence[str],
    regions: Sequence[str] | None = None,
    *,
    store: Store,
    trigger: str = "cli",
    progress: ProgressCallback | None = None,
    max_parallel_accounts: int = 4,
    workers: int | None = None,
) -> list[ScanSummary]:
    """Scan every account as one run, a few at a time; one account failing never stops the
    others. Each account is stored, then evaluated as soon as every account of the run
    owning VPCs or transit gateways it uses has stored its records (shared VPCs are judged
    with their owner's records); then its records are released.

    ``workers`` > 1 scans in that many processes (``auditor.scan_pool``), each with its own
    event loop and ``max_parallel_accounts / workers`` accounts at a time; default
    ``settings.scan_workers`` (see ``scan_pool.worker_count``)."""
    from auditor import scan_pool

    if regions:
        validate_regions(regions)
    with store.session() as session:
        for scan_id in repository.fail_abandoned_scans(
            session, _now(), owner_is_gone=processes.is_gone
        ):
            log.warning("marked abandoned scan %s as failed", scan_id)
    run_id = str(uuid.uuid4())
    count = scan_pool.worker_count(workers or settings.scan_workers, len(account_ids))
    heartbeat = asyncio.create_task(_heartbeat(store, run_id))
    try:
        if count > 1:
            gathered = await scan_pool.scan_in_workers(
                settings,
                account_ids,
                regions,
                store=store,
                trigger=trigger,
                progress=progress,
                run_id=run_id,
                workers=count,
                max_parallel_accounts=max_parallel_accounts,
            )
        else:
            gathered = await scan_run_here(
                settings,
                account_ids,
                regions,
                store=store,
                trigger=trigger,
                progress=progress,
                run_id=run_id,
                run_accounts=account_ids,
                max_parallel_accounts=max_parallel_accounts,
            )
        deferred = [g for g in gathered if isinstance(g, DeferredScan)]
        view = RunView(run_id, account_ids, settings)
        evaluated = await asyncio.to_thread(evaluate_deferred, store, settings, view, deferred)
    except (asyncio.CancelledError, KeyboardInterrupt):
        await asyncio.shield(
            asyncio.to_thread(fail_unfinished_run, store, run_id, "interrupted before it finished")
        )
        raise
    except Exception as exc:
        # One account's store failing stops the run: the others' scans, stored and waiting
        # or still collecting, must not stay running until the next start notices.
        reason = f"the run stopped: {exc}".splitlines()[0][:500]
        with suppress(Exception):
            await asyncio.to_thread(fail_unfinished_run, store, run_id, reason)
        raise
    finally:
        heartbeat.cancel()
        with suppress(asyncio.CancelledError):
            await heartbeat
    by_scan = {o.scan_id: o for o in evaluated}
    return [by_scan[g.scan_id] if isinstance(g, DeferredScan) else g for g in gathered]


async def scan_run_here(
    settings: Settings,
    account_ids: Sequence[str],
    regions: Sequence[str] | None,
    *,
    store: Store,
    trigger: str,
    progress: ProgressCallback | None,
    run_id: str,
    run_accounts: Iterable[str],
    max_parallel_accounts: int,
    next_account: Callable[[], Awaitable[str | None]] | None = None,
) -> list[ScanSummary | DeferredScan]:
    """Scan accounts in this process and event loop, ``max_parallel_accounts`` at a time:
    ``account_ids``, or when ``next_account`` is given, the accounts it hands out until it
    returns None (a worker process of a pool). The run is ``run_accounts``."""
    caller = Caller(settings)
    view = RunView(run_id, run_accounts, settings)

    async def one(account_id: str) -> ScanSummary | DeferredScan:
        stored = await collect_and_store(
            settings,
            account_id,
            regions,
            store=store,
            trigger=trigger,
            progress=progress,
            run_id=run_id,
            caller=caller,
        )
        if isinstance(stored, ScanSummary):
            return stored
        return await asyncio.to_thread(evaluate_when_ready, store, settings, view, stored)

    if next_account is None:
        bound = asyncio.Semaphore(max_parallel_accounts)

        async def bounded(account_id: str) -> ScanSummary | DeferredScan:
            async with bound:
                return await one(account_id)

        async with shared_connections():
            return list(await asyncio.gather(*(bounded(a) for a in account_ids)))

    async def consume() -> list[ScanSummary | DeferredScan]:
        done = []
        while (account_id := await next_account()) is not None:
            done.append(await one(account_id))
        return done

    async with shared_connections():
        lanes = await asyncio.gather(*(consume() for _ in range(max_parallel_accounts)))
    return [outcome for lane in lanes for outcome in lane]


async def collect_and_store(
    settings: Settings,
    account_id: str,
    regions: Sequence[str] | None,
    *,
    store: Store,
    trigger: str,
    progress: ProgressCallback | None,
    run_id: str | None = None,
    caller: Caller | None = None,
) -> ScanSummary | StoredScan:
    """Collect one account and store its records; the scan stays running until
    :func:`evaluate_run` judges it. A failure to reach the account is a failed scan."""
    started = _now()
    scan = repository.new_scan(
        account_id, regions or settings.regions, trigger=trigger, run_id=run_id, now=started
    )
    with store.session() as session:
        repository.add_scan(session, scan)
    # The check catalogue (a hundred modules) loads while the account answers: imported when
    # evaluation first asks, it was 0.2 s of bench_scan's time after the last AWS answer.
    catalogue = asyncio.ensure_future(asyncio.to_thread(all_checks))
    catalogue.add_done_callback(_retrieved)
    try:
        account = await open_account(account_id, settings, caller=caller)
        chosen = list(regions or settings.regions) or await enabled_regions(account)
        collected = await collect_account(
            account, chosen, concurrency=settings.concurrency, on_progress=progress
        )
        await catalogue
        # The scan's count includes reaching the account (STS) and listing its regions.
        collected.api_calls = Counter(account.calls)
        collected.throttles = Counter(account.calls.throttles)
        collected.retries = Counter(account.calls.retries)
    except AccountAccessError as exc:
        failed = await asyncio.to_thread(_record_failure, store, scan.id, str(exc))
        failed.unreachable = True
        failed.setup_problem = exc.setup_problem
        return failed
    except (asyncio.CancelledError, KeyboardInterrupt):
        await asyncio.shield(
            asyncio.to_thread(_record_failure, store, scan.id, "interrupted before it finished")
        )
        raise
    return await asyncio.to_thread(store_collected, store, scan.id, collected)


def _retrieved(task: asyncio.Future[Any]) -> None:
    """Marks a background task's exception as seen: the collection's own error is the one
    to report, and a catalogue that fails to import fails again when evaluation imports it."""
    if not task.cancelled():
        task.exception()


async def _heartbeat(store: Store, run_id: str) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY.total_seconds())
        await asyncio.to_thread(_beat, store, run_id)


def _beat(store: Store, run_id: str) -> None:
    with store.session() as session:
        repository.heartbeat_run(session, run_id, _now())


def _record_failure(store: Store, scan_id: str, error: str) -> ScanSummary:
    with store.session() as session:
        scan = reads.scan_by_id(session, scan_id)
        repository.fail_scan(scan, error, _now())
        return ScanSummary(
            scan_id=scan.id,
            account_id=scan.account_id,
            status=ScanStatus.FAILED,
            regions=list(scan.regions),
            error=error,
            run_id=scan.run_id,
            started_at=scan.started_at,
            finished_at=scan.finished_at,
        )


def fail_unfinished_run(store: Store, run_id: str, error: str) -> list[str]:
    """Mark every scan of the run still running as failed; their IDs."""
    with store.session() as session:
        running = [
            scan.id
            for scan in reads.scans_of_run(session, run_id)
            if scan.status == ScanStatus.RUNNING
        ]
    for scan_id in running:
        with suppress(Exception):
            _record_failure(store, scan_id, error)
    return running


def store_collected(store: Store, scan_id: str, collected: Collected) -> StoredScan:
    """Write the records, outcomes and call counts of one account in one transaction; if it
    fails it rolls back and the scan is marked failed (and the error re-raised)."""
    try:
        with store.session() as session:
            scan = reads.scan_by_id(session, scan_id)
            outcomes = list(collected.outcomes)
            repository.save_collection(session, scan, collected)
    except Exception as exc:
        # Re-raised for the caller to report (one line in the CLI, a logged job error in
        # serve). If the database itself is gone this fails too, and the scan stays
        # `running` until the next start marks it failed (its process is dead by then).
        with suppress(Exception):
            _record_failure(store, scan_id, f"could not store the scan: {exc}".splitlines()[0])
        raise
    return StoredScan(scan_id=scan_id, collected=collected, outcomes=outcomes)


def evaluate_when_ready(
    store: Store, settings: Settings, view: RunView, item: StoredScan
) -> ScanSummary | DeferredScan:
    """Evaluate a stored account and finish its scan, unless an owner account of the run
    has not stored its records yet: then it waits (deferred), its records in the store."""
    with store.session() as session:
        scan = reads.scan_by_id(session, item.scan_id)
        peers = view.peers(session, _plain_inventory(scan, item), final=False)
    if peers is None:
        return DeferredScan(scan_id=item.scan_id, account_id=scan.account_id)
    return _evaluate_and_finish(store, item, settings, peers, keep=view.keep_findings)


def evaluate_deferred(
    store: Store, settings: Settings, view: RunView, deferred: Sequence[DeferredScan]
) -> list[ScanSummary]:
    """Evaluate the deferred scans of a run once every account of it is done, one at a
    time, each read back from the store."""
    outcomes = []
    for waiting in deferred:
        with store.session() as session:
            scan = reads.scan_by_id(session, waiting.scan_id)
            stored = StoredScan(
                scan_id=scan.id,
                collected=Collected(
                    account_id=scan.account_id,
                    regions=list(scan.regions),
                    records=reads.load_records(session, scan.id),
                ),
                outcomes=reads.outcomes_of(session, scan.id),
            )
            peers = view.peers(session, _plain_inventory(scan, stored), final=True)
        assert peers is not None  # final: nothing is pending any more
        outcomes.append(
            _evaluate_and_finish(store, stored, settings, peers, keep=view.keep_findings)
        )
    return outcomes


def evaluate_run(
    store: Store, settings: Settings, stored: Sequence[StoredScan]
) -> list[ScanSummary]:
    """Evaluate stored accounts of one run, all of them stored: each on the run's network
    records (see RunView)."""
    if not stored:
        return []
    with store.session() as session:
        run_id = reads.scan_by_id(session, stored[0].scan_id).run_id
        accounts = [scan.account_id for scan in reads.scans_of_run(session, run_id or "")]
    view = RunView(run_id or "", accounts, settings)
    outcomes = []
    for item in stored:
        with store.session() as session:
            scan = reads.scan_by_id(session, item.scan_id)
            peers = view.peers(session, _plain_inventory(scan, item), final=True)
        assert peers is not None
        outcomes.append(_evaluate_and_finish(store, item, settings, peers))
    return outcomes


def _plain_inventory(scan: Scan, item: StoredScan) -> Inventory:
    """One account's records alone: whose VPCs and transit gateways it names."""
    tables: dict[str, Any] = {
        RECORD_FIELDS[table]: rows
        for table, rows in reads.records_by_table(item.collected.records).items()
    }
    return Inventory(scan=scan, outcomes=item.outcomes, **tables)


def _evaluate_and_finish(
    store: Store,
    item: StoredScan,
    settings: Settings,
    peers: Sequence[Inventory],
    *,
    keep: bool = False,
) -> ScanSummary:
    """Evaluate every check and finish the scan in one transaction; if it fails, the scan
    is marked failed in a transaction of its own and the error re-raised. ``keep`` leaves
    the findings rows written in the summary (``stored_findings``)."""
    try:
        with store.session() as session:
            summary = _write_findings(session, item, settings, peers)
        if not keep:
            summary.stored_findings = None
        return summary
    except Exception as exc:
        with suppress(Exception):
            _record_failure(store, item.scan_id, f"could not store the scan: {exc}".splitlines()[0])
        raise


def _write_findings(
    session: Session, item: StoredScan, settings: Settings, peers: Sequence[Inventory]
) -> ScanSummary:
    scan = reads.scan_by_id(session, item.scan_id)
    collected, outcomes = item.collected, item.outcomes
    # Evaluated from the records written, without reading them back.
    inventory = reads.inventory_of_records(session, scan, outcomes, collected.records, peers=peers)
    results, expired = _apply_muting(evaluate_all(inventory), inventory, settings)
    first_seen = reads.first_seen_by_key(session, scan)
    findings = [_finding(scan, result, first_seen) for result in results]
    repository.save_findings(session, findings)

    status = scan_status(outcomes)
    error = None
    if status == ScanStatus.FAILED:
        error = (
            "no collector succeeded: "
            + "; ".join(
                sorted({o.error or o.status for o in outcomes if OutcomeStatus(o.status).failed})
            )[:2000]
        )
    repository.finish_scan(scan, status, _now(), error)
    return ScanSummary(
        scan_id=scan.id,
        account_id=scan.account_id,
        status=ScanStatus(scan.status),
        regions=list(scan.regions),
        error=scan.error,
        api_calls=scan.api_calls,
        run_id=scan.run_id,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        resources=Counter(RECORD_FIELDS[type(r)] for r in collected.records),
        findings=Counter((f["severity"], f["status"]) for f in findings),
        collection_errors=[o for o in outcomes if OutcomeStatus(o.status).failed],
        expired_rules=expired,
        unscanned_owners=dict(inventory.unscanned_owners),
        stored_findings=findings,
    )


def _apply_muting(
    results: list[Result], inventory: Inventory, settings: Settings
) -> tuple[list[Result], list[str]]:
    if not settings.suppressions_file:
        return results, []
    rules = muting.load_rules(Path(settings.suppressions_file))
    return muting.apply(
        results, rules, today=_now().date(), tags_of=muting.tags_from_inventory(inventory)
    )


def stored_evidence(result: Result) -> dict[str, Any]:
    """The evidence a finding keeps: PASS compact, FAIL, UNKNOWN and MUTED complete."""
    if result.status != Status.PASS:
        return result.evidence
    compact = compact_pass_evidence(result.evidence)
    assert isinstance(compact, dict)
    return compact


def compact_pass_evidence(value: Any) -> Any:
    """Keep the decisive hops of a PASS: of the alternative paths to a reachable
    destination, only the one it goes by (``via``); the others are counted in
    ``paths_omitted``. Everything else is kept as it is (docs/output.md)."""
    if isinstance(value, list):
        return [compact_pass_evidence(item) for item in value]
    if not isinstance(value, dict):
        return value
    compact = {key: compact_pass_evidence(item) for key, item in value.items()}
    paths, via = compact.get("paths"), compact.get("via")
    if compact.get("reachable") is True and via is not None and isinstance(paths, list):
        kept = [path for path in paths if isinstance(path, dict) and path.get("path") == via]
        if kept and len(kept) < len(paths):
            compact["paths"] = kept
            compact["paths_omitted"] = len(paths) - len(kept)
    return compact


def _finding(
    scan: Scan,
    result: Result,
    first_seen: dict[tuple[str, str, str, str], datetime | None],
) -> dict[str, Any]:
    """The findings row of one result, as column values for a bulk insert."""
    seen = None
    if result.status in (Status.FAIL, Status.MUTED):
        key = (result.check_id, result.account_id, result.region, result.resource_id)
        seen = first_seen.get(key) or scan.started_at
    cause = result.root_cause
    return {
        "scan_id": scan.id,
        "check_id": result.check_id,
        "status": result.status.value,
        "severity": result.severity.value,
        "account_id": result.account_id,
        "region": result.region,
        "resource_type": result.resource_type.value,
        "resource_id": result.resource_id,
        "resource_name": result.resource_name,
        "message": result.message,
        "evidence": stored_evidence(result),
        "first_seen": seen,
        "root_cause_kind": cause.kind if cause else None,
        "root_cause_id": cause.resource_id if cause else None,
        "root_cause_detail": cause.detail if cause else None,
    }


def prune(store: Store, settings: Settings) -> int:
    """Drop resource rows of scans older than the retention period; findings are kept."""
    cutoff = _now() - timedelta(days=settings.retention_days)
    with store.session() as session:
        return len(repository.prune(session, cutoff))
