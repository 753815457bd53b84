"""`auditor scan --demo`: the real pipeline against a seeded, in-process moto server.

Scans twice, a baseline and then after a few changes, so history-based checks and diffs show.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from auditor.cli.console import stderr
from auditor.cli.errors import EXIT_INCOMPLETE
from auditor.cli.scan_cmd import FailOn, run_scan
from auditor.config import Settings
from auditor.report.formats import ReportFormat
from auditor.store.database import open_store

# Credentials that only the local moto server accepts: the demo must never reach real AWS,
# whatever the user's environment holds.
DEMO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN")


def run_demo(
    settings: Settings,
    *,
    formats: Sequence[ReportFormat],
    output: str | None,
    fail_on: FailOn,
    progress: bool,
) -> int:
    from auditor.demo.estate import apply_changes, seed_estate
    from auditor.demo.server import DemoMoto

    store = open_store(settings.database_url)
    with DemoMoto() as moto:
        for name in CLEARED:
            os.environ.pop(name, None)
        os.environ.update(DEMO_ENVIRONMENT)
        os.environ["AWS_ENDPOINT_URL"] = moto.url
        stderr.print(f"[bold]Demo:[/] moto server on {moto.url}; seeding the demo estate…")
        estate = seed_estate(moto.url)
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
        )
        stderr.print("[bold]Changes between the scans:[/]")
        for change in apply_changes(moto.url, estate):
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
        )
    stderr.print(
        "Next: [bold]auditor report --format html -o report.html[/] renders the latest scans."
    )
    if code == EXIT_INCOMPLETE:
        stderr.print("[yellow]a demo scan was incomplete (exit 3)[/]")
    return code
