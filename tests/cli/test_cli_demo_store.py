"""`scan --demo` keeps its made-up accounts out of the configured store."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli_scan import run_auditor


@pytest.mark.slow
def test_demo_uses_its_own_store_unless_the_database_url_is_given(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "real.db"}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
    env.update(AUDITOR_CONFIG=str(config), XDG_DATA_HOME=str(tmp_path / "data"))
    result = run_auditor("scan", "--demo", "--no-progress", env=env, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    demo_db = tmp_path / "data" / "auditor" / "demo" / "demo.db"
    assert str(demo_db) in " ".join(result.stderr.split())  # printed
    assert not (tmp_path / "real.db").exists()
    with sqlite3.connect(demo_db) as connection:
        [(scans,)] = connection.execute("SELECT count(*) FROM scans").fetchall()
    assert scans == 4  # two accounts, scanned twice
