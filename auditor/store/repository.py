"""Every write to the store: scans' records, outcomes, call counts, findings, deliveries,
heartbeats and retention. Reads are in ``auditor.store.reads``; nothing else writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, delete, insert, inspect, select, update
from sqlalchemy.orm import Session

from auditor import __version__, processes
from auditor.store.notifications import NotificationDelivery
from auditor.store.reads import records_by_table
from auditor.store.resources import ResourceMixin
from auditor.store.scans import (
    ApiCallCount,
    CollectionOutcome,
    Finding,
    Scan,
    ScanStatus,
)
from collectors.registry import RESOURCE_TABLES
from collectors.results import Collected

# A running scan that has not said it is alive for this long is taken as abandoned.
HEARTBEAT_TIMEOUT = timedelta(minutes=10)


def fail_scan(scan: Scan, error: str, now: datetime) -> None:
    """Mark a scan of the caller's session failed (written when the session commits)."""
    scan.status = ScanStatus.FAILED
    scan.error = error
    scan.finished_at = now


def finish_scan(scan: Scan, status: ScanStatus, now: datetime, error: str | None = None) -> None:
    """Record how an evaluated scan ended (written when the session commits)."""
    scan.status = status
    scan.finished_at = now
    if error is not None:
        scan.error = error


def fail_abandoned_scans(
    session: Session, now: datetime, *, owner_is_gone: Callable[[str | None], bool]
) -> list[str]:
    """Mark as failed the running scans whose process died or stopped sending heartbeats.

    ``owner_is_gone`` tells whether a scan's ``owner`` process has ended
    (``auditor.processes.is_gone``); the store itself never probes processes.
    """
    abandoned = []
    for scan in session.scalars(select(Scan).where(Scan.status == ScanStatus.RUNNING)):
        stale = scan.heartbeat_at is None or now - scan.heartbeat_at > HEARTBEAT_TIMEOUT
        if stale or owner_is_gone(scan.owner):
            fail_scan(
                scan,
                "interrupted: the process running this scan stopped before it finished",
                scan.finished_at or now,
            )
            abandoned.append(scan.id)
    return abandoned


def heartbeat(session: Session, scan_id: str, now: datetime) -> None:
    session.execute(update(Scan).where(Scan.id == scan_id).values(heartbeat_at=now))


def heartbeat_run(session: Session, run_id: str, now: datetime) -> None:
    """Say that every still-running scan of a run is alive."""
    session.execute(
        update(Scan)
        .where(Scan.run_id == run_id, Scan.status == ScanStatus.RUNNING)
        .values(heartbeat_at=now)
    )


@cache
def _columns(table: type[ResourceMixin]) -> tuple[Table, tuple[tuple[str, str], ...]]:
    """The table of a resource class and its (attribute, column) pairs, the key excepted."""
    mapper = inspect(table)
    pairs = tuple(
        (attribute.key, attribute.columns[0].key)
        for attribute in mapper.column_attrs
        if attribute.key != "id"
    )
    return cast(Table, mapper.local_table), pairs


def save_records(session: Session, scan_id: str, records: Iterable[ResourceMixin]) -> int:
    """Insert the records, one executemany per table; the record objects stay detached."""
    # The bulk inserts bypass the unit of work: what the session holds goes first.
    session.flush()
    count = 0
    for table, rows in records_by_table(records).items():
        target, pairs = _columns(table)
        values = []
        for record in rows:
            record.scan_id = scan_id
            # Values the constructor set are in the instance dict; reading them there skips
            # the ORM's instrumented attribute. Defaulted ones are not: ask the attribute.
            state = vars(record)
            values.append(
                {
                    column: state[attribute] if attribute in state else getattr(record, attribute)
                    for attribute, column in pairs
                }
            )
        session.execute(insert(target), values)
        count += len(values)
    return count


def new_scan(
    account_id: str, regions: Sequence[str], *, trigger: str, run_id: str | None, now: datetime
) -> Scan:
    """A running scan of ``account_id`` started ``now`` by this process and version
    (add it with :func:`add_scan`)."""
    return Scan(
        id=str(uuid.uuid4()),
        account_id=account_id,
        regions=list(regions),
        started_at=now,
        trigger=trigger,
        auditor_version=__version__,
        owner=processes.this_process(),
        heartbeat_at=now,
        run_id=run_id,
    )


