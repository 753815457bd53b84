"""Settings: environment variables with the ``AUDITOR_`` prefix (a TOML file is layered on top).

Settings are built once by the CLI or the scheduler and passed down explicitly.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUDITOR_", extra="forbid")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; unset means a SQLite file in the data dir.",
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
    max_attempts: int = Field(
        default=10, ge=1, le=30, description="botocore attempts per call (adaptive retry mode)."
    )
    retention_days: int = Field(
        default=30, ge=1, description="Days after which a scan's resource rows are pruned."
    )
    suppressions_file: str | None = Field(
        default=None, description="TOML or YAML file of muting rules."
    )
    slack_webhook_url: SecretStr | None = Field(
        default=None, description="Slack incoming-webhook URL; never stored or logged."
    )
