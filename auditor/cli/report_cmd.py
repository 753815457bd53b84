"""`auditor report`: render stored scans as HTML, JSON, CSV or OCSF (never scans again)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from auditor.cli.errors import UsageError
from auditor.cli.outputs import check_writable, plan_outputs, write_outputs
from auditor.config import load_settings
from auditor.history import ScanSelectionError, select_scans
from auditor.report.formats import ReportFormat
from auditor.report.render import render
from auditor.store.database import Store, open_store


def write_report(
    store: Store,
    *,
    scan: str,
    accounts: Sequence[str],
    formats: Sequence[ReportFormat],
    output: str,
) -> list[str]:
    """Write each format where :func:`plan_outputs` says; the paths written."""
    targets = plan_outputs(formats, output)
    check_writable(list(targets.values()))
    try:
        with store.session() as session:
            scan_ids = [s.id for s in select_scans(session, scan, accounts)]
            rendered = {fmt: render(session, scan_ids, fmt) for fmt in targets}
    except ScanSelectionError as error:
        raise UsageError(str(error)) from None
    return write_outputs(rendered, targets)


def report_command(
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="File to write, '-' for stdout; its suffix names the format when no --format.",
        ),
    ],
    scan: Annotated[
        str, typer.Option("--scan", help="Scan ID, or 'latest' for each account's newest scan.")
    ] = "latest",
    account: Annotated[
        list[str] | None,
        typer.Option("--account", "-a", help="Only this 12-digit account; repeat for several."),
    ] = None,
    fmt: Annotated[
        list[ReportFormat] | None,
        typer.Option(
            "--format",
            "-f",
            help="html, json, csv or ocsf; repeatable (default: from -o's suffix, else json).",
        ),
    ] = None,
) -> None:
    """Render stored scans; several formats share -o's name with their own suffixes."""
    settings = load_settings()
    store = open_store(settings.database_url)
    written = write_report(
        store, scan=scan, accounts=list(account or []), formats=list(fmt or []), output=output
    )
    for path in written:
        typer.echo(f"wrote {path}", err=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
