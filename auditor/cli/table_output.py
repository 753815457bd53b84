"""``auditor report -f table``: findings on the terminal, most severe first.

Built as a list of sections (findings now; a root-cause section can be added beside it) that
print one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from auditor.cli.options import output_console
from auditor.cli.scan_results import FindingRow

if TYPE_CHECKING:
    from auditor.report.causes import RootCauses

STATUS_RANK = {"FAIL": 0, "UNKNOWN": 1, "MUTED": 2, "PASS": 3}
STATUS_COLOUR = {"FAIL": "red", "UNKNOWN": "yellow", "MUTED": "dim", "PASS": "green"}

Section = Callable[[Console, Sequence[FindingRow]], None]


def _order(row: FindingRow) -> tuple[int, int, str, str, str, str]:
    from auditor.history import severity_rank

    return (
        STATUS_RANK.get(row.status, 9),
        severity_rank(row.severity),
        row.check_id,
        row.account_id,
        row.region,
        row.resource,
    )


def findings_section(console: Console, rows: Sequence[FindingRow]) -> None:
    if not rows:
        console.print("no findings match")
        return
    table = Table(title=f"Findings ({len(rows)})", title_justify="left")
    for column in ("status", "severity", "check", "account", "region"):
        table.add_column(column, no_wrap=True)
    for column in ("resource", "message"):
        table.add_column(column, overflow="fold", ratio=1)
    for row in sorted(rows, key=_order):
        colour = STATUS_COLOUR.get(row.status, "")
        table.add_row(
            f"[{colour}]{row.status}[/]" if colour else row.status,
            row.severity,
            row.check_id,
            row.account_id,
            row.region,
            escape(row.resource),
            escape(row.message),
        )
    console.print(table)


def causes_section(console: Console, causes: RootCauses, limit: int = 20) -> None:
    """What broke, one row per root cause, before the findings."""
    current = causes.current
    if not current and not causes.fixed:
        return
    table = Table(
        title=f"Root causes ({len(causes.new)} new, {len(causes.open)} still open, "
        f"{len(causes.fixed)} fixed)",
        title_justify="left",
    )
    for column in ("", "status", "severity", "account", "region"):
        table.add_column(column, no_wrap=True)
    table.add_column("what broke → whom it affects", overflow="fold", ratio=1)
    for cause in [*current[:limit], *causes.fixed[: max(0, limit - len(current))]]:
        colour = STATUS_COLOUR.get(cause.status, "")
        table.add_row(
            cause.change.value,
            "[green]fixed[/]" if cause.change.value == "fixed" else f"[{colour}]{cause.status}[/]",
            cause.severity,
            cause.account_id,
            cause.region,
            escape(f"{cause.what} → {cause.effect}"),
        )
    console.print(table)
    rest = len(current) + len(causes.fixed) - limit
    if rest > 0:
        console.print(f"… and {rest} more root causes in the HTML report")


SECTIONS: list[Section] = [findings_section]


def print_table(
    rows: Sequence[FindingRow],
    console: Console | None = None,
    causes: RootCauses | None = None,
) -> None:
    out = console or output_console(highlight=False)
    if causes is not None:
        causes_section(out, causes)
    for section in SECTIONS:
        section(out, rows)
