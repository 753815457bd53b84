"""User mistakes and lost infrastructure are one line on stderr, never "internal error"."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from auditor.store.database import open_store
from tests.cli.proxies import CuttableTcpProxy, slow_http_proxy
from tests.cli.test_cli_scan import ACCOUNT, auditor_env, run_auditor
from tests.conftest import MotoServer, PostgresCluster


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AWS_PROFILE", "no-such-profile", "profile 'no-such-profile'"),
        ("AUDITOR_REGIONS", "us-east-1,eu-west-1", "expected a JSON list"),
        ("AUDITOR_DATABASE_URL", "postgresql+psycopg2://u@127.0.0.1/x", "postgresql+psycopg://"),
    ],
)
def test_user_mistakes_are_configuration_errors(
    moto: MotoServer, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    env[variable] = value
    result = run_auditor("scan", "--account", ACCOUNT, "-r", "us-east-1", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in one_line(result)


def test_a_database_of_a_newer_auditor_is_named_so(moto: MotoServer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    store.dispose()
    result = run_auditor("scan", "-a", ACCOUNT, env=auditor_env(moto, url), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "created by a newer version of auditor" in one_line(result)


def _statuses(url: str) -> list[tuple[str, str | None]]:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        return [(str(s), e) for s, e in connection.execute("SELECT status, error FROM scans")]


@pytest.mark.postgres
@pytest.mark.slow
def test_a_database_lost_mid_scan_is_one_line_exit_3(
    moto: MotoServer, postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    direct = postgres_cluster.new_database()
    open_store(direct).dispose()  # migrated before the proxy is involved
    proxy = CuttableTcpProxy(postgres_cluster.port)
    through_proxy = direct.replace(f":{postgres_cluster.port}/", f":{proxy.port}/")
    with slow_http_proxy(moto.url, delay=0.3) as slow_aws:
        env = auditor_env(moto, through_proxy)
        env["AWS_ENDPOINT_URL"] = slow_aws
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from auditor.cli import main; main()",
                "scan",
                "-a",
                ACCOUNT,
                "-r",
                "us-east-1",
                "--no-progress",
            ],
            env=env,
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not any(status == "running" for status, _ in _statuses(direct)):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proxy.cut()
        _, stderr = process.communicate(timeout=120)
    result = subprocess.CompletedProcess(process.args, process.returncode, "", stderr)
    assert process.returncode == 3, stderr
    assert "database" in one_line(result)
    assert _statuses(direct) == [("running", None)]  # nobody could record the end

    # The next start marks it failed: its process is gone.
    again = run_auditor(
        "scan", "-a", ACCOUNT, "-r", "us-east-1", env=auditor_env(moto, direct), cwd=tmp_path
    )
    assert again.returncode in (0, 1), again.stderr
    statuses = sorted(status for status, _ in _statuses(direct))
    assert statuses == ["complete", "failed"]
