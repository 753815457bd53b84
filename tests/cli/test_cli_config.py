"""`config check` catches what `serve` would reject later, and `serve` refuses it at startup."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.cli.test_cli_scan import ACCOUNT, run_auditor

NO_REASON = '[[rules]]\ncheck = "image-pull-path"\n'
BAD_DATE = '[[rules]]\ncheck = "image-pull-path"\nreason = "x"\nexpires = "someday"\n'


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("toml", "extra", "message"),
    [
        ('suppressions_file = "mutes.toml"\n', {"mutes": NO_REASON}, "reason: required"),
        ('suppressions_file = "mutes.toml"\n', {"mutes": BAD_DATE}, "expected a date"),
        ('regions = ["us-east-1", "mars-1"]\n', {}, "regions: unknown AWS region(s): mars-1"),
        ('[slack]\nwebhook_url = "hooks.slack.com/x"\n', {}, "not a webhook URL"),
        ('[email]\nto = ["sre@example.com"]\nfrom = "a@example.com"\n', {}, "smtp.host"),
        ('database_url = "postgresql+psycopg2://u@db/a"\n', {}, "postgresql+psycopg://"),
    ],
)
def test_config_check_rejects_what_serve_would(
    tmp_path: Path, toml: str, extra: dict[str, str], message: str
) -> None:
    if "mutes" in extra:
        (tmp_path / "mutes.toml").write_text(extra["mutes"])
    config = tmp_path / "auditor.toml"
    config.write_text(toml)
    result = run_auditor(
        "config", "check", "--config", str(config), env=_env(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_to_start_on_a_mute_rule_without_reason(tmp_path: Path) -> None:
    (tmp_path / "mutes.toml").write_text(NO_REASON)
    config = tmp_path / "auditor.toml"
    config.write_text('suppressions_file = "mutes.toml"\n')
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_auditor(
        "serve",
        "--config",
        str(config),
        "--health-host",
        "127.0.0.1",
        "--health-port",
        str(port),
        "--run-now",
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "reason: required" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_invalid_webhook_url_is_a_configuration_error_for_notify(tmp_path: Path) -> None:
    env = _env(tmp_path, AUDITOR_SLACK_WEBHOOK_URL="not-a-url")
    env["AUDITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'a.db'}"
    result = run_auditor("notify", "slack", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "not a webhook URL" in result.stderr
    assert "not-a-url" not in result.stderr  # a secret is never echoed


def test_accounts_exclude_wins_over_account(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text(f'[accounts]\nexclude = ["{ACCOUNT}"]\n')
    result = run_auditor(
        "scan",
        "--config",
        str(config),
        "--account",
        ACCOUNT,
        "-r",
        "us-east-1",
        env=_env(
            tmp_path,
            AWS_ENDPOINT_URL="http://127.0.0.1:9",
            AUDITOR_DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
        ),
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "excluded by accounts.exclude" in result.stderr
    assert not (tmp_path / "a.db").exists()  # refused before opening the store
