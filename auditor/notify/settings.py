"""Slack and SMTP settings, from ``AUDITOR_``-prefixed environment variables only.

Secrets (the webhook URL, the SMTP password) are never stored in the database or logged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUDITOR_SLACK_", extra="ignore")

    webhook_url: SecretStr | None = Field(
        default=None, description="Incoming-webhook URL; never stored or logged."
    )
    top_n: int = Field(default=10, ge=1, le=30, description="New FAILs listed per message.")
    always_post: bool = Field(
        default=False, description="Post even when nothing changed since the previous scan."
    )
    max_attempts: int = Field(default=4, ge=1, le=10, description="Tries on 429 and 5xx.")
    max_retry_after: float = Field(
        default=60.0, ge=0, description="Longest Retry-After (seconds) honoured before a retry."
    )
    timeout: float = Field(default=15.0, gt=0, description="Seconds per HTTP request.")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_form(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            problem = webhook_url_problem(value.get_secret_value())
            if problem:
                raise ValueError(problem)
        return value


_LOOPBACK = ("localhost", "::1")


def webhook_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook (https, or http to loopback only), or None.

    The message never repeats the URL: it is a secret.
    """
    parsed = urlsplit(url.strip())
    host = parsed.hostname or ""
    if parsed.scheme == "https" and host:
        return None
    if parsed.scheme == "http" and (host.startswith("127.") or host in _LOOPBACK):
        return None
    return "not a webhook URL: expected https://hooks.slack.com/services/... (the URL is not shown)"


class ReportLinkSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUDITOR_", extra="ignore")

    report_url: str | None = Field(
        default=None, description="Where readers find the full HTML report (shown in messages)."
    )


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUDITOR_SMTP_", extra="ignore")

    host: str | None = Field(default=None, description="SMTP server host name.")
    port: int | None = Field(
        default=None, ge=1, le=65535, description="SMTP port; 465 with SSL, else 587 or 25."
    )
    starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(default=False, description="Connect with TLS from the start (SMTPS).")
    username: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    password: SecretStr | None = Field(default=None, description="SMTP password; never logged.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds per SMTP operation.")

    @model_validator(mode="after")
    def _one_tls_mode(self) -> SmtpSettings:
        if self.starttls and self.ssl:
            raise ValueError("set AUDITOR_SMTP_STARTTLS or AUDITOR_SMTP_SSL, not both")
        return self

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return 465 if self.ssl else 587 if self.starttls else 25


class EmailSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUDITOR_EMAIL_", extra="ignore", populate_by_name=True
    )

    from_: str | None = Field(
        default=None, alias="AUDITOR_EMAIL_FROM", description="Sender address."
    )
    to: str = Field(default="", description="Recipients, comma-separated.")

    @field_validator("to", mode="before")
    @classmethod
    def _join_list(cls, value: object) -> object:
        # A configuration file may give a list; the environment gives "a@x, b@y".
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value

    @property
    def recipients(self) -> list[str]:
        return [part.strip() for part in self.to.split(",") if part.strip()]
