"""`auditor serve` as a real process: /healthz, SIGTERM mid-scan, two replicas on PostgreSQL.

The processes scan the session's moto server through a proxy that delays every request, so a
scan lasts long enough to be interrupted or to overlap with another process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select

from auditor.store.scans import Finding, Scan
from collectors.registry import RESOURCE_TABLES
from tests.service.service_support import (
    ACCOUNT_A,
    ACCOUNT_B,
    ServeProcess,
    SlowProxy,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def proxy(moto: Any, boto3_client: Any) -> Iterator[SlowProxy]:
    ec2 = boto3_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")
    slow = SlowProxy(moto.url, delay=0.4)
    yield slow
    slow.stop()


def _scans(url: str) -> list[tuple[str, str, str, datetime, datetime | None, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("scans"):
                return []  # the process has not migrated the store yet
            rows = connection.execute(
                select(
                    Scan.id,
                    Scan.account_id,
                    Scan.status,
                    Scan.started_at,
                    Scan.finished_at,
                    Scan.error,
                ).order_by(Scan.started_at)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def _rows_of(url: str, scan_id: str) -> dict[str, int]:
    """Findings and resource rows a scan holds, by table."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                "findings": connection.execute(
                    select(func.count()).select_from(Finding).where(Finding.scan_id == scan_id)
                ).scalar_one()
            }
            for table in RESOURCE_TABLES:
                model: Any = table
                counts[model.__tablename__] = connection.execute(
                    select(func.count()).select_from(model).where(model.scan_id == scan_id)
                ).scalar_one()
            return counts
    finally:
        engine.dispose()


def _running(url: str) -> list[str]:
    return [scan_id for scan_id, _, status, *_ in _scans(url) if status == "running"]


def test_sigterm_during_a_scan_keeps_the_last_complete_scan(
    tmp_path: Path, moto: Any, proxy: SlowProxy
) -> None:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    config = write_config(tmp_path / "auditor.toml", url, [ACCOUNT_A])

    first = ServeProcess(config, moto.url, tmp_path / "first.log")
    try:
        status, _body = wait_for(
            lambda: (h := first.healthz()) and h[1]["last_scan_status"] == "complete" and h,
            what="a first complete scan",
        )
        assert status == 200
    finally:
        code, _ = first.stop()
    assert code == 0, first.output()
    [(complete_id, _, _, _, _finished, _)] = _scans(url)
    before = _rows_of(url, complete_id)
    assert before["ec2_vpcs"] >= 1  # the seeded VPC next to the default one

    second = ServeProcess(config, proxy.url, tmp_path / "second.log", "--stop-grace", "1")
    try:
        wait_for(lambda: _running(url), what="the second scan to start")
        health = second.healthz()
        assert health is not None
        assert (health[0], health[1]["last_scan_status"]) == (200, "complete")
    finally:
        code, seconds = second.stop()
    assert code == 0, second.output()
    assert seconds < 30
    scans = {scan_id: (status, error) for scan_id, _, status, _, _, error in _scans(url)}
    assert len(scans) == 2
    interrupted = next(scan_id for scan_id in scans if scan_id != complete_id)
    assert scans[interrupted][0] == "failed"
    assert "interrupted" in (scans[interrupted][1] or "")
    assert scans[complete_id] == ("complete", None)
    assert _rows_of(url, complete_id) == before
    assert _rows_of(url, interrupted)["findings"] == 0


def _running_accounts(url: str) -> set[str]:
    return {account for _, account, status, *_ in _scans(url) if status == "running"}


@pytest.mark.postgres
def test_two_replicas_on_postgresql_never_scan_one_account_at_once(
    tmp_path: Path, proxy: SlowProxy, postgres_url: str
) -> None:
    only_a = write_config(tmp_path / "a.toml", postgres_url, [ACCOUNT_A])
    both = write_config(tmp_path / "both.toml", postgres_url, [ACCOUNT_A, ACCOUNT_B])
    proxy.gate.clear()  # scans start, lock their accounts, then wait for AWS
    first = ServeProcess(only_a, proxy.url, tmp_path / "first.log")
    second: ServeProcess | None = None
    try:
        wait_for(lambda: _running_accounts(postgres_url) == {ACCOUNT_A}, what="replica 1's scan")
        second = ServeProcess(both, proxy.url, tmp_path / "second.log")
        wait_for(
            lambda: _running_accounts(postgres_url) == {ACCOUNT_A, ACCOUNT_B},
            what="replica 2's scan",
        )
        proxy.gate.set()
        wait_for(lambda: not _running_accounts(postgres_url), what="both scans to finish")
    finally:
        proxy.gate.set()
        first.stop()
        if second is not None:
            second.stop()
    assert second is not None
    output = first.output() + second.output()
    scans = _scans(postgres_url)
    assert sorted((account, status) for _, account, status, *_ in scans) == [
        (ACCOUNT_A, "complete"),
        (ACCOUNT_B, "complete"),
    ], output
    assert f"account {ACCOUNT_A} skipped: another process is scanning it" in second.output()
