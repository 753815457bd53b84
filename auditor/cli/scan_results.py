"""The findings of finished scans as the CLI shows them: counts, exit code, top failures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.report.filters import FindingFilter
from auditor.store import reads
from auditor.store.database import Store
from auditor.store.scans import Finding


@dataclass(frozen=True)
class FindingRow:
    scan_id: str
    check_id: str
    severity: str
    status: str
    account_id: str
    region: str
    resource_id: str
    resource_name: str | None
    message: str

    @property
    def resource(self) -> str:
        return self.resource_name or self.resource_id


def row_of(finding: Finding) -> FindingRow:
    return FindingRow(*(getattr(finding, name) for name in FindingRow.__dataclass_fields__))


def load_rows(
    store: Store, scan_ids: Sequence[str], only: FindingFilter | None = None
) -> list[FindingRow]:
    """Every finding of the scans that ``only`` keeps (all of them without a filter)."""
    if not scan_ids:
        return []
    with store.session() as session:
        values = reads.finding_values(session, scan_ids, list(FindingRow.__dataclass_fields__))
    rows = [FindingRow(*row) for row in values]
    return [row for row in rows if only is None or only.keeps(row)]


def counts(rows: Sequence[FindingRow]) -> Counter[tuple[str, str]]:
    """(severity, status) → number of findings."""
    return Counter((row.severity, row.status) for row in rows)


@dataclass(frozen=True)
class FailingCheck:
    check_id: str
    severity: str
    resources: int
    example: FindingRow


def top_failing(rows: Sequence[FindingRow], limit: int = 5) -> list[FailingCheck]:
    """The checks with FAILs, most severe first, then most resources."""
    from auditor.history import severity_rank

    by_check: dict[str, list[FindingRow]] = {}
    for row in rows:
        if row.status == "FAIL":
            by_check.setdefault(row.check_id, []).append(row)
    ranked = sorted(
        by_check.items(),
        key=lambda item: (severity_rank(item[1][0].severity), -len(item[1]), item[0]),
    )
    return [
        FailingCheck(check_id, found[0].severity, len(found), found[0])
        for check_id, found in ranked[:limit]
    ]
