"""`auditor scan`: collect, evaluate, store, and write the chosen formats."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.aws import validate_regions
from auditor.cli.console import print_summary, scan_progress, stderr
from auditor.cli.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, UsageError
from auditor.config import Settings, load_settings
from auditor.engine import ScanOutcome, scan_accounts
from auditor.muting import load_rules
from auditor.store.database import Store, open_store
from auditor.store.scans import ScanStatus
from checks.base import Severity

ACCOUNT_ID = re.compile(r"\d{12}")


class OutputFormat(StrEnum):
    JSON = "json"
    HTML = "html"


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


def output_paths(formats: Sequence[OutputFormat], output: str | None) -> dict[OutputFormat, str]:
    """Where each format goes. One format: ``-o`` is the file (``-`` = stdout for JSON).
    Several: ``-o`` is a directory. No ``-o``: JSON to stdout, HTML to auditor-report.html."""
    chosen = list(dict.fromkeys(formats))
    if output is None:
        defaults = {OutputFormat.JSON: "-", OutputFormat.HTML: "auditor-report.html"}
        return {fmt: defaults[fmt] for fmt in chosen}
    if len(chosen) == 1:
        if output == "-" and chosen[0] != OutputFormat.JSON:
            raise UsageError("-o - (stdout) is only for --format json")
        return {chosen[0]: output}
    if output == "-":
        raise UsageError("-o - (stdout) takes a single --format json")
    return {fmt: str(Path(output) / f"auditor-report.{fmt.value}") for fmt in chosen}


def write_outputs(store: Store, scan_ids: list[str], paths: dict[OutputFormat, str]) -> list[str]:
    from auditor.report.json_document import findings_document
    from auditor.report.render import render_html

    written = []
    with store.session() as session:
        for fmt, target in paths.items():
            if fmt == OutputFormat.JSON:
                text = json.dumps(findings_document(session, scan_ids), indent=2) + "\n"
            else:
                text = render_html(session, scan_ids)
            if target == "-":
                sys.stdout.write(text)
                continue
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(str(path))
    return written


def run_scan(
    settings: Settings,
    *,
    account_ids: Sequence[str],
    regions: Sequence[str],
    formats: Sequence[OutputFormat],
    output: str | None,
    fail_on: FailOn,
    progress: bool,
    trigger: str = "cli",
    store: Store | None = None,
) -> tuple[list[ScanOutcome], int]:
    accounts = validate_account_ids(account_ids)
    validate_regions(list(regions) or settings.regions)
    paths = output_paths(formats, output) if formats else {}
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
    if all(o.unreachable for o in outcomes):
        # Nothing was reached: a setup problem, reported like any other bad input.
        if len(outcomes) == 1:
            raise UsageError(outcomes[0].error or "the account could not be reached")
        raise UsageError("\n".join(f"{o.account_id}: {o.error}" for o in outcomes))
    written = write_outputs(store, [o.scan_id for o in outcomes], paths) if paths else []
    print_summary(outcomes, written)
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
        list[OutputFormat] | None,
        typer.Option("--format", "-f", help="Output format; repeat for several."),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Output file, '-' for stdout.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when a FAIL at or above this severity is found.")
    ] = FailOn.HIGH,
    demo: Annotated[
        bool, typer.Option(help="Scan the built-in demo estate on a local moto server.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show live progress on a terminal.")] = True,
) -> None:
    """Collect, evaluate and store a scan of one or more accounts."""
    settings = load_settings()
    formats = list(fmt or [])
    if formats:
        output_paths(formats, output)  # bad output flags fail before any work
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
