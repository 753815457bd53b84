"""Read-side queries of the served pages (history over time). Commands never write SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditor.store.scans import Finding, Scan, ScanStatus

FINISHED = (ScanStatus.COMPLETE, ScanStatus.PARTIAL, ScanStatus.FAILED)


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
        .where(Scan.account_id == account_id, Scan.status.in_(list(FINISHED)))
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


def scan_started(scans: Sequence[Scan]) -> dict[str, datetime]:
    return {scan.id: scan.started_at for scan in scans}
