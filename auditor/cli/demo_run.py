"""`auditor scan --demo`: the real pipeline against a seeded, in-process moto server.

Scans twice, a baseline and then after a few changes, so history-based checks and diffs show.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.cli.console import stderr
from auditor.cli.errors import EXIT_INCOMPLETE
from auditor.cli.scan_flags import FailOn
from auditor.cli.scanning import run_scan
from auditor.config import Settings
from auditor.report.formats import ReportFormat
from auditor.store.database import open_store


def run_demo(
    settings: Settings,
    *,
    formats: Sequence[ReportFormat],
    output: str | None,
    fail_on: FailOn,
    progress: bool,
) -> int:
    from auditor.demo.environment import demo_aws, demo_database_url
    from auditor.demo.estate import apply_changes

    # The demo's own store (printed), unless AUDITOR_DATABASE_URL names one: its made-up
    # accounts never mix with real scans.
    database_url = demo_database_url()
    store = open_store(database_url)
    stderr.print(f"[bold]Demo:[/] results are stored in {database_url}", soft_wrap=True)
    stderr.print("[bold]Demo:[/] starting a local moto server and seeding the demo estate…")
    with demo_aws() as demo:
        estate = demo.estate
        stderr.print(f"[bold]Demo:[/] moto server on {demo.url}")
        for line in estate.description():
            stderr.print(f"  {line}")
        demo_settings = settings.model_copy(
            update={"role_name": "auditor-readonly", "external_id": None, "regions": []}
        )
        stderr.print("[bold]Scan 1 of 2:[/] baseline")
        run_scan(
            demo_settings,
            account_ids=estate.accounts,
            regions=estate.regions,
            formats=[],
            output=None,
            fail_on=fail_on,
            progress=progress,
            trigger="demo",
            store=store,
            database_url=database_url,
        )
        stderr.print("[bold]Changes between the scans:[/]")
        for change in apply_changes(demo.url, estate):
            stderr.print(f"  • {change}")
        stderr.print("[bold]Scan 2 of 2:[/] after the changes")
        _, code = run_scan(
            demo_settings,
            account_ids=estate.accounts,
            regions=estate.regions,
            formats=formats,
            output=output,
            fail_on=fail_on,
            progress=progress,
            trigger="demo",
            store=store,
            database_url=database_url,
        )
    if code == EXIT_INCOMPLETE:
        stderr.print("[yellow]a demo scan was incomplete (exit 3)[/]")
    return code
