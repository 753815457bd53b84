"""Queries on scans, their inventory and their findings. Commands and checks never write SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, delete, insert, inspect, select, update
from sqlalchemy.orm import Session

from auditor.inventory import PEER_FIELDS, RECORD_FIELDS, Inventory
from auditor.store.resources import ResourceMixin
from auditor.store.scans import (
    ApiCallCount,
    CollectionOutcome,
    Finding,
    Scan,
    ScanStatus,
)
from collectors.registry import RESOURCE_TABLES

# A running scan that has not said it is alive for this long is taken as abandoned.
HEARTBEAT_TIMEOUT = timedelta(minutes=10)
FINISHED = (ScanStatus.COMPLETE, ScanStatus.PARTIAL)


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
            scan.status = ScanStatus.FAILED
            scan.error = "interrupted: the process running this scan stopped before it finished"
            scan.finished_at = scan.finished_at or now
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


def run_scan(session: Session, run_id: str, account_id: str) -> Scan | None:
    """The scan of ``account_id`` in run ``run_id``, if it has started."""
    return session.scalars(
        select(Scan).where(Scan.run_id == run_id, Scan.account_id == account_id)
    ).first()


def has_outcomes(session: Session, scan_id: str) -> bool:
    """True once the scan's records are stored (outcomes and records share a transaction)."""
    query = select(CollectionOutcome.id).where(CollectionOutcome.scan_id == scan_id).limit(1)
    return session.scalar(query) is not None


def load_records(session: Session, scan_id: str) -> list[ResourceMixin]:
    """Every resource record of a scan, table by table."""
    return [
        record
        for table in RESOURCE_TABLES
        for record in session.scalars(select(table).where(table.scan_id == scan_id))
    ]


def scans_of_run(session: Session, run_id: str) -> list[Scan]:
    """The scans one invocation made, one per account, in account order."""
    return list(
        session.scalars(select(Scan).where(Scan.run_id == run_id).order_by(Scan.account_id))
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


def records_by_table(
    records: Iterable[ResourceMixin],
) -> dict[type[ResourceMixin], list[ResourceMixin]]:
    grouped: dict[type[ResourceMixin], list[ResourceMixin]] = defaultdict(list)
    for record in records:
        grouped[type(record)].append(record)
    return grouped


def save_records(session: Session, scan_id: str, records: Iterable[ResourceMixin]) -> int:
    """Insert the records, one executemany per table; the record objects stay detached."""
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


def save_api_calls(session: Session, scan_id: str, counts: dict[tuple[str, str, str], int]) -> None:
    session.add_all(
        ApiCallCount(scan_id=scan_id, region=region, service=service, operation=op, count=n)
        for (region, service, op), n in sorted(counts.items())
    )


def get_scan(session: Session, scan_id: str) -> Scan | None:
    return session.get(Scan, scan_id)


def latest_scans(
    session: Session, account_ids: Sequence[str] | None = None, *, finished_only: bool = True
) -> list[Scan]:
    """The newest scan of each account (of the given accounts, or of every account)."""
    query = select(Scan).order_by(Scan.started_at.desc())
    if finished_only:
        query = query.where(Scan.status.in_([*FINISHED, ScanStatus.FAILED]))
    if account_ids:
        query = query.where(Scan.account_id.in_(account_ids))
    newest: dict[str, Scan] = {}
    for scan in session.scalars(query):
        newest.setdefault(scan.account_id, scan)
    return sorted(newest.values(), key=lambda s: s.account_id)


def previous_scan(session: Session, scan: Scan) -> Scan | None:
    """The scan that ``scan`` is compared with: its baseline for every purpose.

    The previous scan of a scan is the newest scan of the same account that started before
    it, finished **complete**, and covered **the same set of regions**. ``first_seen``
    carries over from it, ``Inventory.previous`` (the history-based checks) is its
    inventory, and "new since the last scan" (report, JSON ``change``, Slack, email) is
    measured against it, so a FAIL is new exactly when its ``first_seen`` is this scan's
    start. A partial scan is never a baseline (what it did not collect would read as
    fixed, then as new again), nor is a scan of other regions (a region it did not cover
    would read as all new). See docs/reports.md#the-previous-scan.
    """
    return complete_scan_before(
        session,
        account_id=scan.account_id,
        regions=scan.regions,
        before=scan.started_at,
        exclude=scan.id,
    )


def complete_scan_before(
    session: Session,
    *,
    account_id: str,
    regions: Sequence[str],
    before: datetime,
    exclude: str | None = None,
) -> Scan | None:
    """The newest complete scan of ``account_id`` and exactly ``regions`` started before."""
    query = (
        select(Scan)
        .where(
            Scan.account_id == account_id,
            Scan.status == ScanStatus.COMPLETE,
            Scan.started_at < before,
        )
        .order_by(Scan.started_at.desc())
    )
    if exclude is not None:
        query = query.where(Scan.id != exclude)
    wanted = sorted(regions)
    # Regions are a JSON list, compared here rather than in SQL to stay portable.
    return next((c for c in session.scalars(query) if sorted(c.regions) == wanted), None)


def outcomes_of(session: Session, scan_id: str) -> list[CollectionOutcome]:
    return list(
        session.scalars(
            select(CollectionOutcome)
            .where(CollectionOutcome.scan_id == scan_id)
            .order_by(CollectionOutcome.region, CollectionOutcome.collector)
        )
    )


def findings_of(session: Session, scan_ids: Sequence[str]) -> list[Finding]:
    """The findings of the given scans, by account, region, check and resource (then row)."""
    if not scan_ids:
        return []
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.scan_id.in_(list(scan_ids)))
            .order_by(
                Finding.account_id,
                Finding.region,
                Finding.check_id,
                Finding.resource_id,
                Finding.id,
            )
        )
    )


