"""What the settings schema cannot see, checked once for `config check`, `serve` and `scan`.

Everything `serve` would otherwise reject later (after collecting a scan, or when a message
is due) is found here at startup: the suppression file's rules, region names, the database
URL, and an email that could not be sent.
"""

from __future__ import annotations

from pathlib import Path

from auditor.config import ConfigError, Settings


def configuration_problems(settings: Settings) -> list[str]:
    """One line per problem, each naming its setting; empty when the settings are usable."""
    # Imported here: the check catalogue and botocore's endpoint data are not small.
    from auditor.aws_calls import UnknownRegionError, validate_regions
    from auditor.muting import SuppressionFileError, load_rules
    from auditor.store.database import StoreError, parse_database_url

    problems = []
    if settings.suppressions_file:
        try:
            load_rules(Path(settings.suppressions_file))
        except SuppressionFileError as error:
            problems.append(f"suppressions_file: {error}")
    try:
        validate_regions(settings.regions)
    except UnknownRegionError as error:
        problems.append(f"regions: {error}")
    if settings.database_url:
        try:
            parse_database_url(settings.database_url)
        except StoreError as error:
            problems.append(f"database_url: {error}")
    problems.extend(_email_problems(settings))
    return problems


def _email_problems(settings: Settings) -> list[str]:
    recipients = settings.email.recipients
    if not recipients:
        return []
    problems = []
    if not settings.smtp.host:
        problems.append("smtp.host: required to send the email to email.to (AUDITOR_SMTP_HOST)")
    if not settings.email.from_:
        problems.append("email.from: required to send the email (AUDITOR_EMAIL_FROM)")
    for address in [*recipients, *([settings.email.from_] if settings.email.from_ else [])]:
        local, at, domain = address.rpartition("<")[2].rstrip(">").partition("@")
        if not (local and at and domain):
            problems.append(f"email: {address!r} is not an email address")
    return problems


def require_usable(settings: Settings) -> None:
    """Raise ConfigError (one line per problem, exit 2) unless the settings are usable."""
    problems = configuration_problems(settings)
    if problems:
        raise ConfigError(problems)
