"""Scanning from the CLI: validate the request, run the engine, write outputs, pick the exit code.

``auditor scan`` and ``auditor scan --demo`` both call :func:`run_scan`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from auditor.aws import validate_regions
from auditor.cli.console import print_summary, scan_progress
from auditor.cli.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, UsageError
from auditor.cli.outputs import check_writable, plan_outputs, write_outputs
from auditor.config import Settings
from auditor.engine import ScanOutcome, scan_accounts
from auditor.muting import load_rules
from auditor.report.formats import ReportFormat
from auditor.store.database import Store, open_store
from auditor.store.scans import ScanStatus
from checks.base import Severity

ACCOUNT_ID = re.compile(r"\d{12}")


class FailOn(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NONE = "none"


def validate_account_ids(account_ids: Sequence[str]) -> list[str]:
    for account_id in account_ids:
        if not ACCOUNT_ID.fullmatch(account_id):
            raise UsageError(f"invalid AWS account ID {account_id!r}: expected 12 digits")
    return list(dict.fromkeys(account_ids))


def exit_code(outcomes: Sequence[ScanOutcome], fail_on: FailOn) -> int:
    """3 when any scan is partial or failed (it wins over 1), 1 for FAILs at/above fail_on."""
    if any(o.status != ScanStatus.COMPLETE for o in outcomes):
        return EXIT_INCOMPLETE
    if fail_on == FailOn.NONE:
        return EXIT_OK
    threshold = Severity(fail_on.value)
    for outcome in outcomes:
        for (severity, status), count in outcome.findings.items():
            if count and status == "FAIL" and Severity(severity).at_least(threshold):
                return EXIT_FINDINGS
    return EXIT_OK


def render_outputs(
    store: Store, scan_ids: list[str], targets: dict[ReportFormat, str]
) -> list[str]:
    from auditor.report.render import render

    with store.session() as session:
        rendered = {fmt: render(session, scan_ids, fmt) for fmt in targets}
    return write_outputs(rendered, targets)


def cause_lines(store: Store, scan_ids: list[str]) -> list[str]:
    """The summary's root-cause lines, from the stored scans (as the report will show them)."""
    from auditor.report.causes import breaks_line, top_lines
    from auditor.report.model import load_report
    from auditor.store.scans import Scan

    with store.session() as session:
        scans = [scan for scan_id in scan_ids if (scan := session.get(Scan, scan_id))]
        if not scans:
            return []
        causes = load_report(session, scans).causes
        return [breaks_line(causes), *top_lines(causes)]


def run_scan(
    settings: Settings,
    *,
    account_ids: Sequence[str],
    regions: Sequence[str],
    formats: Sequence[ReportFormat],
    output: str | None,
    fail_on: FailOn,
    progress: bool,
    trigger: str = "cli",
    store: Store | None = None,
) -> tuple[list[ScanOutcome], int]:
    accounts = validate_account_ids(account_ids)
    validate_regions(list(regions) or settings.regions)
    targets = plan_outputs(formats, output) if formats or output else {}
    check_writable(list(targets.values()))  # before any AWS call, not after the scan
    if settings.suppressions_file:  # a broken muting file fails now, not after collecting
        load_rules(Path(settings.suppressions_file))
    store = store or open_store(settings.database_url)
    if not accounts:
        from auditor.accounts import resolve_accounts

        accounts = asyncio.run(resolve_accounts(settings))
    with scan_progress(progress) as on_progress:
        outcomes = asyncio.run(
            scan_accounts(
                settings,
                accounts,
                list(regions) or None,
                store=store,
                trigger=trigger,
                progress=on_progress,
                max_parallel_accounts=settings.account_concurrency,
            )
        )
    setup = next((o for o in outcomes if o.setup_problem), None)
    if setup is not None:
        # The local AWS setup is at fault (no credentials, unknown profile): a configuration
        # error, the same for every account. An account that refused us is a failed scan.
        raise UsageError(setup.error or "the AWS setup cannot reach any account")
    scan_ids = [o.scan_id for o in outcomes]
    written = render_outputs(store, scan_ids, targets) if targets else []
    print_summary(outcomes, written, cause_lines(store, scan_ids))
    return outcomes, exit_code(outcomes, fail_on)
