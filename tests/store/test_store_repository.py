"""Repository queries on SQLite and PostgreSQL: history, first_seen, pruning, abandoned scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from auditor import __version__, processes
from auditor.store import reads, repository
from auditor.store.database import Store, open_store
from auditor.store.resources import Ec2Vpc, EcsTask
from auditor.store.scans import Finding, Scan, ScanStatus

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _scan(
    store: Store, *, day: int, status: str = ScanStatus.COMPLETE, account: str = "111111111111"
) -> str:
    scan_id = f"scan-{account}-{day}"
    with store.session() as session:
        session.add(
            Scan(
                id=scan_id,
                account_id=account,
                regions=["us-east-1"],
                started_at=T0 + timedelta(days=day),
                status=status,
            )
        )
        session.flush()
        repository.save_records(
            session,
            scan_id,
            [
                Ec2Vpc(
                    account_id=account, region="us-east-1", vpc_id="vpc-1", raw={"VpcId": "vpc-1"}
                ),
                EcsTask(
                    account_id=account,
                    region="us-east-1",
                    task_arn=f"arn:task/{day}",
                    cluster_arn="arn:cluster",
                    task_definition_arn="arn:td:1",
                ),
            ],
        )
    return scan_id


def _fail(store: Store, scan_id: str, first_seen: datetime | None, status: str = "FAIL") -> None:
    with store.session() as session:
        session.add(
            Finding(
                scan_id=scan_id,
                check_id="image-pull-path",
                status=status,
                severity="high",
                account_id="111111111111",
                region="us-east-1",
                resource_type="ecs-task",
                resource_id="arn:task/x",
                first_seen=first_seen,
            )
        )


def test_previous_scan_skips_failed_and_other_accounts(database_url: str) -> None:
    store = open_store(database_url)
    first = _scan(store, day=1)
    _scan(store, day=2, status=ScanStatus.FAILED)
    _scan(store, day=2, account="222222222222")
    third = _scan(store, day=3)
    with store.session() as session:
        current = session.get_one(Scan, third)
        previous = reads.previous_scan(session, current)
        assert previous is not None and previous.id == first
        inventory = reads.load_inventory(session, current)
        assert [t.task_arn for t in inventory.tasks] == ["arn:task/3"]
        assert inventory.previous is not None
        assert [t.task_arn for t in inventory.previous.tasks] == ["arn:task/1"]
    store.dispose()


def test_first_seen_carries_over_only_from_a_failing_previous_scan(database_url: str) -> None:
    store = open_store(database_url)
    first = _scan(store, day=1)
    _fail(store, first, T0)
    second = _scan(store, day=2)
    with store.session() as session:
        keys = reads.first_seen_by_key(session, session.get_one(Scan, second))
    assert keys == {("image-pull-path", "111111111111", "us-east-1", "arn:task/x"): T0}
    _fail(store, second, None, status="PASS")
    third = _scan(store, day=3)
    with store.session() as session:
        assert reads.first_seen_by_key(session, session.get_one(Scan, third)) == {}
    store.dispose()


def test_prune_keeps_findings_and_the_newest_complete_inventory(database_url: str) -> None:
    store = open_store(database_url)
    old = _scan(store, day=1)
    _fail(store, old, T0)
    newest = _scan(store, day=2)
    with store.session() as session:
        pruned = repository.prune(session, older_than=T0 + timedelta(days=30))
    assert pruned == [old]
    with store.session() as session:
        tasks = session.scalars(select(EcsTask.scan_id)).all()
        assert tasks == [newest]
        assert session.scalar(select(func.count()).select_from(Finding)) == 1
        assert session.get_one(Scan, old).inventory_pruned is True
        assert session.get_one(Scan, newest).inventory_pruned is False
    store.dispose()


def test_abandoned_running_scans_are_marked_failed(database_url: str) -> None:
    store = open_store(database_url)
    now = T0 + timedelta(days=5)
    with store.session() as session:
        session.add_all(
            [
                Scan(
                    id="dead",
                    account_id="1" * 12,
                    regions=["us-east-1"],
                    started_at=T0,
                    status=ScanStatus.RUNNING,
                    owner="nohost:1",
                    heartbeat_at=T0,
                ),
                Scan(
                    id="alive",
                    account_id="1" * 12,
                    regions=["us-east-1"],
                    started_at=now,
                    status=ScanStatus.RUNNING,
                    owner=processes.this_process(),
                    heartbeat_at=now,
                ),
            ]
        )
    with store.session() as session:
        assert repository.fail_abandoned_scans(session, now, owner_is_gone=processes.is_gone) == [
            "dead"
        ]
    with store.session() as session:
        dead = session.get_one(Scan, "dead")
        assert dead.status == ScanStatus.FAILED and dead.error and "interrupted" in dead.error
        assert session.get_one(Scan, "alive").status == ScanStatus.RUNNING
    store.dispose()


def test_a_new_scan_is_running_owned_by_this_process_and_stored_as_built(
    database_url: str,
) -> None:
    store = open_store(database_url)
    scan = repository.new_scan(
        "1" * 12, ("eu-west-1", "us-east-1"), trigger="schedule", run_id="run-1", now=T0
    )
    other = repository.new_scan("1" * 12, ["us-east-1"], trigger="cli", run_id=None, now=T0)
    assert scan.id != other.id
    with store.session() as session:
        repository.add_scan(session, scan)
    with store.session() as session:
        stored = session.get_one(Scan, scan.id)
        assert stored.status == ScanStatus.RUNNING
        assert stored.regions == ["eu-west-1", "us-east-1"]
        assert (stored.trigger, stored.run_id, stored.account_id) == ("schedule", "run-1", "1" * 12)
        assert stored.started_at == stored.heartbeat_at == T0
        assert stored.owner == processes.this_process()
        assert stored.auditor_version == __version__
    store.dispose()
