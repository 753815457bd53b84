"""A leader stopped with SIGTERM hands over at once; serve logs one line per scan."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.service.service_support import ACCOUNT_A, ServeProcess, wait_for, write_config

pytestmark = pytest.mark.slow


def _role(process: ServeProcess) -> str | None:
    answer = process.healthz()
    return answer[1].get("role") if answer else None


def test_graceful_leader_stop_hands_over_within_seconds_and_logs_each_scan(
    tmp_path: Path, moto: Any, boto3_client: Any
) -> None:
    boto3_client("ec2").create_vpc(CidrBlock="10.1.0.0/16")
    config = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path / 'a.db'}", [ACCOUNT_A])
    leader = ServeProcess(config, moto.url, tmp_path / "leader.log")
    standby: ServeProcess | None = None
    try:
        wait_for(lambda: _role(leader) == "leader", what="the first process to lead")
        wait_for(
            lambda: "scan of" in leader.output() and "finished" in leader.output(),
            what="the leader's scan",
        )
        standby = ServeProcess(config, moto.url, tmp_path / "standby.log")
        wait_for(lambda: _role(standby) == "standby", what="the second process to stand by")
        code, _ = leader.stop()
        assert code == 0, leader.output()
        stopped = time.monotonic()
        # The lease is 15 minutes: taking over well before proves the lock was released.
        wait_for(lambda: _role(standby) == "leader", timeout=20, what="the standby to lead")
        assert time.monotonic() - stopped < 20
    finally:
        if leader.process.poll() is None:
            leader.kill()
        if standby is not None:
            standby.stop()

    records = [json.loads(line) for line in leader.output().splitlines() if line.startswith("{")]
    chatter = [r for r in records if r["logger"].startswith(("botocore", "aiobotocore"))]
    assert not [r for r in chatter if r["level"] in ("info", "debug")], chatter
    started = [r for r in records if r["message"] == f"scan of {ACCOUNT_A} started"]
    finished = [r for r in records if r.get("scan_id") and "finished" in r["message"]]
    assert started and finished, records
    line = finished[0]
    assert line["account_id"] == ACCOUNT_A
    assert line["status"] == "complete"
    assert line["api_calls"] > 0
    assert line["duration_seconds"] is not None
