"""Settings: a TOML file overridden by environment variables with the ``AUDITOR_`` prefix.

The file is ``$AUDITOR_CONFIG`` or ``./auditor.toml``; a missing default file is not an error.
Priority, highest first: keyword arguments, environment (``AUDITOR_SCHEDULES__SCAN`` reaches a
nested key), the file, defaults. Settings are built once by the CLI or the scheduler with
:func:`load_settings` and passed down explicitly.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from auditor.notify.settings import EmailSettings, SlackSettings, SmtpSettings

DEFAULT_CONFIG_FILE = Path("auditor.toml")
CONFIG_FILE_ENV = "AUDITOR_CONFIG"
ACCOUNT_ID = re.compile(r"^\d{12}$")


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` holds one human line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _check_account_ids(ids: list[str]) -> list[str]:
    bad = [account for account in ids if not ACCOUNT_ID.fullmatch(account)]
    if bad:
        raise ValueError(f"account IDs are 12 digits, got {', '.join(map(repr, bad))}")
    return ids


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _standard_weekdays(field: str) -> str:
    """Day-of-week numbers as in crontab (0 and 7 = Sunday) turned into names.

    APScheduler 3 counts 0 as Monday; names mean the same thing to both.
    """
    parts = []
    for part in field.split(","):
        days, slash, step = part.partition("/")

        def name(token: str) -> str:
            if not token.isdigit():
                return token
            if int(token) > 7:
                raise ValueError(f"day of week {token} is not 0-7")
            return _WEEKDAYS[int(token)]

        first, dash, last = days.partition("-")
        start, end = name(first), name(last) if dash else ""
        if dash and start == "sun" and first.isdigit():
            if slash:
                raise ValueError("write day names in a stepped range that starts on Sunday")
            parts.extend(["sun", f"mon-{end}"] if end != "sun" else ["*"])
            continue
        parts.append(f"{start}{dash}{end}{slash}{step}")
    return ",".join(parts)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a five-field crontab expression, weekdays numbered as crontab does."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_standard_weekdays(weekday),
        timezone=ZoneInfo(timezone),
    )


class AccountsSettings(BaseModel):
    """Which AWS accounts a scan covers. Nothing set means the caller's own account."""

    model_config = ConfigDict(extra="forbid")

    ids: list[str] = Field(default_factory=list, description="Account IDs to scan.")
    organization: bool = Field(
        default=False,
        description="Also scan every ACTIVE account that AWS Organizations lists.",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Account IDs never scanned, even if listed."
    )

    @field_validator("ids", "exclude")
    @classmethod
    def _valid_ids(cls, value: list[str]) -> list[str]:
        return _check_account_ids(value)