def add_scan(session: Session, scan: Scan) -> None:
    """A new scan row (it is written when the session commits)."""
    session.add(scan)


def delete_scans(session: Session, scan_ids: Sequence[str]) -> None:
    """Delete scans with everything that belongs to them (the foreign keys cascade)."""
    if scan_ids:
        session.execute(delete(Scan).where(Scan.id.in_(list(scan_ids))))


def save_collection(session: Session, scan: Scan, collected: Collected) -> None:
    """One account's collection: the regions and call total on its scan, then its outcomes,
    call counts and records."""
    scan.regions = list(collected.regions)
    save_outcomes(session, scan.id, collected.outcomes)
    save_api_calls(
        session,
        scan.id,
        collected.api_calls,
        throttles=collected.throttles,
        retries=collected.retries,
    )
    scan.api_calls = collected.total_api_calls
    save_records(session, scan.id, collected.records)


def save_findings(session: Session, findings: Sequence[Mapping[str, Any]]) -> None:
    """Insert finding rows (column → value) in one executemany."""
    if findings:
        session.execute(insert(Finding.__table__), list(findings))  # type: ignore[arg-type]


def save_outcomes(session: Session, scan_id: str, outcomes: Iterable[CollectionOutcome]) -> None:
    """Insert a collection's outcomes in one executemany. Like the records, the objects stay
    detached (only their ``scan_id`` is set), so storing a collection never moves a row."""
    values = []
    for outcome in outcomes:
        outcome.scan_id = scan_id
        values.append({column: getattr(outcome, column) for column in _OUTCOME_COLUMNS})
    if values:
        session.execute(insert(CollectionOutcome), values)


_OUTCOME_COLUMNS = tuple(
    attribute.key for attribute in inspect(CollectionOutcome).column_attrs if attribute.key != "id"
)


def save_api_calls(
    session: Session,
    scan_id: str,
    counts: Mapping[tuple[str, str, str], int],
    *,
    throttles: Mapping[tuple[str, str, str], int] | None = None,
    retries: Mapping[tuple[str, str, str], int] | None = None,
) -> None:
    """One row per (region, service, operation) with its requests, throttles and retries."""
    throttled, retried = throttles or {}, retries or {}
    session.add_all(
        ApiCallCount(
            scan_id=scan_id,
            region=region,
            service=service,
            operation=op,
            count=n,
            throttles=throttled.get((region, service, op), 0),
            retries=retried.get((region, service, op), 0),
        )
        for (region, service, op), n in sorted(counts.items())
    )


def prune(session: Session, older_than: datetime) -> list[str]:
    """Delete the resource rows of scans started before ``older_than``; findings stay.

    The newest complete scan of every account keeps its inventory whatever its age, so the
    history-based checks always have a baseline.
    """
    newest_complete: dict[str, str] = {}
    for scan_id, account_id in session.execute(
        select(Scan.id, Scan.account_id)
        .where(Scan.status == ScanStatus.COMPLETE)
        .order_by(Scan.started_at.desc())
    ):
        newest_complete.setdefault(account_id, scan_id)
    keep = set(newest_complete.values())
    victims = [
        scan_id
        for scan_id in session.scalars(
            select(Scan.id).where(
                Scan.started_at < older_than,
                Scan.inventory_pruned.is_(False),
                Scan.status != ScanStatus.RUNNING,
            )
        )
        if scan_id not in keep
    ]
    if not victims:
        return []
    for table in RESOURCE_TABLES:
        session.execute(delete(table).where(table.scan_id.in_(victims)))
    session.execute(update(Scan).where(Scan.id.in_(victims)).values(inventory_pruned=True))
    return victims


def record_delivery(
    session: Session, *, channel: str, scans: Sequence[Scan], sent_at: datetime
) -> None:
    session.add(
        NotificationDelivery(channel=channel, sent_at=sent_at, scan_ids=[s.id for s in scans])
    )
