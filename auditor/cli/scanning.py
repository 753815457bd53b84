"""Scanning from the CLI: validate the request, run the engine, write outputs, pick the exit code.

``auditor scan`` and ``auditor scan --demo`` both call :func:`run_scan`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.aws_calls import validate_regions
from auditor.cli.console import print_summary, scan_progress, stderr
from auditor.cli.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, UsageError
from auditor.cli.outputs import Rendered, check_writable, plan_outputs, write_outputs
from auditor.cli.scan_flags import FailOn, Shard, validate_account_ids
from auditor.cli.scan_locks import account_locks
from auditor.cli.scan_results import FindingRow, row_of
from auditor.config import Settings
from auditor.engine import ScanSummary, scan_accounts
from auditor.findings import Severity
from auditor.muting import load_rules
from auditor.report.filters import FindingFilter
from auditor.report.formats import ReportFormat
from auditor.store.database import Store, open_store
from auditor.store.scans import ScanStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from auditor.report.model import ReportData
    from auditor.store.scans import Finding


def exit_code(outcomes: Sequence[ScanSummary], fail_on: FailOn, rows: Sequence[FindingRow]) -> int:
    """3 when any scan is partial or failed (it wins over 1), 1 for FAILs at/above fail_on
    among ``rows`` (the findings shown: ``--check`` narrows them)."""
    if any(o.status != ScanStatus.COMPLETE for o in outcomes):
        return EXIT_INCOMPLETE
    if fail_on == FailOn.NONE:
        return EXIT_OK
    threshold = Severity(fail_on.value)
    for row in rows:
        if row.status == "FAIL" and Severity(row.severity).at_least(threshold):
            return EXIT_FINDINGS
    return EXIT_OK


def validate_check_ids(check_ids: Sequence[str]) -> None:
    from checks import all_checks

    known = {check.meta.id for check in all_checks()}
    unknown = sorted(set(check_ids) - known)
    if unknown:
        raise UsageError(f"unknown check(s): {', '.join(unknown)} (`auditor checks` lists them)")


def without_excluded(accounts: list[str], settings: Settings) -> list[str]:
    """``accounts.exclude`` means never scanned: it wins over ``--account``."""
    excluded = [a for a in accounts if a in settings.accounts.exclude]
    if accounts and len(excluded) == len(accounts):
        raise UsageError(
            f"account(s) {', '.join(excluded)} excluded by accounts.exclude: never scanned"
        )
    for account in excluded:
        stderr.print(f"[yellow]skipping {account}: excluded by accounts.exclude[/]")
    return [a for a in accounts if a not in excluded]


@dataclass
class Finished:
    """What the scans left for the user: the files written, the summary's root-cause lines
    and the findings shown."""

    written: list[str]
    cause_lines: list[str]
    rows: list[FindingRow]


def finish(
    store: Store,
    scan_ids: list[str],
    targets: dict[ReportFormat, str],
    only: FindingFilter | None = None,
    stored: list[Finding] | None = None,
) -> Finished:
    """Read the scans' findings and their history diff once, for every output and the
    summary; the JSON document streams into its file. ``stored`` are the scans' findings
    as the store holds them, in row order (see :func:`findings_in_memory`): they are not
    read again."""
    from auditor.report.causes import breaks_line, top_lines
    from auditor.report.model import load_report
    from auditor.store import reads

    with store.session() as session:
        scans = [scan for scan_id in scan_ids if (scan := reads.get_scan(session, scan_id))]
        current = reads.in_read_order(stored) if stored is not None else None
        data = load_report(session, scans, only=only, stored=current)
        rendered: dict[ReportFormat, Rendered] = {
            fmt: _rendered(session, data, fmt) for fmt in targets
        }
        written = write_outputs(rendered, targets)
        lines = [breaks_line(data.causes), *top_lines(data.causes)] if scans else []
        if stored is None:
            shown = sorted(data.findings, key=lambda f: f.id)
        else:  # already in row order
            shown = [f for f in stored if only is None or only.keeps(f)]
        rows = [row_of(f) for f in shown]
    return Finished(written, lines, rows)


def findings_in_memory(store: Store, outcomes: Sequence[ScanSummary]) -> list[Finding] | None:
    """The findings the scans just stored, as the store would give them back, when every
    scan kept its rows (a one-account run) and the store is SQLite; else None (read them).

    PostgreSQL's JSONB reorders the keys of the evidence, so there only a read gives the
    outputs the store's own order. A scan that failed before evaluating wrote no findings.
    """
    from auditor.store import reads

    if not store.url.startswith("sqlite"):
        return None
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.stored_findings is None:
            if outcome.status == ScanStatus.FAILED and not outcome.findings:
                continue  # nothing evaluated, nothing stored
            return None
        rows.extend(outcome.stored_findings)
    return reads.findings_as_stored(rows)


def _rendered(session: Session, data: ReportData, fmt: ReportFormat) -> Rendered:
    if fmt is ReportFormat.JSON:  # the renderers of the other formats are not even imported
        from auditor.report.json_document import write_document

        return functools.partial(write_document, session, data)
    from auditor.report.render import render_loaded

    return render_loaded(session, data, fmt)


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
    only: FindingFilter | None = None,
    quiet: bool = False,
    lock_wait: float = 0,
    database_url: str | None = None,
    shard: Shard | None = None,
) -> tuple[list[ScanSummary], int]:
    """Scan, store, write the outputs and print the summary.

    ``database_url``, when the store is not the configured one (the demo's), is named in
    the summary's next step.

    ``only`` (``--check``/``--exclude-check``) narrows what is shown, written and counted
    for the exit code; every check is still evaluated and stored, so history stays whole.
    """
    accounts = without_excluded(validate_account_ids(account_ids), settings)
    if only is not None:
        validate_check_ids([*only.checks, *only.exclude_checks])
    validate_regions(list(regions) or settings.regions)
    targets = plan_outputs(formats, output) if formats or output else {}
    check_writable(list(targets.values()))  # before any AWS call, not after the scan
    if settings.suppressions_file:  # a broken muting file fails now, not after collecting
        load_rules(Path(settings.suppressions_file))
    store = store or open_store(settings.database_url)
    if not accounts:
        from auditor.accounts import resolve_accounts

        accounts = asyncio.run(resolve_accounts(settings))
    if shard is not None:
        accounts = shard.accounts(accounts)
        if not quiet:
            stderr.print(f"shard {shard.index}/{shard.count}: {len(accounts)} account(s)")
    with (
        account_locks(store, accounts, lock_wait),
        scan_progress(progress and not quiet) as on_progress,
    ):
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
    stored = findings_in_memory(store, outcomes)
    done = finish(store, [o.scan_id for o in outcomes], targets, only, stored)
    if not quiet:
        print_summary(
            outcomes, done.written, done.cause_lines, done.rows, database_url=database_url
        )
    return outcomes, exit_code(outcomes, fail_on, done.rows)
