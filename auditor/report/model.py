"""The read model every renderer uses: one or more scans, their findings and what changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from auditor.catalogue import check_title
from auditor.findings import Severity, Status
from auditor.history import Changes, diff_each_with_previous, finding_order
from auditor.report.causes import RootCauses, root_causes
from auditor.report.filters import FindingFilter
from auditor.store.reads import collection_errors_of, findings_of
from auditor.store.scans import CollectionOutcome, Finding, Scan, ScanStatus

STATUS_ORDER = (Status.FAIL, Status.UNKNOWN, Status.MUTED, Status.PASS)


@dataclass(frozen=True, kw_only=True)
class PassingGroup:
    """Resources of one account and region that pass a check (listed compactly)."""

    account_id: str
    region: str
    severity: str
    names: list[str]


@dataclass(frozen=True, kw_only=True)
class CheckSection:
    check_id: str
    title: str
    severity: str
    findings: list[Finding]

    @cached_property
    def counts(self) -> dict[str, int]:
        counted = Counter(f.status for f in self.findings)
        return {status: counted.get(status, 0) for status in STATUS_ORDER}

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == Status.FAIL]

    @property
    def passing(self) -> list[PassingGroup]:
        groups: dict[tuple[str, str, str], list[str]] = {}
        for f in self.findings:
            if f.status == Status.PASS:
                key = (f.account_id, f.region, f.severity)
                groups.setdefault(key, []).append(f.resource_name or f.resource_id)
        return [
            PassingGroup(account_id=account, region=region, severity=severity, names=names)
            for (account, region, severity), names in groups.items()
        ]


@dataclass(frozen=True, kw_only=True)
class Suppression:
    rule: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ResourceGroup:
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    resource_name: str | None
    findings: list[Finding]


@dataclass(frozen=True, kw_only=True)
class AccountSection:
    """One account of a report: its scan, what changed against its own previous scan, and
    its findings by status."""

    scan: Scan
    changes: Changes
    status_totals: dict[str, int]

    @property
    def account_id(self) -> str:
        return self.scan.account_id

    @property
    def baseline(self) -> Scan | None:
        return self.changes.baselines[0] if self.changes.baselines else None


@dataclass(frozen=True, kw_only=True)
class ReportData:
    scans: list[Scan]
    findings: list[Finding]
    collection_errors: list[CollectionOutcome]
    changes: Changes
    causes: RootCauses
    # One section per scan, in account order; each diff is against that account's own
    # previous scan (the merged ``changes`` sums them).
    by_account: list[AccountSection] = field(default_factory=list)
    # The run these scans are, when the report was asked for by run (``--run``).
    run_id: str | None = None

    @property
    def accounts(self) -> list[str]:
        return sorted({scan.account_id for scan in self.scans})

    @property
    def regions(self) -> list[str]:
        scanned = {region for scan in self.scans for region in scan.regions}
        return sorted({f.region for f in self.findings} | scanned)

    @property
    def check_ids(self) -> list[str]:
        return sorted({f.check_id for f in self.findings})

    def by_status(self, status: Status) -> list[Finding]:
        return [f for f in self.findings if f.status == status]

    @cached_property
    def counts(self) -> dict[str, dict[str, int]]:
        """Findings by severity, then by status (every severity and status present, even 0)."""
        counted = Counter((f.severity, f.status) for f in self.findings)
        return {
            severity: {status: counted.get((severity, status), 0) for status in STATUS_ORDER}
            for severity in Severity
        }

    @cached_property
    def status_totals(self) -> dict[str, int]:
        counted = Counter(f.status for f in self.findings)
        return {status: counted.get(status, 0) for status in STATUS_ORDER}

    @property
    def oldest_still_failing(self) -> datetime | None:
        seen = [f.first_seen for f in self.changes.still_failing if f.first_seen is not None]
        return min(seen, default=None)

    @cached_property
    def resources(self) -> list[ResourceGroup]:
        """Resources with at least one FAIL or UNKNOWN finding, most severe first."""
        grouped: dict[tuple[str, str, str], list[Finding]] = {}
        for finding in self.findings:
            if finding.status in (Status.FAIL, Status.UNKNOWN):
                key = (finding.account_id, finding.region, finding.resource_id)
                grouped.setdefault(key, []).append(finding)
        return [
            ResourceGroup(
                account_id=account_id,
                region=region,
                resource_type=findings[0].resource_type,
                resource_id=resource_id,
                resource_name=next((f.resource_name for f in findings if f.resource_name), None),
                findings=findings,
            )
            for (account_id, region, resource_id), findings in grouped.items()
        ]

    @cached_property
    def sections(self) -> list[CheckSection]:
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.check_id, []).append(finding)
        sections = []
        for check_id, findings in grouped.items():
            sections.append(
                CheckSection(
                    check_id=check_id,
                    title=check_title(check_id),
                    severity=findings[0].severity,
                    findings=sorted(findings, key=_status_then_resource),
                )
            )
        return sorted(sections, key=lambda s: (-s.counts[Status.FAIL], s.check_id))


def _status_then_resource(finding: Finding) -> tuple[int, str, str, str]:
    return (
        STATUS_ORDER.index(Status(finding.status)) if finding.status in STATUS_ORDER else 9,
        finding.account_id,
        finding.region,
        finding.resource_id,
    )


def filter_key(finding: Finding) -> str:
    """What the report's filters match on: account|region|check|status|severity."""
    return "|".join(
        (finding.account_id, finding.region, finding.check_id, finding.status, finding.severity)
    )


