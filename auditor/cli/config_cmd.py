"""`auditor config check`: validate the configuration and print it, secrets masked."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from auditor.cli.errors import EXIT_USAGE
from auditor.cli.options import ConfigOption, output_options
from auditor.config import ConfigError, Settings, config_file_path, load_settings

MASK = "********"

config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)


def _masked(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else ""
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


def _mask_url(url: str | None) -> str | None:
    if url is None:
        return None
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def effective_configuration(settings: Settings) -> dict[str, Any]:
    """Every setting with its effective value; secrets and database passwords masked."""
    values = {name: _masked(getattr(settings, name)) for name in type(settings).model_fields}
    for name, value in values.items():
        if hasattr(value, "model_dump"):
            # The file spells email's `from_` as `from` (a Python keyword).
            values[name] = {
                key.rstrip("_"): _masked(getattr(value, key)) for key in type(value).model_fields
            }
    values["database_url"] = _mask_url(settings.database_url)
    return values


def semantic_problems(settings: Settings) -> list[str]:
    """What the schema cannot see: the same checks `serve` runs before it starts."""
    from auditor.validation import configuration_problems

    return configuration_problems(settings)


def _toml_value(value: Any) -> str:
    # JSON strings, numbers, booleans and arrays are valid TOML for the values we hold.
    return json.dumps(value)


def render_toml(values: dict[str, Any]) -> str:
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif value is None:
            lines.append(f"# {key} is not set")
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables:
        lines.extend(["", f"[{name}]"])
        lines.extend(
            f"# {key} is not set" if value is None else f"{key} = {_toml_value(value)}"
            for key, value in table.items()
        )
    return "\n".join(lines) + "\n"


@config_app.command("check")
@output_options()
def check_command(config: ConfigOption = None) -> None:
    """Validate the configuration; print the effective settings with secrets masked."""
    source = config_file_path(config)
    try:
        settings = load_settings(config)
        problems = semantic_problems(settings)
    except ConfigError as error:
        problems = error.problems
    if problems:
        for problem in problems:
            print(f"auditor: config error: {problem}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    origin = str(source) if source else "no file (defaults and environment)"
    typer.echo(f"# effective configuration from {origin} and AUDITOR_* variables")
    typer.echo(render_toml(effective_configuration(settings)), nl=False)


def register(app: typer.Typer) -> None:
    """Mount the `config` command group on the root app."""
    app.add_typer(config_app, name="config")
