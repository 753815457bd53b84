"""Terminal output for scans: a live progress display and the one-screen summary (stderr)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditor.engine import ScanOutcome
from collectors.api import Outcome, ProgressCallback, ProgressEvent

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
STATUS_ORDER = ("FAIL", "UNKNOWN", "MUTED", "PASS")

stderr = Console(stderr=True, highlight=False)


@dataclass
class _RegionProgress:
    task: TaskID
    done: int = 0
    failed: int = 0
    calls: int = 0
    collectors: set[str] = field(default_factory=set)


@contextmanager
def scan_progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A callback that draws one line per account and region, or None when not a terminal."""
    if not enabled or not stderr.is_terminal:
        yield None
        return
    rows: dict[tuple[str, str], _RegionProgress] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("[dim]{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as progress:

        def on_event(event: ProgressEvent) -> None:
            key = (event.account_id, event.region)
            row = rows.get(key)
            if row is None:
                task = progress.add_task(f"{event.account_id} {event.region}", detail="")
                row = rows[key] = _RegionProgress(task)
            row.collectors.add(event.collector)
            row.done = len(row.collectors)
            row.failed += event.status != Outcome.OK
            row.calls += event.api_calls
            failed = f", [red]{row.failed} failed[/]" if row.failed else ""
            progress.update(
                row.task,
                detail=f"collectors done: {row.done}{failed} · API calls: {row.calls}",
            )

        yield on_event


def print_summary(
    outcomes: Sequence[ScanOutcome],
    written: Sequence[str],
    causes: Sequence[str] = (),
) -> None:
    """The one-screen summary: scans, resources, findings, root causes, API calls, outputs."""
    scans = Table(title="Scans", title_justify="left", expand=False)
    for column in ("account", "status", "regions", "API calls", "duration", "scan id"):
        scans.add_column(column)
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
    _print_counts(outcomes)
    print_causes(causes)
    _print_problems(outcomes)
    total_calls = sum(o.api_calls for o in outcomes)
    stderr.print(f"[bold]API calls:[/] {total_calls}")
    for path in written:
        stderr.print(f"[bold]Wrote[/] {escape(path)}")


def print_causes(lines: Sequence[str]) -> None:
    """What broke, one line per root cause (the first line says how many and whom)."""
    if not lines:
        return
    stderr.print(f"[bold]What broke:[/] {escape(lines[0])}")
    for line in lines[1:]:
        stderr.print(f"  • {escape(line)}")


def _print_counts(outcomes: Sequence[ScanOutcome]) -> None:
    resources: Counter[str] = Counter()
    findings: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        resources.update(outcome.resources)
        findings.update(outcome.findings)
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
            counts = [findings.get((severity, status), 0) for status in STATUS_ORDER]
            if any(counts):
                table.add_row(severity, *(str(c) if c else "·" for c in counts))
        stderr.print(table)


def _print_problems(outcomes: Sequence[ScanOutcome]) -> None:
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
