"""An account of a run is evaluated as soon as its owners in the run have stored their records,
and waits (deferred, its records only in the store) while they have not: the verdicts are the
same whichever account of the run finishes first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor import __version__
from auditor.config import Settings
from auditor.engine import (
    DeferredScan,
    RunView,
    ScanSummary,
    evaluate_deferred,
    evaluate_when_ready,
    store_collected,
)
from auditor.store.database import Store, open_store
from auditor.store.scans import Scan, ScanStatus
from tests.store.test_store_shared_vpc import (
    NETWORK,
    REGION,
    WORKLOAD,
    Boto3Factory,
    collect_owner,
    hops,
    image_pull,
    participant_view,
    seed_owner,
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'run.db'}")


def _start(store: Store, run_id: str, account_id: str) -> str:
    scan = Scan(
        id=str(uuid.uuid4()),
        account_id=account_id,
        regions=[REGION],
        started_at=datetime.now(UTC),
        auditor_version=__version__,
        run_id=run_id,
    )
    with store.session() as session:
        session.add(scan)
    return scan.id


@pytest.mark.asyncio
async def test_a_workload_stored_before_its_owner_waits_for_the_owners_records(
    boto3_client: Boto3Factory,
    store: Store,
) -> None:
    owner = seed_owner(boto3_client)
    settings = Settings()
    run_id = str(uuid.uuid4())
    view = RunView(run_id, [NETWORK, WORKLOAD], settings)
    workload_scan = _start(store, run_id, WORKLOAD)

    # The owner's scan has not even started: the workload waits, its scan still running.
    stored = store_collected(store, workload_scan, participant_view(owner))
    waiting = evaluate_when_ready(store, settings, view, stored)
    assert waiting == DeferredScan(scan_id=workload_scan, account_id=WORKLOAD)
    with store.session() as session:
        assert session.get_one(Scan, workload_scan).status == ScanStatus.RUNNING

    # The owner, its records stored, needs nobody: evaluated at once.
    network_scan = _start(store, run_id, NETWORK)
    owner_stored = store_collected(store, network_scan, await collect_owner())
    network_outcome = evaluate_when_ready(store, settings, view, owner_stored)
    assert isinstance(network_outcome, ScanSummary)
    assert network_outcome.status == ScanStatus.COMPLETE

    # The workload, read back from the store, is judged on the owner's records of this run.
    (outcome,) = evaluate_deferred(
        store, settings, RunView(run_id, [NETWORK, WORKLOAD], settings), [waiting]
    )
    assert (outcome.account_id, outcome.status) == (WORKLOAD, ScanStatus.COMPLETE)
    assert outcome.unscanned_owners == {}
    assert outcome.resources["tasks"] == 1
    finding = image_pull(store, outcome)
    assert (finding.account_id, finding.status) == (WORKLOAD, "PASS"), finding.message
    assert (owner["nat"], NETWORK) in {(h["id"], h.get("account")) for h in hops(finding)}
    assert image_pull(store, outcome, "vpc-flow-logs").status == "PASS"


@pytest.mark.asyncio
async def test_an_owner_stored_first_lets_the_workload_be_evaluated_at_once(
    boto3_client: Boto3Factory,
    store: Store,
) -> None:
    owner = seed_owner(boto3_client)
    settings = Settings()
    run_id = str(uuid.uuid4())
    view = RunView(run_id, [NETWORK, WORKLOAD], settings)
    network_scan = _start(store, run_id, NETWORK)
    # Stored but not yet evaluated: its records are what the workload needs.
    store_collected(store, network_scan, await collect_owner())

    workload_scan = _start(store, run_id, WORKLOAD)
    stored = store_collected(store, workload_scan, participant_view(owner))
    outcome = evaluate_when_ready(store, settings, view, stored)
    assert isinstance(outcome, ScanSummary)
    assert image_pull(store, outcome).status == "PASS"


@pytest.mark.asyncio
async def test_an_owner_of_the_run_that_failed_is_not_waited_for(
    boto3_client: Boto3Factory,
    store: Store,
) -> None:
    owner = seed_owner(boto3_client)
    settings = Settings()
    run_id = str(uuid.uuid4())
    view = RunView(run_id, [NETWORK, WORKLOAD], settings)
    network_scan = _start(store, run_id, NETWORK)
    with store.session() as session:
        failed = session.get_one(Scan, network_scan)
        failed.status, failed.error = ScanStatus.FAILED, "sts:AssumeRole failed"

    stored = store_collected(store, _start(store, run_id, WORKLOAD), participant_view(owner))
    outcome = evaluate_when_ready(store, settings, view, stored)
    assert isinstance(outcome, ScanSummary)
    assert outcome.unscanned_owners == {NETWORK: owner["vpc"]["VpcId"]}
    assert image_pull(store, outcome).status == "UNKNOWN"
