"""`auditor scans` lists the stored scans; `auditor db delete` removes some."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from auditor.cli.errors import UsageError
from auditor.cli.options import ConfigOption, chosen_output, output_console, output_options
from auditor.config import load_settings
from auditor.history import ScanSelectionError, run_by_id_or_prefix, scan_by_id_or_prefix
from auditor.store import reads, repository
from auditor.store.database import open_store
from auditor.store.scans import ScanStatus

STATUSES = ("FAIL", "UNKNOWN", "MUTED", "PASS")
DEFAULT_LIMIT = 20


@output_options()
def scans_command(
    account: Annotated[
        list[str] | None,
        typer.Option("--account", "-a", help="Only this 12-digit account; repeat for several."),
    ] = None,
    run: Annotated[
        str | None,
        typer.Option(
            "--run",
            help="Only the scans of this run: its ID (or a unique prefix), or 'latest' (the "
            "newest run none of whose scans is still running).",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Newest scans shown (default 20; with --run, all of them)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """List stored scans, newest first: ID, run, account, regions, status, calls, findings."""
    store = open_store(load_settings(config).database_url)
    with store.session() as session:
        run_id = _run_id(session, run, account or []) if run is not None else None
        shown = limit if limit is not None or run_id is not None else DEFAULT_LIMIT
        scans = reads.newest_scans(session, account or [], shown, run_id)
        found: dict[str, Counter[str]] = {scan.id: Counter() for scan in scans}
        for scan_id, _, status, number in reads.finding_counts(session, list(found)):
            found[scan_id][status] += number
    if not scans:
        if not chosen_output().quiet:
            named = ", ".join(account or [])
            empty = f"run {run_id} has no scan of account {named}" if run_id else ""
            typer.echo(empty or "no scans in the store: run `auditor scan` first", err=True)
        return
    table = Table(box=None, pad_edge=False)
    # The ID is never cut: it is what --scan and `db delete --scan` take.
    table.add_column("scan id", no_wrap=True, min_width=len(scans[0].id))
    # Whole too: what `report --run` and `notify --run` take.
    table.add_column("run id", no_wrap=True)
    for column in ("account", "regions", "status", "started (UTC)", "API calls"):
        table.add_column(column, overflow="fold")
    table.add_column("FAIL/UNKNOWN/MUTED/PASS", no_wrap=True)
    for scan in scans:
        table.add_row(
            scan.id,
            scan.run_id or "-",
            scan.account_id,
            ",".join(scan.regions),
            scan.status,
            scan.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(scan.api_calls),
            "/".join(str(found[scan.id][status]) for status in STATUSES),
        )
    output_console(highlight=False, width=max(240, output_console().width)).print(table)


def _run_id(session: Session, run: str, accounts: Sequence[str]) -> str:
    """The run named by ``--run``, or a one-line usage error."""
    try:
        if run == "latest":
            found = reads.latest_finished_run(session, accounts)
            if found is None:
                raise ScanSelectionError("no finished run in the store: run `auditor scan` first")
            return found
        return run_by_id_or_prefix(session, run)
    except ScanSelectionError as error:
        raise UsageError(str(error)) from None


def db_delete_command(
    scan: Annotated[
        str | None, typer.Option("--scan", help="Scan ID (or a unique prefix) to delete.")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Delete every scan of this account.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Delete scans (their findings and inventory too); a running scan is never deleted."""
    if (scan is None) == (account is None):
        raise UsageError("give --scan ID or --account ID (one of them)")
    store = open_store(load_settings(config).database_url)
    with store.session() as session:
        if scan is not None:
            try:
                victims = [scan_by_id_or_prefix(session, scan)]
            except ScanSelectionError as error:
                raise UsageError(str(error)) from None
        else:
            assert account is not None  # one of --scan and --account, checked above
            victims = reads.scans_of_account(session, account)
        running = [s.id for s in victims if s.status == ScanStatus.RUNNING]
        if running:
            raise UsageError(f"scan {running[0]} is running; it cannot be deleted")
        ids = [s.id for s in victims]
        repository.delete_scans(session, ids)
    if chosen_output().quiet:
        return
    for scan_id in ids:
        typer.echo(f"deleted scan {scan_id}")
    if not ids:
        typer.echo(f"no scans of account {account} in the store", err=True)
