"""The config file, its environment overrides, `auditor config check` and the example file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from auditor.cli.config_cmd import register
from auditor.config import ConfigError, Settings, cron_trigger, load_settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "auditor.example.toml"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("AUDITOR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _check(*args: str) -> tuple[int, str, str]:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Make `config` a sub-command rather than the whole app."""

    result = CliRunner().invoke(app, ["config", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def _documented_keys(text: str) -> set[str]:
    """Key paths set or shown commented out (``# key = ...``) in a TOML file."""
    keys, table = set(), ""
    for line in text.splitlines():
        header = re.fullmatch(r"\[(\w+)\]", line.strip())
        if header:
            table = header.group(1) + "."
            keys.add(header.group(1))
            continue
        assignment = re.match(r"#?\s*(\w+)\s*=", line.strip())
        if assignment:
            key = assignment.group(1)
            keys.add(table + ("from_" if key == "from" else key))
    return keys


def _setting_keys() -> set[str]:
    keys = set()
    for name, info in Settings.model_fields.items():
        keys.add(name)
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            keys.update(f"{name}.{field}" for field in nested.model_fields)
    return keys


def test_example_config_is_valid_and_documents_every_key() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.accounts.ids == ["123456789012", "210987654321"]
    assert settings.regions == ["us-east-1", "eu-west-1"]
    assert settings.schedules.trigger("scan") is not None
    assert settings.schedules.trigger("alert") is None
    # Secrets come from the environment only, and are documented there.
    secrets = {"external_id", "slack.webhook_url", "smtp.password"}
    assert _setting_keys() - secrets - _documented_keys(EXAMPLE.read_text()) == set()


def test_example_config_passes_config_check() -> None:
    code, out, err = _check("--config", str(EXAMPLE))
    assert (code, err) == (0, "")
    assert 'scan = "0 */6 * * *"' in out
    assert 'ids = ["123456789012", "210987654321"]' in out


def test_default_file_is_read_from_the_working_directory(tmp_path: Path) -> None:
    _write(tmp_path / "auditor.toml", 'regions = ["eu-central-1"]\n')
    assert load_settings().regions == ["eu-central-1"]


def test_auditor_config_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "elsewhere.toml", "retention_days = 7\n")
    monkeypatch.setenv("AUDITOR_CONFIG", str(path))
    assert load_settings().retention_days == 7


def test_environment_overrides_the_file_even_in_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path / "auditor.toml",
        'role_name = "from-file"\n[schedules]\nscan = "0 1 * * *"\nprune = "0 2 * * *"\n',
    )
    monkeypatch.setenv("AUDITOR_ROLE_NAME", "from-env")
    monkeypatch.setenv("AUDITOR_SCHEDULES__SCAN", "*/15 * * * *")
    settings = load_settings(path)
    assert (settings.role_name, settings.schedules.scan, settings.schedules.prune) == (
        "from-env",
        "*/15 * * * *",
        "0 2 * * *",
    )


def test_every_problem_is_one_line_with_its_key_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.toml",
        "\n".join(
            [
                "concurrency = 0",
                "colour = 'blue'",
                "[accounts]",
                'ids = ["123456789012", "1234"]',
                "[schedules]",
                'timezone = "Mars/Olympus"',
                'weekly_email = "0 8 * * someday"',
            ]
        ),
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    keys = {problem.split(":", 1)[0] for problem in caught.value.problems}
    assert keys == {
        "concurrency",
        "colour",
        "accounts.ids",
        "schedules.timezone",
        "schedules.weekly_email",
    }
    code, out, err = _check("--config", str(path))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 5
    assert "auditor: config error: colour: unknown key" in lines
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_toml_syntax_error_and_missing_file_are_one_line(tmp_path: Path) -> None:
    broken = _write(tmp_path / "broken.toml", "regions = [\n")
    code, _, err = _check("--config", str(broken))
    assert code == 2
    assert err.startswith(f"auditor: config error: {broken}: not valid TOML")
    assert len(err.splitlines()) == 1
    code, _, err = _check("--config", str(tmp_path / "absent.toml"))
    assert (code, err.strip()) == (
        2,
        f"auditor: config error: {tmp_path / 'absent.toml'}: config file not found",
    )


def test_missing_suppressions_file_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "auditor.toml", 'suppressions_file = "nope.yaml"\n')
    code, _, err = _check("--config", str(path))
    assert code == 2
    assert (
        err.strip()
        == "auditor: config error: suppressions_file: nope.yaml: suppression file not found"
    )


def test_config_check_masks_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(
        tmp_path / "auditor.toml",
        'database_url = "postgresql+psycopg://auditor:hunter2@db.internal/auditor"\n',
    )
    monkeypatch.setenv("AUDITOR_EXTERNAL_ID", "very-secret-external-id")
    monkeypatch.setenv("AUDITOR_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/XYZ")
    code, out, err = _check("--config", str(path))
    assert (code, err) == (0, "")
    for secret in ("hunter2", "very-secret-external-id", "hooks.slack.com", "XYZ"):
        assert secret not in out
    assert 'external_id = "********"' in out
    assert 'webhook_url = "********"' in out
    assert 'database_url = "postgresql+psycopg://auditor:***@db.internal/auditor"' in out


def test_notify_sections_take_the_file_and_their_own_variables_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path / "auditor.toml",
        '[smtp]\nhost = "mail.internal"\nport = 8025\n'
        '[email]\nfrom = "auditor@example.com"\nto = "a@example.com, b@example.com"\n'
        "[slack]\ntop_n = 3\n",
    )
    monkeypatch.setenv("AUDITOR_SMTP_PORT", "2525")
    monkeypatch.setenv("AUDITOR_SLACK_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    settings = load_settings(path)
    assert (settings.smtp.host, settings.smtp.port) == ("mail.internal", 2525)
    assert (settings.email.from_, settings.email.recipients) == (
        "auditor@example.com",
        ["a@example.com", "b@example.com"],
    )
    assert settings.slack.top_n == 3
    assert settings.slack.webhook_url is not None
    assert settings.slack.webhook_url.get_secret_value() == "http://127.0.0.1:9/hook"


def test_unknown_key_in_a_notify_section_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "auditor.toml", '[smtp]\nhostname = "mail.internal"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.problems == ["smtp: unknown key(s): hostname"]


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [
        ("0", {"Sun"}),
        ("7", {"Sun"}),
        ("1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("0-2", {"Sun", "Mon", "Tue"}),
        ("sat,sun", {"Sat", "Sun"}),
        ("*", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
    ],
)
def test_weekdays_count_as_in_crontab(weekday: str, expected: set[str]) -> None:
    from datetime import UTC, datetime

    trigger = cron_trigger(f"0 8 * * {weekday}", "UTC")
    moment, days = datetime(2026, 1, 1, tzinfo=UTC), set()
    for _ in range(14):
        moment = trigger.get_next_fire_time(None, moment)
        days.add(moment.strftime("%a"))
        moment = moment.replace(hour=9)
    assert days == expected


def test_printed_configuration_loads_back_to_the_same_settings(tmp_path: Path) -> None:
    code, out, _ = _check("--config", str(EXAMPLE))
    assert code == 0
    printed = _write(tmp_path / "printed.toml", out)
    assert load_settings(printed) == load_settings(EXAMPLE)
