"""Two scans of the same account at once (a scheduled and a manual one) on one store.

They take turns: each holds the account's lock, the second waits for it (--lock-wait)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from auditor.store.database import open_store
from auditor.store.scans import Finding, Scan
from tests.cli.test_cli_scan import ACCOUNT, auditor_env, seed_small_estate
from tests.conftest import MotoServer


@pytest.mark.slow
def test_two_overlapping_scans_both_complete(
    moto: MotoServer, boto3_client: Any, database_url: str, tmp_path: Path
) -> None:
    seed_small_estate(boto3_client)
    env = auditor_env(moto, database_url)
    command = [
        sys.executable,
        "-c",
        "from auditor.cli import main; main()",
        "scan",
        "--account",
        ACCOUNT,
        "--region",
        "us-east-1",
        "--lock-wait",
        "600",
    ]
    # Migrate first so both processes start on a ready schema, as `serve` and a user would.
    open_store(database_url).dispose()
    processes = [
        subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=600)[1] for p in processes]
    assert [p.returncode for p in processes] == [1, 1], errors

    store = open_store(database_url)
    with store.session() as session:
        scans = session.scalars(select(Scan)).all()
        assert sorted(s.status for s in scans) == ["complete", "complete"]
        verdicts = [
            {
                (f.check_id, f.resource_id, f.status)
                for f in session.scalars(select(Finding).where(Finding.scan_id == scan.id))
            }
            for scan in scans
        ]
    assert verdicts[0] and verdicts[0] == verdicts[1]
    store.dispose()
