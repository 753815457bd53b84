"""CLI scans take serve's per-account lock: a second scan of the account waits or stops."""

from __future__ import annotations

import threading
from pathlib import Path

from auditor.store.database import open_store
from auditor.store.locks import open_locks
from tests.cli.test_cli_scan import ACCOUNT, auditor_env, run_auditor
from tests.conftest import MotoServer


def test_a_locked_account_stops_the_scan_or_is_waited_for(moto: MotoServer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    holder = open_locks(store.engine, owner="serve-replica:1")  # as `serve` would hold it
    assert holder.acquire([ACCOUNT]) == [ACCOUNT]
    env = auditor_env(moto, url)
    args = ("scan", "-a", ACCOUNT, "-r", "us-east-1", "--no-progress")

    refused = run_auditor(*args, env=env, cwd=tmp_path)
    assert refused.returncode == 3, refused.stderr
    assert f"account {ACCOUNT} is being scanned by another auditor process" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr

    release = threading.Timer(2.0, holder.release, args=([ACCOUNT],))
    release.start()
    try:
        waited = run_auditor(*args, "--lock-wait", "120", env=env, cwd=tmp_path)
    finally:
        release.join()
    assert waited.returncode in (0, 1), waited.stderr
    # The CLI released its lock on the way out: serve can take the account again.
    assert holder.acquire([ACCOUNT]) == [ACCOUNT]
    holder.close()
    store.dispose()
