"""The `auditor` command line: thin commands over the engine, the store and the renderers."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from auditor import __version__
from auditor.cli.errors import EXIT_USAGE, UsageError

app = typer.Typer(
    name="auditor",
    help="Audit AWS accounts for the ways ECS Fargate tasks break or degrade on the network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the store (SQLite or PostgreSQL).", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Audit AWS accounts for the ways ECS Fargate tasks break or degrade on the network."""


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from auditor.config import load_settings
    from auditor.store.database import open_store

    settings = load_settings()
    store = open_store(settings.database_url)
    typer.echo(f"database is up to date: {store.engine.url.render_as_string(hide_password=True)}")


@db_app.command("prune")
def db_prune() -> None:
    """Delete resource rows of scans older than the retention period; findings are kept."""
    from auditor.config import load_settings
    from auditor.engine import prune
    from auditor.store.database import open_store

    settings = load_settings()
    count = prune(open_store(settings.database_url), settings)
    typer.echo(f"pruned the inventory of {count} scan(s) older than {settings.retention_days} days")


def _register_commands() -> None:
    from auditor.cli import config_cmd, report_cmd, serve_cmd
    from auditor.cli.checks_cmd import explain_command, list_checks_command
    from auditor.cli.iam_cmd import iam_policy_command
    from auditor.cli.notify_cmd import notify_app
    from auditor.cli.scan_cmd import scan_command

    app.command("scan")(scan_command)
    report_cmd.register(app)
    app.add_typer(notify_app, name="notify")
    app.command("checks")(list_checks_command)
    app.command("explain")(explain_command)
    app.command("iam-policy")(iam_policy_command)
    serve_cmd.register(app)
    config_cmd.register(app)


def _known_errors() -> tuple[type[BaseException], ...]:
    from auditor.accounts import AccountResolutionError
    from auditor.aws import AccountAccessError, UnknownRegionError
    from auditor.config import ConfigError
    from auditor.muting import SuppressionFileError
    from auditor.store.database import StoreError

    return (
        UsageError,
        AccountAccessError,
        AccountResolutionError,
        StoreError,
        ConfigError,
        UnknownRegionError,
        SuppressionFileError,
    )


def main() -> None:
    """Entry point: known errors become one line on stderr and exit 2, never a traceback."""
    _register_commands()
    try:
        # Not standalone: Typer hands back the command's exit code and lets usage errors
        # through, so they become one line like every other error.
        code = app(standalone_mode=False)
    except typer.TyperException as error:
        format_message = getattr(error, "format_message", None)
        message = format_message() if callable(format_message) else str(error)
        if type(error).__name__ == "NoArgsIsHelpError":
            print(message, file=sys.stderr)  # the help text itself
        else:
            print(f"auditor: error: {' '.join(str(message).split())}", file=sys.stderr)
        sys.exit(getattr(error, "exit_code", EXIT_USAGE))
    except typer.Abort:
        print("auditor: aborted", file=sys.stderr)
        sys.exit(130)
    except _known_errors() as error:
        for line in str(error).splitlines() or [type(error).__name__]:
            print(f"auditor: error: {line}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # last resort: one line unless debugging
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        first = (str(error).splitlines() or [""])[0]
        print(
            f"auditor: internal error: {type(error).__name__}: {first} "
            "(set AUDITOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else 0)
