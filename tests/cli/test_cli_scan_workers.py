"""Scanning a run in worker processes: the same findings as in one process, every scan
finished, and a worker that dies leaves failed scans, never running ones."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from auditor import processes
from auditor.config import Settings
from auditor.engine import ScanSummary, scan_accounts
from auditor.scan_pool import WORKER_DIED, worker_count
from auditor.store import reads
from auditor.store.database import Store, open_store
from auditor.store.scans import Scan, ScanStatus
from tests.cli.proxies import slow_http_proxy

OWN = "123456789012"
ACCOUNTS = [OWN, "111111111111", "222222222222"]
REGION = "us-east-1"


def _settings(**overrides: Any) -> Settings:
    return Settings(**{"max_attempts": 2, "concurrency": 4, **overrides})


def _findings(store: Store, outcomes: list[ScanSummary]) -> list[tuple[str, str, str, str]]:
    with store.session() as session:
        return sorted(
            (f.account_id, f.check_id, f.resource_id, f.status)
            for f in reads.findings_of(session, [o.scan_id for o in outcomes])
        )


def _seed(boto3_client: Any) -> None:
    ecs = boto3_client("ecs")
    ecs.create_cluster(clusterName="prod")
    ec2 = boto3_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")


def test_worker_count_defaults_to_the_cores_and_is_never_more_than_the_accounts() -> None:
    cores = os.cpu_count() or 1
    assert worker_count(0, 3) == 1  # too few accounts to pay for a process
    assert worker_count(0, 1000) == cores
    assert worker_count(4, 2) == 2
    assert worker_count(1, 1000) == 1


def test_workers_give_the_same_findings_as_one_process(boto3_client: Any, tmp_path: Path) -> None:
    _seed(boto3_client)
    here = open_store(f"sqlite:///{tmp_path / 'here.db'}")
    pooled = open_store(f"sqlite:///{tmp_path / 'pooled.db'}")
    alone = asyncio.run(scan_accounts(_settings(), ACCOUNTS, [REGION], store=here, workers=1))
    events: list[Any] = []
    together = asyncio.run(
        scan_accounts(
            _settings(),
            ACCOUNTS,
            [REGION],
            store=pooled,
            workers=2,
            max_parallel_accounts=2,
            progress=events.append,
        )
    )
    assert [o.account_id for o in together] == ACCOUNTS
    assert {o.status for o in alone} == {o.status for o in together} == {ScanStatus.COMPLETE}
    assert _findings(here, alone) and _findings(here, alone) == _findings(pooled, together)
    assert [o.resources for o in alone] == [o.resources for o in together]
    # The workers' progress reached the parent's callback, for every account.
    assert {e.account_id for e in events} == set(ACCOUNTS)
    with pooled.session() as session:
        owners = {session.get_one(Scan, o.scan_id).owner for o in together}
        run_ids = {session.get_one(Scan, o.scan_id).run_id for o in together}
    # Scanned in other processes than this one, as one run.
    assert len(run_ids) == 1
    assert all(not str(owner).endswith(f":{os.getpid()}") for owner in owners)


def test_a_worker_that_dies_leaves_its_scans_failed_never_running(
    boto3_client: Any, moto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'killed.db'}")
    result: list[list[ScanSummary]] = []
    with slow_http_proxy(moto.url, 0.3) as slow:
        monkeypatch.setenv("AWS_ENDPOINT_URL", slow)  # the spawned workers inherit it

        def scan() -> None:
            result.append(
                asyncio.run(
                    scan_accounts(
                        _settings(),
                        ACCOUNTS,
                        [REGION],
                        store=store,
                        workers=2,
                        max_parallel_accounts=2,
                    )
                )
            )

        thread = threading.Thread(target=scan)
        thread.start()
        victim = _first_worker_scanning(store)
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=300)
    assert not thread.is_alive()
    (outcomes,) = result
    assert [o.account_id for o in outcomes] == ACCOUNTS
    with store.session() as session:
        scans = [session.get_one(Scan, o.scan_id) for o in outcomes]
    assert ScanStatus.RUNNING not in {s.status for s in scans}
    assert [o.status for o in outcomes] == [s.status for s in scans]
    killed = [s for s in scans if s.owner and s.owner.endswith(f":{victim}")]
    assert killed and all(s.status == ScanStatus.FAILED for s in killed)
    assert WORKER_DIED in {s.error for s in scans}


def _first_worker_scanning(store: Store, parent: int | None = None) -> int:
    """The process ID of a worker with a scan running (polled: the workers start apart)."""
    parent = parent or os.getpid()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with suppress(OperationalError):  # the scanning process may be creating the tables
            with store.session() as session:
                running = session.scalars(select(Scan).where(Scan.status == ScanStatus.RUNNING))
                owners = [str(scan.owner) for scan in running]
            for owner in owners:
                pid = int(owner.rpartition(":")[2])
                if pid != parent:
                    return pid
        time.sleep(0.05)
    raise AssertionError("no worker started a scan")


def test_sigterm_ends_the_workers_and_fails_their_scans(moto: Any, tmp_path: Path) -> None:
    database = tmp_path / "stopped.db"
    store = open_store(f"sqlite:///{database}")
    with slow_http_proxy(moto.url, 0.3) as slow:
        env = dict(
            os.environ,
            AWS_ENDPOINT_URL=slow,
            AUDITOR_DATABASE_URL=f"sqlite:///{database}",
            AUDITOR_SCAN_WORKERS="2",
            AUDITOR_MAX_ATTEMPTS="2",
        )
        argv = [sys.executable, "-c", "from auditor.cli import main; main()", "scan"]
        for account in ACCOUNTS:
            argv += ["-a", account]
        process = subprocess.Popen(
            [*argv, "-r", REGION, "--no-progress"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        worker = _first_worker_scanning(store, parent=process.pid)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    with store.session() as session:
        scans = list(session.scalars(select(Scan)))
    assert scans and ScanStatus.RUNNING not in {s.status for s in scans}
    owners = {str(s.owner) for s in scans}
    # The worker was stopped mid-scan, not left to finish its accounts.
    stopped = [s for s in scans if s.owner == f"{socket.gethostname()}:{worker}"]
    assert stopped and {s.status for s in stopped} == {ScanStatus.FAILED}
    assert all("interrupted" in str(s.error) for s in stopped)
    assert all(processes.is_gone(owner) for owner in owners)
