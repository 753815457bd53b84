"""reads.findings_as_stored: the rows a scan inserts, as findings_of reads them back."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.store import reads, repository
from auditor.store.database import open_store
from auditor.store.scans import Finding

COLUMNS = [column.key for column in Finding.__table__.columns if column.key != "id"]


class Colour(enum.StrEnum):
    RED = "red"


def _row(scan_id: str, check_id: str, resource_id: str, evidence: Any) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "check_id": check_id,
        "status": "FAIL",
        "severity": "high",
        "account_id": "123456789012",
        "region": "us-east-1",
        "resource_type": "ecs-task",
        "resource_id": resource_id,
        "resource_name": None,
        "message": "m",
        "evidence": evidence,
        "first_seen": datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=UTC),
        "root_cause_kind": None,
        "root_cause_id": None,
        "root_cause_detail": None,
    }


def test_findings_as_stored_equal_a_read_whatever_the_evidence_holds(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    now = datetime.now(UTC)
    scan = repository.new_scan("123456789012", ["us-east-1"], trigger="cli", run_id=None, now=now)
    with store.session() as session:
        repository.add_scan(session, scan)
    evidences: list[Any] = [
        {"z": 1, "a": [True, None, 1.5, "x"], "nested": {"b": {"c": []}}},
        {"hops": ("a", "b")},  # a tuple comes back a list
        {"colour": Colour.RED, "list": [Colour.RED]},  # an enum its value
        {1: "int key"},  # a key a string
        {},
    ]
    # Out of order, and two rows with the same key: the row order decides between them.
    rows = [
        _row(scan.id, check, resource, evidence)
        for (check, resource), evidence in zip(
            [("b", "t2"), ("a", "t9"), ("b", "t1"), ("a", "t9"), ("c", "t0")],
            evidences,
            strict=True,
        )
    ]
    with store.session() as session:
        repository.save_findings(session, rows)
        read = reads.findings_of(session, [scan.id])

    in_memory = reads.in_read_order(reads.findings_as_stored(rows))

    def values(findings: list[Finding]) -> list[tuple[Any, ...]]:
        return [tuple(getattr(f, c) for c in COLUMNS) for f in findings]

    assert values(in_memory) == values(read)
    # Exactly the types a read gives, not only equal values (a tuple equals no list anyway).
    assert [repr(f.evidence) for f in in_memory] == [repr(f.evidence) for f in read]
    assert all(f.id is None for f in in_memory)  # never added to a session