class SchedulesSettings(BaseModel):
    """Cron expressions (minute hour day month weekday) for ``auditor serve``; "" disables one."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", description="IANA time zone the cron expressions use.")
    scan: str = Field(default="0 */6 * * *", description="Scan every configured account.")
    alert: str = Field(
        default="",
        description="Extra Slack alerts on a cron; an alert is always sent after each scan.",
    )
    weekly_email: str = Field(default="0 8 * * mon", description="Send the weekly email.")
    prune: str = Field(default="30 3 * * *", description="Prune data past its retention.")
    misfire_grace_seconds: int = Field(
        default=7 * 24 * 3600,
        ge=1,
        description="A run missed during downtime still happens (once) if this late at most.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("scan", "alert", "weekly_email", "prune")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                cron_trigger(value, "UTC")
            except ValueError as error:
                raise ValueError(f"invalid cron expression {value!r}: {error}") from None
        return value

    def trigger(self, job: str) -> CronTrigger | None:
        """The cron trigger of one job (``scan``, ``alert``...), or None when it is disabled."""
        expression: str = getattr(self, job)
        if not expression:
            return None
        return cron_trigger(expression, self.timezone)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUDITOR_", env_nested_delimiter="__", extra="forbid"
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; unset means a SQLite file in the data dir.",
    )
    accounts: AccountsSettings = Field(
        default_factory=AccountsSettings, description="Which accounts to scan."
    )
    role_name: str = Field(
        default="auditor-readonly", description="Role assumed in accounts other than the caller's."
    )
    external_id: SecretStr | None = Field(
        default=None, description="External ID passed to sts:AssumeRole, if the role needs one."
    )
    regions: list[str] = Field(
        default_factory=list, description="Regions to scan; empty means every enabled region."
    )
    concurrency: int = Field(
        default=8, ge=1, le=64, description="AWS calls in flight at once, per account."
    )
    account_concurrency: int = Field(
        default=16,
        ge=1,
        le=64,
        description="Accounts scanned at once, over all scan workers (docs/deploy.md).",
    )
    scan_workers: int = Field(
        default=0,
        ge=0,
        le=32,
        description="Processes scanning accounts (1: in the auditor process itself; 0: one "
        "per CPU core, at most one per 8 accounts).",
    )
    max_attempts: int = Field(
        default=10, ge=1, le=30, description="botocore attempts per call (standard retry mode)."
    )
    owner_scan_max_age_hours: int = Field(
        default=24,
        ge=0,
        description="An account owning shared VPCs but not in the run stands in with its "
        "latest complete scan up to this old (hours); older, its paths are UNKNOWN.",
    )
    retention_days: int = Field(
        default=30, ge=1, description="Days after which a scan's resource rows are pruned."
    )
    suppressions_file: str | None = Field(
        default=None, description="TOML or YAML file of muting rules."
    )
    schedules: SchedulesSettings = Field(
        default_factory=SchedulesSettings, description="When `auditor serve` runs each job."
    )
    slack: SlackSettings = Field(
        default_factory=SlackSettings, description="Slack alerts (auditor.notify.settings)."
    )
    smtp: SmtpSettings = Field(
        default_factory=SmtpSettings, description="SMTP server of the weekly email."
    )
    email: EmailSettings = Field(
        default_factory=EmailSettings, description="Sender and recipients of the weekly email."
    )

    @field_validator("slack", "smtp", "email", mode="before")
    @classmethod
    def _file_under_environment(cls, value: Any, info: ValidationInfo) -> Any:
        """Build a notify section from the file's table, letting its own variables win.

        The notify settings read ``AUDITOR_SLACK_*``, ``AUDITOR_SMTP_*`` and
        ``AUDITOR_EMAIL_*`` themselves; a value from those variables beats the file's.
        """
        if not isinstance(value, dict):
            return value
        section: type[BaseSettings] = cls.model_fields[str(info.field_name)].annotation  # type: ignore[assignment]
        from_file = {("from_" if key == "from" else key): item for key, item in value.items()}
        unknown = set(from_file) - set(section.model_fields)
        if unknown:
            raise ValueError(f"unknown key(s): {', '.join(sorted(unknown))}")
        from_environment = section()
        explicit = {
            name: getattr(from_environment, name) for name in from_environment.model_fields_set
        }
        return section(**{**from_file, **explicit})

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))


# The parsed file for the Settings being built; a ContextVar because pydantic-settings builds
# its sources in a classmethod that cannot receive arguments.
_file_data: ContextVar[dict[str, Any] | None] = ContextVar("auditor_config_file", default=None)


class _TomlFileSource(PydanticBaseSettingsSource):
    """The configuration file, below the environment in priority."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        data = _file_data.get()
        self._data = data if data is not None else _read_file(config_file_path())

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def config_file_path(explicit: Path | None = None) -> Path | None:
    """The file to read: the one given, ``$AUDITOR_CONFIG``, or ``./auditor.toml`` if it exists."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(CONFIG_FILE_ENV)
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _read_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except OSError as error:
        raise ConfigError([f"{path}: cannot read config file: {error.strerror}"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None


@contextmanager
def _using_file_data(data: dict[str, Any]) -> Iterator[None]:
    token = _file_data.set(data)
    try:
        yield
    finally:
        _file_data.reset(token)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the file (see :func:`config_file_path`) and the environment.

    Raises :class:`ConfigError` with one line per problem, each naming its key path.
    """
    source = config_file_path(config_file)
    logging.getLogger("auditor.config").info(
        "configuration: %s and AUDITOR_* variables", source or "no file (defaults)"
    )
    data = _read_file(source)
    try:
        with _using_file_data(data):
            return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError([_describe(problem) for problem in error.errors()]) from None
    except SettingsError as error:
        raise ConfigError([_describe_unparsable(error)]) from None


_UNPARSABLE_FIELD = re.compile(r'field "([^"]+)"')


def _describe_unparsable(error: SettingsError) -> str:
    """A variable holding a list or table that is not JSON: say the expected form."""
    found = _UNPARSABLE_FIELD.search(str(error))
    name = found.group(1) if found else ""
    variable = f"AUDITOR_{name.upper()}" if name else "an AUDITOR_* variable"
    example = '["us-east-1", "eu-west-1"]' if name == "regions" else '["value", "value"]'
    return f"{variable}: not valid JSON; expected a JSON list, e.g. {variable}='{example}'"


def _describe(problem: Any) -> str:
    path = ".".join(str(part) for part in problem["loc"]) or "(top level)"
    if problem["type"] == "extra_forbidden":
        return f"{path}: unknown key"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f"{path}: {message}"
