"""`auditor scan`: collect, evaluate, store, and write the chosen formats."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.cli.errors import EXIT_INCOMPLETE, UsageError
from auditor.cli.options import (
    ConfigOption,
    ProfileOption,
    chosen_output,
    output_options,
    use_profile,
)
from auditor.cli.outputs import plan_outputs
from auditor.cli.scan_flags import FailOn, Shard, validate_account_ids
from auditor.config import Settings, load_settings
from auditor.gc_tuning import fewer_collections
from auditor.report.filters import FindingFilter
from auditor.report.formats import ReportFormat


@output_options()
@fewer_collections()
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
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check", help="Show and count only this check; repeatable (all are stored)."
        ),
    ] = None,
    exclude_check: Annotated[
        list[str] | None,
        typer.Option("--exclude-check", help="Hide this check; repeatable (it is stored)."),
    ] = None,
    mutelist: Annotated[
        Path | None,
        typer.Option(
            "--mutelist", help="Suppression (mute) rules file; overrides suppressions_file."
        ),
    ] = None,
    lock_wait: Annotated[
        float,
        typer.Option(
            "--lock-wait",
            min=0,
            help="Seconds to wait for an account another scan (CLI or serve) holds; "
            "0 stops at once with a message (exit 3).",
        ),
    ] = 0,
    profile: ProfileOption = None,
    config: ConfigOption = None,
    shard: Annotated[
        str | None,
        typer.Option(
            help="Scan only shard i of n (e.g. 2/4): the accounts whose ID modulo n is i-1, "
            "for one-shot jobs that split an organisation between replicas.",
        ),
    ] = None,
) -> None:
    """Collect, evaluate and store a scan of one or more accounts.

    Exit codes, highest precedence first: 143 stopped by SIGTERM (130 by Ctrl-C), the scan
    marked failed; 2 usage or configuration error, before any scan; 3 a scan partial or
    failed, an account that could not be reached or locked by another scan included; 1 a
    FAIL at or above --fail-on;
    0 otherwise.
    """
    quiet = chosen_output().quiet
    use_profile(profile)
    overrides = {"suppressions_file": str(mutelist)} if mutelist else {}
    settings = load_settings(config, **overrides)
    only = FindingFilter.of(checks=check or [], exclude_checks=exclude_check or [])
    chosen_shard = Shard.parse(shard) if shard is not None else None
    formats = list(fmt or [])
    if formats or output:
        plan_outputs(formats, output)  # bad output flags fail before any work
    if demo:
        from auditor.cli.demo_run import run_demo

        if account:
            raise UsageError("--demo scans the demo accounts; drop --account")
        if chosen_shard is not None:
            raise UsageError("--demo scans the demo accounts; drop --shard")
        code = run_demo(
            settings, formats=formats, output=output, fail_on=fail_on, progress=progress
        )
        raise typer.Exit(code)
    only_account = validate_account_ids(account) if account is not None else []
    if len(only_account) == 1 and only_account[0] not in settings.accounts.exclude:
        # One account scans in this process: its first AWS call (who are we?) leaves now,
        # while aiobotocore, the store, collectors and checks are imported and the store is
        # opened (auditor.aws is not imported before the call: it loads aiobotocore).
        from auditor.aws_calls import validate_regions
        from auditor.caller_prefetch import prefetch_caller

        regions = list(region or []) or settings.regions
        validate_regions(regions)
        # Then, if the scan reads the caller's own account, its ECS listing leaves too.
        prefetch_caller(
            settings, then=partial(_ecs_listing_ahead, settings, only_account[0], regions)
        )
    from auditor.cli.scanning import run_scan

    _, code = run_scan(
        settings,
        account_ids=list(account or []),
        regions=list(region or []),
        formats=formats,
        output=output,
        fail_on=fail_on,
        progress=progress,
        only=None if only.is_empty else only,
        quiet=quiet,
        lock_wait=lock_wait,
        shard=chosen_shard,
    )
    if code == EXIT_INCOMPLETE:
        from auditor.cli.console import stderr

        stderr.print("[yellow]scan incomplete: verdicts may be missing (exit 3)[/]")
    raise typer.Exit(code)


def _ecs_listing_ahead(
    settings: Settings, account_id: str, regions: list[str], caller_account: str, session: Any
) -> Callable[[], None] | None:
    """``auditor.ecs_prefetch.prepare``, imported in the prefetch thread, after the first
    call has left (it loads the collectors' request code)."""
    from auditor import ecs_prefetch

    return ecs_prefetch.prepare(settings, account_id, regions, caller_account, session)
