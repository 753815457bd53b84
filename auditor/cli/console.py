"""Terminal output for scans: a live progress display and the one-screen summary (stderr)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditor.cli.scan_results import FindingRow, counts, top_failing
from auditor.engine import ScanSummary, owner_hints
from collectors.results import ProgressCallback, ProgressEvent

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
STATUS_ORDER = ("FAIL", "UNKNOWN", "MUTED", "PASS")

# NO_COLOR (or --no-color before this module loads): no colour and no bold or dim either.
stderr = Console(stderr=True, highlight=False)
if os.environ.get("NO_COLOR"):
    stderr._color_system = None  # what Console(color_system=None) sets


@dataclass
class _AccountProgress:
    task: TaskID
    done: int = 0
    failed: int = 0
    calls: int = 0
    regions_done: int = 0
    regions: int = 0


def progress_line(row: _AccountProgress) -> str:
    """``3 of 17 regions · 40 collectors, 2 failed · 87 API calls``: short enough for 80
    columns next to the account ID, however many regions."""
    failed = f", [red]{row.failed} failed[/]" if row.failed else ""
    regions = f"{row.regions_done} of {row.regions} regions · " if row.regions else ""
    return f"{regions}{row.done} collectors{failed} · {row.calls} API calls"


@contextmanager
def scan_progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A callback that draws one line per account, or None when not a terminal."""
    if not enabled or not stderr.is_terminal:
        yield None
        return
    rows: dict[str, _AccountProgress] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("[dim]{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as progress:

        def on_event(event: ProgressEvent) -> None:
            row = rows.get(event.account_id)
            if row is None:
                task = progress.add_task(event.account_id, detail="")
                row = rows[event.account_id] = _AccountProgress(task)
            row.done += 1
            row.failed += event.status.failed
            # The event carries the account's running total: a figure, not an increment.
            row.calls = max(row.calls, event.api_calls)
            row.regions_done, row.regions = event.regions_done, event.regions
            progress.update(row.task, detail=progress_line(row))

        yield on_event


def print_summary(
    outcomes: Sequence[ScanSummary],
    written: Sequence[str],
    causes: Sequence[str] = (),
    rows: Sequence[FindingRow] | None = None,
    *,
    database_url: str | None = None,
) -> None:
    """The one-screen summary: scans, resources, findings, root causes, what to act on,
    API calls, outputs, the next step.

    ``rows`` are the findings shown (narrowed by ``--check``); without them the outcomes'
    own counts are used.
    """
    scans = Table(title="Scans", title_justify="left", expand=False)
    for column in ("account", "status", "regions", "API calls", "duration"):
        scans.add_column(column, overflow="fold")
    # Whole, never cut with an ellipsis: it is what `--scan` and `db delete` take.
    longest = max((len(o.scan_id) for o in outcomes), default=8)
    scans.add_column("scan id", no_wrap=True, min_width=longest)
    for outcome in outcomes:
        colour = {"complete": "green", "partial": "yellow"}.get(outcome.status, "red")
        duration = ""
        if outcome.started_at and outcome.finished_at:
            duration = f"{(outcome.finished_at - outcome.started_at).total_seconds():.1f}s"
        scans.add_row(
            outcome.account_id,
            f"[{colour}]{outcome.status}[/]",
            ", ".join(outcome.regions),
            str(outcome.api_calls),
            duration,
            outcome.scan_id,
        )
    stderr.print(scans)
    _print_counts(outcomes, rows)
    print_causes(causes)
    if rows is not None:
        _print_top_failing(rows)
    _print_problems(outcomes)
    total_calls = sum(o.api_calls for o in outcomes)
    stderr.print(f"[bold]API calls:[/] {total_calls}")
    for path in written:
        stderr.print(f"[bold]Wrote[/] {escape(path)}")
    runs = sorted({o.run_id for o in outcomes if o.run_id})
    if len(outcomes) > 1 and len(runs) == 1:
        # Whole, like the scan IDs: it is what `report --run` and `notify --run` take.
        stderr.print(f"[bold]Run:[/] {runs[0]} ({len(outcomes)} accounts)", soft_wrap=True)
    if rows is not None and outcomes:
        if len(outcomes) == 1:
            selection = f"--scan {outcomes[0].scan_id}"
        else:
            selection = f"--run {runs[0]}" if len(runs) == 1 else "--scan latest"
        store = f"AUDITOR_DATABASE_URL={escape(database_url)} " if database_url else ""
        stderr.print(
            f"[bold]Next:[/] {store}auditor report {selection} -f table --status FAIL   "
            f"(or -o report.html)",
            soft_wrap=True,  # a command to copy: never broken across lines
        )


def print_causes(lines: Sequence[str]) -> None:
    """What broke, one line per root cause (the first line says how many and whom)."""
    if not lines:
        return
    stderr.print(f"[bold]What broke:[/] {escape(lines[0])}")
    for line in lines[1:]:
        stderr.print(f"  • {escape(line)}")


def _print_counts(outcomes: Sequence[ScanSummary], rows: Sequence[FindingRow] | None) -> None:
    resources: Counter[str] = Counter()
    findings: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        resources.update(outcome.resources)
        if rows is None:
            findings.update(outcome.findings)
    if rows is not None:
        findings = counts(rows)
    if resources:
        stderr.print(
            "[bold]Resources:[/] "
            + ", ".join(f"{kind} {n}" for kind, n in sorted(resources.items()))
        )
    if findings:
        table = Table(title="Findings", title_justify="left")
        table.add_column("severity")
        for status in STATUS_ORDER:
            table.add_column(status, justify="right")
        for severity in SEVERITY_ORDER:
            numbers = [findings.get((severity, status), 0) for status in STATUS_ORDER]
            if any(numbers):
                table.add_row(severity, *(str(c) if c else "·" for c in numbers))
        stderr.print(table)


def _short(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _print_top_failing(rows: Sequence[FindingRow]) -> None:
    """The checks to act on first: resources failing each, and one example."""
    failing = top_failing(rows)
    if not failing:
        return
    stderr.print("[bold]Act on first:[/]")
    for item in failing:
        example = item.example
        stderr.print(
            f"  [red]{item.check_id}[/] ({item.severity}): {item.resources} resource(s), "
            f"e.g. {escape(example.resource)} in {example.account_id} {example.region}: "
            f"{escape(_short(example.message))}",
            overflow="fold",
        )


def _print_problems(outcomes: Sequence[ScanSummary]) -> None:
    for outcome in outcomes:
        if outcome.error:
            stderr.print(f"[red]{outcome.account_id}: {escape(outcome.error)}[/]")
        for error in outcome.collection_errors:
            level = "warning" if error.optional else "error"
            stderr.print(
                f"[yellow]{outcome.account_id} {error.region} {error.collector}: "
                f"{level}: {escape(error.error or error.status)}[/]"
            )
        for rule in outcome.expired_rules:
            stderr.print(f"[yellow]expired suppression rule: {escape(rule)}[/]")
    for line in owner_hints(outcomes):
        stderr.print(f"[yellow]{escape(line)}[/]")
