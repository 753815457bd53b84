"""Every read of the store: scans, their outcomes, findings and inventories, deliveries.

The one read-side module: commands, reports, notifiers and the engine ask here and never
build a query themselves; every write (insert, delete, bulk update) is in
``auditor.store.repository``. Rows read here are ORM objects of the caller's session, so the
engine finishing a scan sets its attributes and the session's commit writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import manager_of_class

from auditor import json_codec
from auditor.inventory import PEER_FIELDS, RECORD_FIELDS, Inventory
from auditor.store.notifications import NotificationDelivery
from auditor.store.resources import ResourceMixin
from auditor.store.scans import (
    ApiCallCount,
    CollectionOutcome,
    Finding,
    OutcomeStatus,
    Scan,
    ScanStatus,
)
from collectors.registry import RESOURCE_TABLES

# Scans that ended, however they ended.
FINISHED = (ScanStatus.COMPLETE, ScanStatus.PARTIAL, ScanStatus.FAILED)


# ------------------------------------------------------------------------------ scans


def get_scan(session: Session, scan_id: str) -> Scan | None:
    return session.get(Scan, scan_id)


def scan_by_id(session: Session, scan_id: str) -> Scan:
    """The scan with this ID, which must exist (sqlalchemy's NoResultFound if not)."""
    return session.get_one(Scan, scan_id)


def latest_scans(
    session: Session, account_ids: Sequence[str] | None = None, *, finished_only: bool = True
) -> list[Scan]:
    """The newest scan of each account (of the given accounts, or of every account)."""
    query = select(Scan).order_by(Scan.started_at.desc())
    if finished_only:
        query = query.where(Scan.status.in_(FINISHED))
    if account_ids:
        query = query.where(Scan.account_id.in_(account_ids))
    newest: dict[str, Scan] = {}
    for scan in session.scalars(query):
        newest.setdefault(scan.account_id, scan)
    return sorted(newest.values(), key=lambda s: s.account_id)


def run_ids_starting(session: Session, prefix: str, limit: int = 3) -> list[str]:
    """Run IDs equal to or starting with ``prefix`` (at most ``limit``)."""
    query = (
        select(Scan.run_id)
        .where(Scan.run_id.is_not(None), Scan.run_id.startswith(prefix))
        .distinct()
        .limit(limit)
    )
    return [run_id for run_id in session.scalars(query) if run_id is not None]


def latest_finished_run(session: Session, accounts: Sequence[str] = ()) -> str | None:
    """The run of the newest scan (of ``accounts``, when named) whose run has finished: no
    scan of it is still running."""
    running = select(Scan.run_id).where(Scan.status == ScanStatus.RUNNING, Scan.run_id.is_not(None))
    query = (
        select(Scan.run_id)
        .where(Scan.run_id.is_not(None), Scan.run_id.not_in(running))
        .order_by(Scan.started_at.desc())
        .limit(1)
    )
    if accounts:
        query = query.where(Scan.account_id.in_(list(accounts)))
    return session.scalars(query).first()


def scans_of_run(session: Session, run_id: str) -> list[Scan]:
    """The scans one invocation made, one per account, in account order."""
    return list(
        session.scalars(select(Scan).where(Scan.run_id == run_id).order_by(Scan.account_id))
    )


def run_scan(session: Session, run_id: str, account_id: str) -> Scan | None:
    """The scan of ``account_id`` in run ``run_id``, if it has started."""
    return session.scalars(
        select(Scan).where(Scan.run_id == run_id, Scan.account_id == account_id)
    ).first()


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


def scans_with_id_prefix(session: Session, prefix: str, limit: int) -> list[Scan]:
    """At most ``limit`` scans whose ID starts with ``prefix``."""
    return list(session.scalars(select(Scan).where(Scan.id.startswith(prefix)).limit(limit)))


def newest_finished_scans(session: Session, accounts: Sequence[str]) -> dict[str, Scan]:
    """account → its newest finished scan (of these accounts, or of every account)."""
    query = select(Scan).where(Scan.status.in_(FINISHED)).order_by(Scan.started_at.desc())
    if accounts:
        query = query.where(Scan.account_id.in_(list(accounts)))
    newest: dict[str, Scan] = {}
    for candidate in session.scalars(query):
        newest.setdefault(candidate.account_id, candidate)
    return newest


def scans_since(session: Session, since: datetime | None, accounts: Sequence[str]) -> list[Scan]:
    """Finished scans started after ``since`` (all of them when ``since`` is None), oldest first."""
    query = select(Scan).where(Scan.status.in_(FINISHED)).order_by(Scan.started_at)
    if since is not None:
        query = query.where(Scan.started_at > since)
    if accounts:
        query = query.where(Scan.account_id.in_(list(accounts)))
    return list(session.scalars(query))


@dataclass(frozen=True, kw_only=True)
class CauseRow:
    """One open (FAIL or UNKNOWN) finding of a scan, reduced to what its root cause needs."""

    scan_id: str
    region: str
    check_id: str
    status: str
    severity: str
    root_cause_kind: str | None
    root_cause_id: str | None
    root_cause_detail: str | None


def accounts(session: Session) -> list[str]:
    return list(session.scalars(select(Scan.account_id).distinct().order_by(Scan.account_id)))


def finished_scans(session: Session, account_id: str, limit: int) -> list[Scan]:
    """The newest ``limit`` finished scans of an account, oldest first."""
    query = (
        select(Scan)
        .where(Scan.account_id == account_id, Scan.status.in_(FINISHED))
        .order_by(Scan.started_at.desc())
        .limit(limit)
    )
    return sorted(session.scalars(query), key=lambda scan: scan.started_at)


def fail_counts(session: Session, scan_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """scan ID → severity → number of FAIL findings."""
    if not scan_ids:
        return {}
    rows = session.execute(
        select(Finding.scan_id, Finding.severity, func.count())
        .where(Finding.scan_id.in_(list(scan_ids)), Finding.status == "FAIL")
        .group_by(Finding.scan_id, Finding.severity)
    )
    counts: dict[str, dict[str, int]] = {}
    for scan_id, severity, count in rows:
        counts.setdefault(scan_id, {})[severity] = count
    return counts


def open_finding_causes(session: Session, scan_ids: Sequence[str]) -> list[CauseRow]:
    """Every FAIL and UNKNOWN finding of these scans, with its stored root cause."""
    if not scan_ids:
        return []
    rows = session.execute(
        select(
            Finding.scan_id,
            Finding.region,
            Finding.check_id,
            Finding.status,
            Finding.severity,
            Finding.root_cause_kind,
            Finding.root_cause_id,
            Finding.root_cause_detail,
        ).where(Finding.scan_id.in_(list(scan_ids)), Finding.status.in_(("FAIL", "UNKNOWN")))
    )
    return [
        CauseRow(
            scan_id=r[0],
            region=r[1],
            check_id=r[2],
            status=r[3],
            severity=r[4],
            root_cause_kind=r[5],
            root_cause_id=r[6],
            root_cause_detail=r[7],
        )
        for r in rows
    ]


# --------------------------------------------------------------------- findings, outcomes


def outcomes_of(session: Session, scan_id: str) -> list[CollectionOutcome]:
    return list(
        session.scalars(
            select(CollectionOutcome)
            .where(CollectionOutcome.scan_id == scan_id)
            .order_by(CollectionOutcome.region, CollectionOutcome.collector)
        )
    )


def has_outcomes(session: Session, scan_id: str) -> bool:
    """True once the scan's records are stored (outcomes and records share a transaction)."""
    query = select(CollectionOutcome.id).where(CollectionOutcome.scan_id == scan_id).limit(1)
    return session.scalar(query) is not None


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


def findings_as_stored(rows: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """The findings a scan just inserted (``repository.save_findings``'s rows), as the store
    holds them, without reading them back from SQLite: in insertion order, which is the
    order of their row IDs (left unset), and with the evidence as the JSON column decodes
    it. Evidence made only of dicts with string keys, lists, strings, numbers, booleans and
    None decodes to itself; any other (a tuple, an enum) goes through the column's own round
    trip (``json_codec.round_trip``). Not for PostgreSQL, whose JSONB reorders an
    object's keys. :func:`in_read_order` puts them in :func:`findings_of`'s order; tests
    compare both ways."""
    new = manager_of_class(Finding).new_instance  # as a load makes them: no __init__ events
    findings = []
    for row in rows:
        evidence = row["evidence"]
        finding = new()
        vars(finding).update(
            row, evidence=evidence if _json_native(evidence) else json_codec.round_trip(evidence)
        )
        findings.append(finding)
    return findings


_JSON_LEAVES = frozenset((str, int, float, bool, type(None)))


def _json_native(value: object) -> bool:
    """Whether ``value`` comes back from a JSON round trip as it is (exact types only: a
    str enum or a tuple would come back as a plain str or a list)."""
    kind = type(value)
    if kind is dict:
        assert isinstance(value, dict)
        return all(type(key) is str for key in value) and all(
            type(item) in _JSON_LEAVES or _json_native(item) for item in value.values()
        )
    if kind is list:
        assert isinstance(value, list)
        return all(type(item) in _JSON_LEAVES or _json_native(item) for item in value)
    return kind in _JSON_LEAVES


def in_read_order(inserted: Sequence[Finding]) -> list[Finding]:
    """Findings in insertion order sorted as :func:`findings_of` reads them: by account,
    region, check and resource, then row ID (sorted() is stable: insertion order)."""
    return sorted(inserted, key=lambda f: (f.account_id, f.region, f.check_id, f.resource_id))


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


def collection_errors_of(session: Session, scan_ids: Sequence[str]) -> list[CollectionOutcome]:
    """The outcomes of these scans that failed (neither ok nor not needed), by account,
    region and collector."""
    query = (
        select(CollectionOutcome)
        .where(
            CollectionOutcome.scan_id.in_(list(scan_ids)),
            CollectionOutcome.status.not_in([OutcomeStatus.OK, OutcomeStatus.NOT_NEEDED]),
        )
        .order_by(
            CollectionOutcome.account_id, CollectionOutcome.region, CollectionOutcome.collector
        )
    )
    return list(session.scalars(query))


# ------------------------------------------------------------------------- inventories


def records_by_table(
    records: Iterable[ResourceMixin],
) -> dict[type[ResourceMixin], list[ResourceMixin]]:
    grouped: dict[type[ResourceMixin], list[ResourceMixin]] = defaultdict(list)
    for record in records:
        grouped[type(record)].append(record)
    return grouped


def load_records(session: Session, scan_id: str) -> list[ResourceMixin]:
    """Every resource record of a scan, table by table."""
    return [
        record
        for table in RESOURCE_TABLES
        for record in session.scalars(select(table).where(table.scan_id == scan_id))
    ]


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


# ------------------------------------------------------------------------- deliveries


def last_delivery(session: Session, channel: str) -> NotificationDelivery | None:
    query = (
        select(NotificationDelivery)
        .where(NotificationDelivery.channel == channel)
        .order_by(NotificationDelivery.sent_at.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def delivered_scan_ids(session: Session, channel: str) -> set[str]:
    """Every scan already part of a recorded delivery on ``channel``."""
    query = select(NotificationDelivery.scan_ids).where(NotificationDelivery.channel == channel)
    return {scan_id for scan_ids in session.scalars(query) for scan_id in scan_ids}


# ------------------------------------------------------------------ listings and figures


def newest_scans(
    session: Session, accounts: Sequence[str], limit: int | None, run_id: str | None = None
) -> list[Scan]:
    """The newest ``limit`` scans (all when None), any status (of these accounts, or of
    every account; of run ``run_id`` only, when given)."""
    query = select(Scan).order_by(Scan.started_at.desc(), Scan.account_id).limit(limit)
    if accounts:
        query = query.where(Scan.account_id.in_(list(accounts)))
    if run_id is not None:
        query = query.where(Scan.run_id == run_id)
    return list(session.scalars(query))


def scans_of_account(session: Session, account_id: str) -> list[Scan]:
    return list(session.scalars(select(Scan).where(Scan.account_id == account_id)))


def scan_counts_by_status(session: Session) -> dict[str, int]:
    """Scan status → number of scans in the store."""
    rows = session.execute(select(Scan.status, func.count()).group_by(Scan.status))
    return {str(status): int(count) for status, count in rows}


def finding_counts(session: Session, scan_ids: Sequence[str]) -> list[tuple[str, str, str, int]]:
    """(scan ID, severity, status, number of findings) of these scans."""
    if not scan_ids:
        return []
    rows = session.execute(
        select(Finding.scan_id, Finding.severity, Finding.status, func.count())
        .where(Finding.scan_id.in_(list(scan_ids)))
        .group_by(Finding.scan_id, Finding.severity, Finding.status)
    )
    return [(scan_id, severity, status, int(count)) for scan_id, severity, status, count in rows]


@dataclass(frozen=True, kw_only=True)
class CallCounts:
    """A scan's requests to one operation (all its regions), and the retry layer's view."""

    scan_id: str
    service: str
    operation: str
    requests: int
    throttles: int
    retries: int


def call_counts(session: Session, scan_ids: Sequence[str]) -> list[CallCounts]:
    """Requests, throttles and retries of these scans by service and operation."""
    if not scan_ids:
        return []
    rows = session.execute(
        select(
            ApiCallCount.scan_id,
            ApiCallCount.service,
            ApiCallCount.operation,
            func.sum(ApiCallCount.count),
            func.sum(ApiCallCount.throttles),
            func.sum(ApiCallCount.retries),
        )
        .where(ApiCallCount.scan_id.in_(list(scan_ids)))
        .group_by(ApiCallCount.scan_id, ApiCallCount.service, ApiCallCount.operation)
    )
    return [
        CallCounts(
            scan_id=r[0],
            service=r[1],
            operation=r[2],
            requests=int(r[3]),
            throttles=int(r[4] or 0),
            retries=int(r[5] or 0),
        )
        for r in rows
    ]


def last_complete_finish(session: Session) -> dict[str, datetime | None]:
    """account → when its newest complete scan finished."""
    rows = session.execute(
        select(Scan.account_id, func.max(Scan.finished_at))
        .where(Scan.status == ScanStatus.COMPLETE)
        .group_by(Scan.account_id)
    )
    return {str(account_id): finished for account_id, finished in rows}


def finding_values(
    session: Session, scan_ids: Sequence[str], columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The named columns of every finding of these scans, in the order they were written
    (for listings that need a few columns of many findings, not whole rows)."""
    if not scan_ids:
        return []
    selected = [getattr(Finding, name) for name in columns]
    query = select(*selected).where(Finding.scan_id.in_(list(scan_ids))).order_by(Finding.id)
    return [tuple(row) for row in session.execute(query)]