def load_inventory(session: Session, scan: Scan, *, with_previous: bool = True) -> Inventory:
    """One scan's rows as an indexed read model, with its previous scan's inventory attached."""
    tables: dict[str, Any] = {
        RECORD_FIELDS[table]: list(session.scalars(select(table).where(table.scan_id == scan.id)))
        for table in RESOURCE_TABLES
    }
    previous = previous_inventory(session, scan) if with_previous else None
    return Inventory(
        scan=scan,
        outcomes=outcomes_of(session, scan.id),
        previous=previous,
        **tables,
    )


def latest_complete_scans(
    session: Session, account_ids: Iterable[str], *, newer_than: datetime
) -> dict[str, Scan]:
    """The newest complete scan of each account started after ``newer_than`` whose records
    are still stored: the stand-in for an owner account that is not in this run."""
    wanted = sorted(set(account_ids))
    if not wanted:
        return {}
    newest: dict[str, Scan] = {}
    for scan in session.scalars(
        select(Scan)
        .where(
            Scan.account_id.in_(wanted),
            Scan.status == ScanStatus.COMPLETE,
            Scan.started_at >= newer_than,
            Scan.inventory_pruned.is_(False),
        )
        .order_by(Scan.started_at.desc())
    ):
        newest.setdefault(scan.account_id, scan)
    return newest


def load_network_inventory(session: Session, scan: Scan) -> Inventory:
    """Only the network records of a scan (VPCs, subnets, route tables, gateways, flow
    logs, ...): what another account's paths through this account's VPCs need."""
    tables: dict[str, Any] = {
        name: list(session.scalars(select(table).where(table.scan_id == scan.id)))
        for table, name in RECORD_FIELDS.items()
        if name in PEER_FIELDS
    }
    return Inventory(scan=scan, outcomes=outcomes_of(session, scan.id), **tables)


def previous_inventory(session: Session, scan: Scan) -> Inventory | None:
    """The inventory of the previous scan (see previous_scan), unless pruned."""
    earlier = previous_scan(session, scan)
    if earlier is None or earlier.inventory_pruned:
        return None
    return load_inventory(session, earlier, with_previous=False)


def inventory_of_records(
    session: Session,
    scan: Scan,
    outcomes: Sequence[CollectionOutcome],
    records: Iterable[ResourceMixin],
    *,
    peers: Sequence[Inventory] = (),
) -> Inventory:
    """The read model of a scan just written, from the records in memory, not read back.

    ``records`` are exactly what ``save_records`` wrote for ``scan``; tests compare both
    ways of building the inventory, so the database stays the source of truth.
    """
    tables: dict[str, Any] = {
        RECORD_FIELDS[table]: rows for table, rows in records_by_table(records).items()
    }
    return Inventory(
        scan=scan,
        outcomes=sorted(outcomes, key=lambda o: (o.region, o.collector)),
        previous=previous_inventory(session, scan),
        peers=peers,
        **tables,
    )


def first_seen_by_key(
    session: Session, scan: Scan
) -> dict[tuple[str, str, str, str], datetime | None]:
    """For the previous scan: (check, account, region, resource) → first_seen of its FAILs."""
    earlier = previous_scan(session, scan)
    if earlier is None:
        return {}
    rows = session.execute(
        select(
            Finding.check_id,
            Finding.account_id,
            Finding.region,
            Finding.resource_id,
            Finding.first_seen,
        ).where(Finding.scan_id == earlier.id, Finding.status.in_(("FAIL", "MUTED")))
    )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


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