def suppression_of(finding: Finding) -> Suppression:
    """The muting rule and reason the engine put in a MUTED finding's evidence."""
    raw: Any = finding.evidence.get("muted_by") or {}
    if not isinstance(raw, dict):
        return Suppression(rule=str(raw), reason="")
    return Suppression(rule=str(raw.get("rule", "")), reason=str(raw.get("reason", "")))


def load_report(
    session: Session,
    scans: Sequence[Scan],
    *,
    only: FindingFilter | None = None,
    run_id: str | None = None,
    stored: Sequence[Finding] | None = None,
) -> ReportData:
    """The report of ``scans``; ``stored``, when given, are their findings as
    ``findings_of`` reads them (``reads.findings_as_stored`` of the rows a scan just
    wrote), which saves reading them back."""
    scan_ids = [scan.id for scan in scans]
    current = findings_of(session, scan_ids) if stored is None else stored
    findings = sorted(current, key=finding_order)
    # The diff sees every finding: a hidden check must not look fixed.
    parts = diff_each_with_previous(session, scans, findings=findings)
    if only is not None:
        findings = [f for f in findings if only.keeps(f)]
        parts = [part.narrowed(only.keeps) for part in parts]
    changes = Changes.merge(parts)
    return ReportData(
        scans=list(scans),
        findings=findings,
        collection_errors=collection_errors_of(session, scan_ids),
        changes=changes,
        causes=causes_of(session, scans, findings, changes, only=only),
        by_account=account_sections(scans, parts, findings),
        run_id=run_id,
    )


def account_sections(
    scans: Sequence[Scan], parts: Sequence[Changes], findings: Sequence[Finding]
) -> list[AccountSection]:
    """Each scan with its own diff and its findings' statuses, in account order."""
    counted = Counter((f.scan_id, f.status) for f in findings)
    sections = [
        AccountSection(
            scan=scan,
            changes=part,
            status_totals={status: counted.get((scan.id, status), 0) for status in STATUS_ORDER},
        )
        for scan, part in zip(scans, parts, strict=True)
    ]
    return sorted(sections, key=lambda s: (s.account_id, s.scan.started_at))


def causes_of(
    session: Session,
    scans: Sequence[Scan],
    findings: Sequence[Finding],
    changes: Changes,
    *,
    only: FindingFilter | None = None,
) -> RootCauses:
    """Root causes of ``findings``, new or still open against the diff's baseline scans
    (narrowed by ``only`` like the findings, so a hidden check never looks fixed)."""
    baseline = (
        findings_of(session, [b.id for b in changes.baselines]) if changes.baselines else None
    )
    if baseline is not None and only is not None:
        baseline = [f for f in baseline if only.keeps(f)]
    complete = [s.account_id for s in scans if s.status == ScanStatus.COMPLETE]
    return root_causes(findings, baseline, fixable_accounts=complete)


def causes_of_changes(session: Session, changes: Changes) -> RootCauses:
    """Root causes of the scans of a diff (Slack's alert, the email's period)."""
    findings = findings_of(session, [scan.id for scan in changes.scans])
    return causes_of(session, changes.scans, findings, changes)
