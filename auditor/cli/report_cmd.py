"""`auditor report`: render stored scans as HTML, JSON, CSV or OCSF (never scans again)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.errors import UsageError
from auditor.config import load_settings
from auditor.history import ScanSelectionError, select_scans
from auditor.report.render import ReportFormat, output_paths, render
from auditor.store.database import Store, open_store


def write_report(
    store: Store,
    *,
    scan: str,
    accounts: Sequence[str],
    formats: Sequence[ReportFormat],
    output: str,
) -> list[Path]:
    """Write each format; ``-`` as output writes the single text format to stdout."""
    chosen = list(dict.fromkeys(formats)) or [ReportFormat.HTML]
    if output == "-" and len(chosen) > 1:
        raise UsageError("-o - (stdout) takes a single --format")
    try:
        with store.session() as session:
            scan_ids = [s.id for s in select_scans(session, scan, accounts)]
            rendered = {fmt: render(session, scan_ids, fmt) for fmt in chosen}
    except ScanSelectionError as error:
        raise UsageError(str(error)) from None
    if output == "-":
        sys.stdout.write(rendered[chosen[0]])
        return []
    written = []
    for fmt, path in output_paths(chosen, Path(output)).items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered[fmt], encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
        written.append(path)
    return written


def report_command(
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write; '-' for stdout (one format).")
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
        typer.Option("--format", "-f", help="html (default), json, csv or ocsf; repeatable."),
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
