"""The `auditor` command line: thin commands over the engine, the store and the renderers."""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from typing import Annotated, NoReturn

import typer
import typer.main
from typer import _click
from typer.core import TyperCommand, TyperGroup

from auditor import __version__
from auditor.cli.errors import EXIT_INCOMPLETE, EXIT_USAGE, UsageError
from auditor.cli.log_output import log_warnings_in_one_line
from auditor.cli.options import ConfigOption, chosen_output, output_options
from auditor.cli.signals import EXIT_SIGINT, EXIT_SIGTERM, handle_sigterm_like_sigint, terminated

# Each command's module loads only when that command runs, so `auditor --version` and
# `auditor --help` import none of aiobotocore, SQLAlchemy, Jinja, moto or the checks.
# name → (module, attribute: a command function or a Typer group, the help line for --help).
# tests/cli/test_cli_imports.py checks every help line against the command's own docstring.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "scan": (
        "auditor.cli.scan_cmd",
        "scan_command",
        "Collect, evaluate and store a scan of one or more accounts.",
    ),
    "report": (
        "auditor.cli.report_cmd",
        "report_command",
        "Render stored scans; several formats share -o's name with their own suffixes.",
    ),
    "checks": (
        "auditor.cli.checks_cmd",
        "list_checks_command",
        "List every check with its severity and title, one per line.",
    ),
    "explain": (
        "auditor.cli.checks_cmd",
        "explain_command",
        "Print the documentation of one check: seed, rationale, fix steps, data it reads.",
    ),
    "iam-policy": (
        "auditor.cli.iam_cmd",
        "iam_policy_command",
        "Print the IAM policy document (JSON) for the role the auditor runs as.",
    ),
    "serve": (
        "auditor.cli.serve_cmd",
        "serve_command",
        "Run scans, alerts, the weekly email and pruning on their schedules until SIGTERM.",
    ),
    "scans": (
        "auditor.cli.scans_cmd",
        "scans_command",
        "List stored scans, newest first: ID, run, account, regions, status, calls, findings.",
    ),
    "notify": ("auditor.cli.notify_cmd", "notify_app", "Send what changed to Slack or by email."),
    "config": ("auditor.cli.config_cmd", "config_app", "Check the configuration."),
}


def load_command(name: str) -> _click.Command:
    """Import one lazily registered command and build its click command."""
    module_name, attribute, _ = LAZY_COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    holder = typer.Typer()
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_group(holder).commands[name]


class LazyGroup(TyperGroup):
    """The root group: lists every command, imports one only when it is invoked."""

    _listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return [*LAZY_COMMANDS, *(name for name in eager if name not in LAZY_COMMANDS)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in LAZY_COMMANDS or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the help page needs names and help lines only
            help_line = LAZY_COMMANDS[cmd_name][2]
            return TyperCommand(cmd_name, help=help_line, short_help=help_line)
        command = load_command(cmd_name)
        self.commands[cmd_name] = command
        # What the command imported lives as long as the process: leave it out of every
        # later garbage collection, which then only walks what the command itself creates.
        gc.freeze()
        return command

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=LazyGroup,
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
@output_options()
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply every pending migration to the configured database."""
    from auditor.config import load_settings
    from auditor.store.database import open_store

    settings = load_settings(config)
    store = open_store(settings.database_url)
    if not chosen_output().quiet:
        url = store.engine.url.render_as_string(hide_password=True)
        typer.echo(f"database is up to date: {url}")


@db_app.command("prune")
@output_options()
def db_prune(config: ConfigOption = None) -> None:
    """Delete resource rows of scans older than the retention period; findings are kept."""
    from auditor.config import load_settings
    from auditor.engine import prune
    from auditor.store.database import open_store

    settings = load_settings(config)
    count = prune(open_store(settings.database_url), settings)
    if not chosen_output().quiet:
        days = settings.retention_days
        typer.echo(f"pruned the inventory of {count} scan(s) older than {days} days")


@db_app.command("delete")
@output_options()
def db_delete(
    scan: Annotated[
        str | None, typer.Option("--scan", help="Scan ID (or a unique prefix) to delete.")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Delete every scan of this account.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Delete scans (their findings and inventory too); a running scan is never deleted."""
    from auditor.cli.scans_cmd import db_delete_command

    db_delete_command(scan=scan, account=account, config=config)


def _known_errors() -> tuple[type[BaseException], ...]:
    from auditor.accounts import AccountResolutionError
    from auditor.aws import AccountAccessError
    from auditor.aws_calls import UnknownRegionError
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


def _incomplete_errors() -> tuple[type[BaseException], ...]:
    from auditor.cli.scan_locks import AccountBusyError

    return (AccountBusyError,)


def _database_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import DBAPIError

    return (DBAPIError,)


def _exit_interrupted() -> NoReturn:
    """Ctrl-C or SIGTERM: a scan in progress has been marked failed ("interrupted")."""
    if terminated():
        print("auditor: terminated by SIGTERM (a running scan is marked failed)", file=sys.stderr)
        sys.exit(EXIT_SIGTERM)
    print("auditor: interrupted (a running scan is marked failed)", file=sys.stderr)
    sys.exit(EXIT_SIGINT)


def _skip_final_collection() -> None:
    """The interpreter's last collection walks every object left (seconds after a scan of
    thousands of tasks) only to free memory the process hands back on exit anyway."""
    gc.disable()
    gc.freeze()


def main() -> None:
    """Entry point: known errors become one line on stderr and exit 2, never a traceback."""
    atexit.register(_skip_final_collection)
    handle_sigterm_like_sigint()
    log_warnings_in_one_line()
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
        _exit_interrupted()
    except _known_errors() as error:
        for line in str(error).splitlines() or [type(error).__name__]:
            print(f"auditor: error: {line}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _exit_interrupted()
    except _incomplete_errors() as error:
        print(f"auditor: error: {' '.join(str(error).split())}", file=sys.stderr)
        sys.exit(EXIT_INCOMPLETE)
    except _database_errors() as error:
        # The store went away (server down, connection cut): whatever was running is lost.
        # A scan left `running` is marked failed by the next scan or `serve` to start.
        message = " ".join(str(getattr(error, "orig", None) or error).split())[:300]
        print(f"auditor: error: the database failed: {message}", file=sys.stderr)
        sys.exit(EXIT_INCOMPLETE)
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
    if code == EXIT_SIGINT:  # Typer turns KeyboardInterrupt into exit code 130
        _exit_interrupted()
    sys.exit(code if isinstance(code, int) else 0)
