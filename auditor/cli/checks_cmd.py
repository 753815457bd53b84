"""`auditor checks` lists the catalogue; `auditor explain CHECK_ID` prints one check's page.

Plain functions: the CLI module registers them as Typer commands.
"""

from __future__ import annotations

import difflib

import typer
from rich.markdown import Markdown

from auditor.checkdocs import render_check
from auditor.cli.errors import EXIT_USAGE
from auditor.cli.options import output_console, output_options
from checks import all_checks, get_check


@output_options()
def list_checks_command() -> None:
    """List every check with its severity and title, one per line."""
    rows = [("CHECK", "SEVERITY", "TITLE")]
    rows += [(c.meta.id, c.meta.severity.value, c.meta.title) for c in all_checks()]
    width = max(len(row[0]) for row in rows)
    for check_id, severity, title in rows:
        typer.echo(f"{check_id:<{width}}  {severity:<8}  {title}")


@output_options()
def explain_command(check_id: str) -> None:
    """Print the documentation of one check: seed, rationale, fix steps, data it reads."""
    check = get_check(check_id)
    if check is None:
        known = [c.meta.id for c in all_checks()]
        close = difflib.get_close_matches(check_id, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; run `auditor checks` for the list"
        typer.echo(f"error: unknown check {check_id!r}{hint}", err=True)
        raise typer.Exit(EXIT_USAGE)
    console = output_console()
    if console.is_terminal:
        console.print(Markdown(render_check(check.meta, level=1)))
    else:
        typer.echo(render_check(check.meta, level=1), nl=False)
