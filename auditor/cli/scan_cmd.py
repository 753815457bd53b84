"""`auditor scan`: collect, evaluate, store, and write the chosen formats."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.aws import validate_regions
from auditor.cli.console import print_summary, scan_progress, stderr
from auditor.cli.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, UsageError
from auditor.cli.outputs import check_writable, plan_outputs, write_outputs
from auditor.config import Settings, load_settings
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


def scan_command(
    account: Annotated[
        list[str] | None,
        typer.Option("--account", "-a", help="12-digit account ID; repeat for several."),
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="Region; repeat for several.")
    ] = None,
    fmt: Annotated[
        list[ReportFormat] | None,
        typer.Option(
            "--format",
            "-f",
            help="html, json, csv or ocsf; repeat for several (default: from -o's suffix).",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write, '-' for stdout; several formats write siblings "
            "with their own suffixes (out/scan.html + out/scan.json). No suffix: JSON.",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when a FAIL at or above this severity is found.")
    ] = FailOn.HIGH,
    demo: Annotated[
        bool, typer.Option(help="Scan the built-in demo estate on a local moto server.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show live progress on a terminal.")] = True,
) -> None:
    """Collect, evaluate and store a scan of one or more accounts.

    Exit codes, highest precedence first: 143 stopped by SIGTERM (130 by Ctrl-C), the scan
    marked failed; 2 usage or configuration error, before any scan; 3 a scan partial or
    failed, an account that could not be reached included; 1 a FAIL at or above --fail-on;
    0 otherwise.
    """
    settings = load_settings()
    formats = list(fmt or [])
    if formats or output:
        plan_outputs(formats, output)  # bad output flags fail before any work
    if demo:
        from auditor.cli.demo_run import run_demo

        if account:
            raise UsageError("--demo scans the demo accounts; drop --account")
        code = run_demo(
            settings, formats=formats, output=output, fail_on=fail_on, progress=progress
        )
        raise typer.Exit(code)
    _, code = run_scan(
        settings,
        account_ids=list(account or []),
        regions=list(region or []),
        formats=formats,
        output=output,
        fail_on=fail_on,
        progress=progress,
    )
    if code == EXIT_INCOMPLETE:
        stderr.print("[yellow]scan incomplete: verdicts may be missing (exit 3)[/]")
    raise typer.Exit(code)
