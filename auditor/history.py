"""What changed between scans: the one diff the report, Slack and email all use.

Also which scans a reader asked for (``--scan ID|latest``, ``--account``), read through
``auditor.store.reads``. The baseline is always ``reads.previous_scan``, the one definition of
"the previous scan" that first_seen and the history-based checks use too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from auditor.findings import Severity, Status
from auditor.store import reads
from auditor.store.reads import complete_scan_before, findings_of, previous_scan, scans_of_run
from auditor.store.scans import Finding, Scan, ScanStatus

FindingKey = tuple[str, str, str, str]


class ScanSelectionError(ValueError):
    """The scans a user asked for do not exist; the message is one line for the user."""


def finding_key(finding: Finding) -> FindingKey:
    """What makes two findings of different scans the same verdict on the same resource."""
    return (finding.check_id, finding.account_id, finding.region, finding.resource_id)


def severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return len(Severity)


def finding_order(finding: Finding) -> tuple[int, str, str, str, str]:
    """Most severe first, then by check, account, region and resource."""
    return (
        severity_rank(finding.severity),
        finding.check_id,
        finding.account_id,
        finding.region,
        finding.resource_id,
    )


@dataclass(kw_only=True)
class Changes:
    """Findings that changed between baseline scans and current scans (one or many accounts)."""

    scans: list[Scan]
    baselines: list[Scan]
    new_failures: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    still_failing: list[Finding] = field(default_factory=list)
    new_unknown: list[Finding] = field(default_factory=list)
    # FAILs of the baseline that a partial or failed scan did not evaluate again.
    not_reevaluated: list[Finding] = field(default_factory=list)

    @property
    def has_baseline(self) -> bool:
        return bool(self.baselines)

    @property
    def is_empty(self) -> bool:
        """Nothing a reader needs to hear about."""
        return not (self.new_failures or self.resolved or self.new_unknown)

    @property
    def accounts(self) -> list[str]:
        return sorted({scan.account_id for scan in self.scans})

    def narrowed(self, keep: Callable[[Finding], bool]) -> Changes:
        """The same changes, listing only the findings ``keep`` accepts."""
        return Changes(
            scans=self.scans,
            baselines=self.baselines,
            new_failures=[f for f in self.new_failures if keep(f)],
            resolved=[f for f in self.resolved if keep(f)],
            still_failing=[f for f in self.still_failing if keep(f)],
            new_unknown=[f for f in self.new_unknown if keep(f)],
            not_reevaluated=[f for f in self.not_reevaluated if keep(f)],
        )

    @classmethod
    def merge(cls, parts: Iterable[Changes]) -> Changes:
        merged = cls(scans=[], baselines=[])
        for part in parts:
            merged.scans.extend(part.scans)
            merged.baselines.extend(part.baselines)
            merged.new_failures.extend(part.new_failures)
            merged.resolved.extend(part.resolved)
            merged.still_failing.extend(part.still_failing)
            merged.new_unknown.extend(part.new_unknown)
            merged.not_reevaluated.extend(part.not_reevaluated)
        for findings in (
            merged.new_failures,
            merged.resolved,
            merged.still_failing,
            merged.new_unknown,
            merged.not_reevaluated,
        ):
            findings.sort(key=finding_order)
        return merged


def diff_scans(
    session: Session,
    current: Scan,
    baseline: Scan | None,
    *,
    current_findings: Sequence[Finding] | None = None,
) -> Changes:
    """Compare one scan with a baseline scan of the same account and regions.

    Without a baseline every FAIL is new and every UNKNOWN newly unknown. Callers that
    already hold the current scan's findings pass them to save a query.
    """
    if current_findings is None:
        current_findings = findings_of(session, [current.id])
    now = {finding_key(f): f for f in current_findings if f.scan_id == current.id}
    before = {finding_key(f): f for f in findings_of(session, [baseline.id])} if baseline else {}
    changes = Changes(scans=[current], baselines=[baseline] if baseline else [])
    for key, finding in now.items():
        previous = before.get(key)
        previous_status = previous.status if previous else None
        if finding.status == Status.FAIL:
            still = previous_status == Status.FAIL
            (changes.still_failing if still else changes.new_failures).append(finding)
        elif finding.status == Status.UNKNOWN and previous_status != Status.UNKNOWN:
            changes.new_unknown.append(finding)
    complete = current.status == ScanStatus.COMPLETE
    for key, previous in before.items():
        if previous.status != Status.FAIL:
            continue
        finding_now = now.get(key)
        if finding_now is None:
            # A resource gone from a complete scan is fixed (deleted); from a partial scan
            # its absence may only mean that collection failed.
            (changes.resolved if complete else changes.not_reevaluated).append(previous)
        elif finding_now.status == Status.PASS:
            changes.resolved.append(previous)
    return Changes.merge([changes])


def diff_each_with_previous(
    session: Session,
    scans: Iterable[Scan],
    *,
    findings: Sequence[Finding] | None = None,
) -> list[Changes]:
    """Each scan against its own previous scan (``reads.previous_scan``): in a run of
    many accounts, each account against its own baseline. One ``Changes`` per scan."""
    return [
        diff_scans(session, scan, previous_scan(session, scan), current_findings=findings)
        for scan in scans
    ]


def diff_with_previous(
    session: Session, scans: Iterable[Scan], *, findings: Sequence[Finding] | None = None
) -> Changes:
    """Each scan against its previous scan (``reads.previous_scan``), merged.

    ``findings``, when given, are all the findings of ``scans`` (already loaded).
    """
    return Changes.merge(diff_each_with_previous(session, scans, findings=findings))


def scan_by_id_or_prefix(session: Session, scan: str) -> Scan:
    """The scan whose ID is ``scan`` or the only one that starts with it."""
    found = reads.get_scan(session, scan)
    if found is not None:
        return found
    if len(scan) >= 4:
        matches = reads.scans_with_id_prefix(session, scan, limit=3)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ScanSelectionError(f"scan ID prefix {scan!r} is ambiguous: give more of it")
    raise ScanSelectionError(f"no scan with id {scan!r} in the store")


def select_scans(session: Session, scan: str, accounts: Sequence[str]) -> list[Scan]:
    """Scans named by ``--scan ID|latest`` and ``--account``.

    ``latest`` means the newest finished scan of each account (of every account in the store
    when no account is named).
    """
    if scan != "latest":
        found = scan_by_id_or_prefix(session, scan)
        if accounts and found.account_id not in accounts:
            raise ScanSelectionError(
                f"scan {scan} is of account {found.account_id}, not of {', '.join(accounts)}"
            )
        return [found]
    latest = reads.newest_finished_scans(session, accounts)
    missing = sorted(set(accounts) - set(latest))
    if missing:
        raise ScanSelectionError(f"no finished scan in the store for account {', '.join(missing)}")
    if not latest:
        raise ScanSelectionError("no finished scan in the store: run `auditor scan` first")
    return [latest[account] for account in sorted(latest)]


# A run ID (uuid4, as the engine writes it) or a prefix of one.
_RUN_ID_PART = re.compile(r"[0-9a-f-]{1,36}")


def run_by_id_or_prefix(session: Session, run: str) -> str:
    """The run whose ID is ``run`` or the only one that starts with it."""
    run = run.strip().lower()
    if not _RUN_ID_PART.fullmatch(run):
        raise ScanSelectionError(
            f"malformed run ID {run!r}: expected a run ID (a UUID such as "
            "0f8fad5b-d9cb-469f-a165-70867728950e) or at least its first 4 characters"
        )
    if len(run) < 4:
        raise ScanSelectionError(f"no run with id {run!r} in the store: give at least 4 characters")
    matches = reads.run_ids_starting(session, run)
    if run in matches:
        return run
    if len(matches) > 1:
        raise ScanSelectionError(f"run ID prefix {run!r} is ambiguous: give more of it")
    if not matches:
        raise ScanSelectionError(f"no run with id {run!r} in the store")
    return matches[0]


def select_run(session: Session, run: str, accounts: Sequence[str]) -> list[Scan]:
    """The scans of the run named by ``--run ID|latest`` (``--account`` narrows them), in
    account order. ``latest`` is the newest run none of whose scans is still running."""
    if run == "latest":
        found = reads.latest_finished_run(session, accounts)
        if found is None:
            raise ScanSelectionError("no finished run in the store: run `auditor scan` first")
        run_id = found
    else:
        run_id = run_by_id_or_prefix(session, run)
    scans = [s for s in scans_of_run(session, run_id) if not accounts or s.account_id in accounts]
    if not scans:
        raise ScanSelectionError(f"run {run_id} has no scan of account {', '.join(accounts)}")
    running = [s.account_id for s in scans if s.status == ScanStatus.RUNNING]
    if running:
        raise ScanSelectionError(
            f"run {run_id} is still running (account {', '.join(running)}): wait for it to end"
        )
    return scans


def diff_over_period(session: Session, scans: Sequence[Scan]) -> Changes:
    """What changed over a period: for each account and set of regions, its newest scan of
    the period against the newest complete scan from before the period."""
    groups: dict[tuple[str, tuple[str, ...]], list[Scan]] = {}
    for scan in scans:
        groups.setdefault((scan.account_id, tuple(sorted(scan.regions))), []).append(scan)
    parts = []
    for (account_id, regions), members in sorted(groups.items()):
        members.sort(key=lambda s: s.started_at)
        first, newest = members[0], members[-1]
        # The previous scan of the period's first scan (see reads.previous_scan).
        baseline = complete_scan_before(
            session,
            account_id=account_id,
            regions=regions,
            before=first.started_at,
            exclude=first.id,
        )
        parts.append(diff_scans(session, newest, baseline))
    return Changes.merge(parts)
