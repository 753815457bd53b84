"""`auditor notify slack|email`: tell people what changed, from the store."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from auditor.cli.errors import UsageError
from auditor.cli.options import ConfigOption, chosen_output, log_level, output_options
from auditor.config import load_settings
from auditor.history import ScanSelectionError
from auditor.notify.email import notify_email
from auditor.notify.settings import ReportLinkSettings
from auditor.notify.slack import NotifyConfigError, notify_slack
from auditor.store.database import open_store

# A delivery that failed after its retries: the scan is kept, the message is not sent.
EXIT_DELIVERY_FAILED = 4

notify_app = typer.Typer(help="Send what changed to Slack or by email.", no_args_is_help=True)

ScanOption = Annotated[
    str | None,
    typer.Option(
        "--scan",
        help="Scan ID (or a unique prefix), or 'latest' (the default): the newest finished "
        "scan (complete, partial or failed) of each account, or of --account, not posted yet.",
    ),
]
RunOption = Annotated[
    str | None,
    typer.Option(
        "--run",
        help="Run ID (or a unique prefix), or 'latest': one message for the scans of one "
        "`auditor scan` of many accounts, a section per account.",
    ),
]


def _one_of(scan: str | None, run: str | None) -> str:
    if scan is not None and run is not None:
        raise UsageError("give --scan or --run, not both")
    return scan or "latest"


AccountOption = Annotated[
    list[str] | None,
    typer.Option("--account", "-a", help="Only this 12-digit account; repeat for several."),
]
S = TypeVar("S", bound=BaseSettings)


def _settings(kind: type[S]) -> S:
    try:
        return kind()
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"]) or kind.__name__
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise UsageError(f"{kind.__name__} {field}: {message}") from None


def _log_to_stderr() -> None:
    """Show the notifiers' progress lines (retries, deliveries) unless -q, not other
    libraries' logs (those follow -v and --log-level)."""
    choice = chosen_output()
    level = log_level(quiet=choice.quiet, verbose=max(choice.verbose, 1), level=choice.level)
    logger = logging.getLogger("auditor.notify")
    for existing in list(logger.handlers):
        logger.removeHandler(existing)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("auditor: %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False  # the root's one-line handler would print each line again
    logger.setLevel(level)


@notify_app.command("slack")
@output_options()
def slack_command(
    scan: ScanOption = None,
    run: RunOption = None,
    account: AccountOption = None,
    again: Annotated[
        bool, typer.Option("--again", help="Post even for scans already posted.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Post new FAILs, fixed and newly unknown findings to AUDITOR_SLACK_WEBHOOK_URL."""

    _log_to_stderr()
    settings = load_settings(config)
    slack, link = settings.slack, _settings(ReportLinkSettings)
    store = open_store(settings.database_url)
    try:
        delivery = asyncio.run(
            notify_slack(
                store,
                scan=_one_of(scan, run),
                run=run,
                accounts=list(account or []),
                slack=slack,
                link=link,
                now=datetime.now(UTC),
                again=again,
            )
        )
    except (NotifyConfigError, ScanSelectionError) as error:
        raise UsageError(str(error)) from None
    if delivery is not None and not delivery.delivered:
        typer.echo(f"auditor: Slack message not delivered: {delivery.error}", err=True)
        raise typer.Exit(EXIT_DELIVERY_FAILED)


@notify_app.command("email")
@output_options()
def email_command(
    scan: Annotated[
        str | None,
        typer.Option(
            "--scan",
            help="Scan ID (or a unique prefix), or 'latest' (the default): every finished scan "
            "since the last email (the last week when none was sent yet).",
        ),
    ] = None,
    run: RunOption = None,
    account: AccountOption = None,
    config: ConfigOption = None,
) -> None:
    """Email the report of every scan since the last email (or of --scan ID)."""

    _log_to_stderr()
    settings = load_settings(config)
    email, smtp, link = settings.email, settings.smtp, _settings(ReportLinkSettings)
    store = open_store(settings.database_url)
    try:
        outcome = notify_email(
            store,
            scan=_one_of(scan, run),
            run=run,
            accounts=list(account or []),
            email=email,
            smtp=smtp,
            link=link,
            now=datetime.now(UTC),
        )
    except (NotifyConfigError, ScanSelectionError) as error:
        raise UsageError(str(error)) from None
    if outcome.error is not None:
        typer.echo(f"auditor: email not sent: {outcome.error}", err=True)
        raise typer.Exit(EXIT_DELIVERY_FAILED)
