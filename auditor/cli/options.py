"""Options shared by the commands, named as the AWS CLI and Prowler name them.

``--profile`` on every command that calls AWS, ``--config`` on every command that reads the
configuration, and ``-q``/``-v``/``--log-level``/``--no-color`` everywhere.
"""

from __future__ import annotations

import logging
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (default: $AUDITOR_CONFIG, else ./auditor.toml if present).",
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="AWS CLI profile to use (sets AWS_PROFILE). Regions come from the configuration "
        "or --region, never from the profile.",
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Errors only: no progress, no summary.")
]
VerboseOption = Annotated[
    int, typer.Option("--verbose", "-v", count=True, help="More log lines (-v info, -vv debug).")
]
LogLevelOption = Annotated[
    LogLevel | None, typer.Option("--log-level", help="Log level; wins over -q and -v.")
]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="Plain text output (NO_COLOR=1 does the same).")
]


def use_profile(profile: str | None) -> None:
    """``--profile`` is AWS_PROFILE for this process (botocore reads it everywhere)."""
    if profile:
        os.environ["AWS_PROFILE"] = profile


def log_level(*, quiet: bool, verbose: int, level: LogLevel | None) -> int:
    if level is not None:
        return int(logging.getLevelName(level.value.upper()))
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def apply_output_options(
    *, quiet: bool = False, verbose: int = 0, level: LogLevel | None = None, no_color: bool = False
) -> int:
    """Set the log level and colour of a one-shot command; returns the level."""
    from auditor.cli.log_output import log_warnings_in_one_line

    chosen = log_level(quiet=quiet, verbose=verbose, level=level)
    log_warnings_in_one_line(chosen)
    if chosen > logging.DEBUG:
        # botocore's credential lookups and the like are chatter to a user.
        for name in ("botocore", "aiobotocore", "urllib3"):
            logging.getLogger(name).setLevel(max(chosen, logging.WARNING))
    if no_color:
        os.environ["NO_COLOR"] = "1"  # consoles made from now on
        console = sys.modules.get("auditor.cli.console")
        if console is not None:  # the one already made: no colour, and no bold either
            console.stderr.no_color = True
            console.stderr._color_system = None  # what Console(color_system=None) sets
    return chosen
