"""Item 9 of #11: the AWS CLI's and Prowler's flags, the same on every command they apply to.

Each family is one table over the commands, run as a subprocess: ``-q``/``-v``/
``--log-level``/``--no-color`` on every command, ``--config`` on every command that reads the
configuration, ``--profile`` on every command that calls AWS.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.store.database import open_store
from tests.cli.receivers import notify_env, slack_receiver, smtp_receiver
from tests.cli.test_cli_scan import ACCOUNT, auditor_env, run_auditor
from tests.conftest import MotoServer
from tests.report.report_factories import finding_row, scan_row
from tests.service.service_support import ServeProcess, wait_for, write_config

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# Every command, with arguments that make it succeed against the prepared store.
COMMANDS: dict[str, tuple[str, ...]] = {
    "scan": ("scan", "-a", ACCOUNT, "-r", "us-east-1", "--fail-on", "none", "-o", "-"),
    "report": ("report", "-o", "-"),
    "report table": ("report", "-f", "table"),
    "scans": ("scans",),
    "notify slack": ("notify", "slack", "--again"),
    "notify email": ("notify", "email"),
    "config check": ("config", "check"),
    "db upgrade": ("db", "upgrade"),
    "db prune": ("db", "prune"),
    "db delete": ("db", "delete", "--account", "999999999999"),
    "checks": ("checks",),
    "explain": ("explain", "image-pull-path"),
    "iam-policy": ("iam-policy",),
}
# The commands that read the configuration (and with it the store).
READS_CONFIG = {
    "scan",
    "report",
    "report table",
    "scans",
    "notify slack",
    "notify email",
    "config check",
    "db upgrade",
    "db prune",
    "db delete",
}
OPENS_STORE = READS_CONFIG - {"config check"}


@pytest.fixture
def prepared(moto: MotoServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A store holding one finished scan with a FAIL, and loopback Slack and SMTP."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    with store.session() as session:
        scan = scan_row(session, account_id=ACCOUNT)
        finding_row(session, scan=scan)
    store.dispose()
    with slack_receiver() as slack, smtp_receiver() as smtp:
        env = auditor_env(moto, url)
        env.update(notify_env(slack, smtp))
        yield env


def _run(name: str, *flags: str, env: dict[str, str], cwd: Path) -> Any:
    result = run_auditor(*COMMANDS[name], *flags, env=env, cwd=cwd)
    assert result.returncode == 0, (name, flags, result.stderr)
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", list(COMMANDS))
def test_quiet_verbose_log_level_and_no_color_on_every_command(
    name: str, prepared: dict[str, str], tmp_path: Path
) -> None:
    coloured = dict(prepared, FORCE_COLOR="1", COLUMNS="120")

    quiet = _run(name, "-q", "--no-color", env=coloured, cwd=tmp_path)
    assert quiet.stderr == ""  # errors only
    assert not ANSI.search(quiet.stdout), quiet.stdout[:200]  # no colour, no bold

    verbose = _run(name, "-v", env=prepared, cwd=tmp_path)
    info = [line for line in verbose.stderr.splitlines() if line.startswith("auditor: info:")]
    if name in READS_CONFIG:
        assert any("configuration:" in line for line in info), verbose.stderr
    if name in OPENS_STORE:
        assert any(f"store: sqlite:///{tmp_path / 'a.db'}" in line for line in info)
    if name not in READS_CONFIG:  # nothing to say at INFO: the output is the same
        assert verbose.stdout == _run(name, env=prepared, cwd=tmp_path).stdout

    # --log-level wins over -q and -v.
    chosen = _run(name, "-q", "-vv", "--log-level", "info", env=prepared, cwd=tmp_path)
    assert ("auditor: info: configuration:" in chosen.stderr) == (name in READS_CONFIG)
    assert "auditor: debug:" not in chosen.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(READS_CONFIG))
def test_config_on_every_command_that_reads_it(
    name: str, prepared: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in prepared.items() if k != "AUDITOR_DATABASE_URL"}
    other = tmp_path / "elsewhere"
    other.mkdir()
    config = tmp_path / "team.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "a.db"}"\nregions = ["us-east-1"]\n')

    chosen = _run(name, "-v", "--config", str(config), env=env, cwd=other)
    assert f"configuration: {config}" in chosen.stderr
    if name in OPENS_STORE:  # the store the file names, not a default one
        assert f"store: sqlite:///{tmp_path / 'a.db'}" in chosen.stderr

    missing = run_auditor(
        *COMMANDS[name], "--config", str(tmp_path / "nope.toml"), env=env, cwd=other
    )
    assert missing.returncode == 2, missing.stderr
    [line] = missing.stderr.strip().splitlines()
    assert "nope.toml" in line and "Traceback" not in line


def _profile_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Credentials only in a named profile of a shared credentials file."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    profiled = {
        k: v for k, v in env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    profiled["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
    return profiled


@pytest.mark.slow
def test_profile_on_scan(prepared: dict[str, str], tmp_path: Path) -> None:
    env = _profile_env(prepared, tmp_path)
    scan = COMMANDS["scan"]
    chosen = run_auditor(*scan, "--profile", "audit", env=env, cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr
    without = run_auditor(*scan, env=env, cwd=tmp_path)
    assert without.returncode != 0 and "credentials" in without.stderr
    unknown = run_auditor(*scan, "--profile", "nope", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "profile 'nope'" in unknown.stderr


@pytest.mark.slow
def test_profile_and_output_options_on_serve(
    moto: MotoServer, prepared: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve: --profile reaches AWS with the profile's keys; -q leaves warnings and errors."""
    config = write_config(tmp_path / "serve.toml", f"sqlite:///{tmp_path / 's.db'}", [ACCOUNT])
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    profiled = _profile_env(prepared, tmp_path)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", profiled["AWS_SHARED_CREDENTIALS_FILE"])
    log = tmp_path / "serve.log"
    serve = ServeProcess(config, moto.url, log, "--profile", "audit", "-q", "--no-color")
    metrics = f"http://127.0.0.1:{serve.port}/metrics"

    def complete() -> bool:
        try:
            with urllib.request.urlopen(metrics, timeout=10) as response:
                return 'auditor_scans{status="complete"} 1.0' in response.read().decode()
        except OSError:
            time.sleep(0.2)
            return False

    try:
        wait_for(complete, what="a complete scan with the profile's credentials")
    finally:
        code, _ = serve.stop()
    assert code == 0, serve.output()
    levels = {json.loads(line)["level"] for line in serve.output().splitlines() if line}
    assert levels <= {"warning", "error"}, serve.output()
