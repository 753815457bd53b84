"""Options shared by the commands, named as the AWS CLI and Prowler name them.

``--profile`` on every command that calls AWS (scan, serve), ``--config`` on every command
that reads the configuration, and ``-q``/``-v``/``--log-level``/``--no-color`` on every
command, given by :func:`output_options` so that they are the same everywhere.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console

P = ParamSpec("P")
R = TypeVar("R")


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


def output_console(**options: Any) -> Console:
    """A rich console that writes plain text, no colour and no bold, under ``--no-color`` or
    NO_COLOR."""
    from rich.console import Console

    if os.environ.get("NO_COLOR"):
        options["color_system"] = None
    return Console(**options)


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


@dataclass(frozen=True)
class OutputChoice:
    """What the user asked of the output, as given on the command line."""

    quiet: bool = False
    verbose: int = 0
    level: LogLevel | None = None
    no_color: bool = False


_chosen: ContextVar[OutputChoice] = ContextVar("auditor_output")


def chosen_output() -> OutputChoice:
    """The output options of the command running in this process."""
    return _chosen.get(OutputChoice())


def apply_one_shot(choice: OutputChoice) -> None:
    """A one-shot command: warnings by default, one line each on stderr."""
    apply_output_options(
        quiet=choice.quiet, verbose=choice.verbose, level=choice.level, no_color=choice.no_color
    )


# name → (annotation, default) of the parameters :func:`output_options` adds.
_OUTPUT_PARAMETERS: dict[str, tuple[object, object]] = {
    "quiet": (QuietOption, False),
    "verbose": (VerboseOption, 0),
    "log_level": (LogLevelOption, None),
    "no_color": (NoColorOption, False),
}


def output_options(
    apply: Callable[[OutputChoice], None] = apply_one_shot,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Give a command ``-q``, ``-v``, ``--log-level`` and ``--no-color``, applied by ``apply``
    before it runs; the command reads them back with :func:`chosen_output`."""

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(command, eval_str=True)
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for name, (a, d) in _OUTPUT_PARAMETERS.items()
        ]
        keep = [p for p in signature.parameters.values() if p.name not in _OUTPUT_PARAMETERS]
        positional = [p for p in keep if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in keep if p.kind is inspect.Parameter.KEYWORD_ONLY]

        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            values = {name: kwargs.pop(name, d) for name, (_, d) in _OUTPUT_PARAMETERS.items()}
            choice = OutputChoice(
                quiet=bool(values["quiet"]),
                verbose=int(values["verbose"] or 0),  # type: ignore[call-overload]
                level=values["log_level"],  # type: ignore[arg-type]
                no_color=bool(values["no_color"]),
            )
            _chosen.set(choice)
            apply(choice)
            return command(*args, **kwargs)

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*positional, *keyword, *added]
        )
        run.__annotations__ = {
            **{p.name: p.annotation for p in keep},
            **{name: a for name, (a, _) in _OUTPUT_PARAMETERS.items()},
            "return": signature.return_annotation,
        }
        return run

    return decorate
