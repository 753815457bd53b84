"""`auditor report`: render stored scans as HTML, JSON, CSV or OCSF (never scans again)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from auditor.cli.errors import UsageError
from auditor.cli.options import (
    ConfigOption,
    chosen_output,
    output_options,
)
from auditor.cli.outputs import check_writable, plan_outputs, write_outputs
from auditor.config import load_settings
from auditor.findings import Severity, Status
from auditor.history import ScanSelectionError, select_run, select_scans
from auditor.report.filters import FindingFilter
from auditor.report.formats import ReportFormat
from auditor.report.render import render
from auditor.store.database import Store, open_store
from auditor.store.scans import Scan


class ReportChoice(StrEnum):
    HTML = "html"
    JSON = "json"
    CSV = "csv"
    OCSF = "ocsf"
    TABLE = "table"


def selected(
    session: Session, *, scan: str | None, run: str | None, accounts: Sequence[str]
) -> tuple[list[Scan], str | None]:
    """The scans ``--scan`` or ``--run`` name (``latest`` scans by default), and the run."""
    if run is not None:
        if scan is not None:
            raise UsageError("give --scan or --run, not both")
        scans = select_run(session, run, accounts)
        return scans, scans[0].run_id
    return select_scans(session, scan or "latest", accounts), None


def write_report(
    store: Store,
    *,
    scan: str | None,
    accounts: Sequence[str],
    formats: Sequence[ReportFormat],
    output: str,
    only: FindingFilter | None = None,
    run: str | None = None,
) -> list[str]:
    """Write each format where :func:`plan_outputs` says; the paths written."""
    targets = plan_outputs(formats, output)
    check_writable(list(targets.values()))
    try:
        with store.session() as session:
            scans, run_id = selected(session, scan=scan, run=run, accounts=accounts)
            scan_ids = [s.id for s in scans]
            rendered = {
                fmt: render(session, scan_ids, fmt, only=only, run_id=run_id) for fmt in targets
            }
    except ScanSelectionError as error:
        raise UsageError(str(error)) from None
    return write_outputs(rendered, targets)


def print_report_table(
    store: Store,
    *,
    scan: str | None,
    accounts: Sequence[str],
    only: FindingFilter | None,
    run: str | None = None,
) -> None:
    from auditor.cli.scan_results import load_rows
    from auditor.cli.table_output import print_table
    from auditor.report.model import load_report

    try:
        with store.session() as session:
            scans, run_id = selected(session, scan=scan, run=run, accounts=accounts)
            scan_ids = [s.id for s in scans]
            causes = load_report(session, scans, only=only).causes
    except ScanSelectionError as error:
        raise UsageError(str(error)) from None
    if run_id is not None and not chosen_output().quiet:
        typer.echo(f"run {run_id}: {len(scans)} account(s)", err=True)
    print_table(load_rows(store, scan_ids, only), causes=causes)


@output_options()
def report_command(
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write, '-' for stdout; its suffix names the format when no --format.",
        ),
    ] = None,
    scan: Annotated[
        str | None,
        typer.Option(
            "--scan",
            help="Scan ID or a unique prefix of one, or 'latest' (the default): the newest "
            "finished scan of each account.",
        ),
    ] = None,
    run: Annotated[
        str | None,
        typer.Option(
            "--run",
            help="Run ID (or a unique prefix), or 'latest': the scans of one `auditor scan` "
            "of many accounts, as one report, each account against its own previous scan.",
        ),
    ] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", "-a", help="Only this 12-digit account; repeat for several."),
    ] = None,
    fmt: Annotated[
        list[ReportChoice] | None,
        typer.Option(
            "--format",
            "-f",
            help="html, json, csv, ocsf or table (the terminal); repeatable "
            "(default: from -o's suffix, else json).",
        ),
    ] = None,
    severity: Annotated[
        list[Severity] | None,
        typer.Option(
            "--severity", case_sensitive=False, help="Only findings of this severity; repeatable."
        ),
    ] = None,
    status: Annotated[
        list[Status] | None,
        typer.Option(
            "--status", case_sensitive=False, help="Only findings with this status; repeatable."
        ),
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Only this check; repeatable.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Render stored scans; several formats share -o's name with their own suffixes."""
    settings = load_settings(config)
    only = FindingFilter.of(
        checks=check or [],
        severities=[s.value for s in severity or []],
        statuses=[s.value for s in status or []],
    )
    chosen = list(dict.fromkeys(fmt or []))
    store = open_store(settings.database_url)
    if ReportChoice.TABLE in chosen:
        if len(chosen) > 1 or output not in (None, "-"):
            raise UsageError("-f table prints to the terminal: give it alone, without -o")
        print_report_table(
            store,
            scan=scan,
            run=run,
            accounts=list(account or []),
            only=None if only.is_empty else only,
        )
        return
    if output is None:
        raise UsageError("give -o FILE (or -o - for stdout), or -f table for the terminal")
    written = write_report(
        store,
        scan=scan,
        run=run,
        accounts=list(account or []),
        formats=[ReportFormat(c.value) for c in chosen],
        output=output,
        only=None if only.is_empty else only,
    )
    if not chosen_output().quiet:
        for path in written:
            typer.echo(f"wrote {path}", err=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
