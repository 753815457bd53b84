"""Keyword-only factories of store rows for report and notification tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import auditor.store.notifications
import auditor.store.resources
import auditor.store.scans  # noqa: F401  (registers every table)
from auditor.store.base import Base
from auditor.store.database import Store
from auditor.store.scans import CollectionOutcome, Finding, Scan

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
T0 = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)
_ids = itertools.count(1)

HOSTILE = {
    "script": "<script>window.__pwned = 1</script>",
    "img": '"><img src=x onerror="window.__pwned=2">',
    "channel": "<!channel> wake up",
    "bold": "*bold*",
    "link": "<http://evil.example|click>",
    "rtl": "invoice\u202egnp.exe",
    "long": "A" * 10_000,
}


def make_store(tmp_path: Path) -> Store:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return Store(engine, url)


def scan_row(
    session: Session,
    *,
    account_id: str = ACCOUNT,
    regions: list[str] | None = None,
    started_at: datetime = T0,
    status: str = "complete",
    scan_id: str | None = None,
    api_calls: int = 42,
) -> Scan:
    scan = Scan(
        id=scan_id or f"scan-{next(_ids):04d}",
        account_id=account_id,
        regions=regions or ["us-east-1"],
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=2),
        status=status,
        api_calls=api_calls,
    )
    session.add(scan)
    session.flush()
    return scan


def finding_row(
    session: Session,
    *,
    scan: Scan,
    check_id: str = "image-pull-path",
    status: str = "FAIL",
    severity: str = "high",
    resource_id: str = "arn:aws:ecs:us-east-1:111111111111:task/demo/abc",
    resource_type: str = "ecs-task",
    resource_name: str | None = None,
    region: str | None = None,
    message: str = "Task abc cannot reach its registry: add a NAT gateway route.",
    evidence: dict[str, Any] | None = None,
    first_seen: datetime | None = None,
) -> Finding:
    finding = Finding(
        scan_id=scan.id,
        check_id=check_id,
        status=status,
        severity=severity,
        account_id=scan.account_id,
        region=region or scan.regions[0],
        resource_type=resource_type,
        resource_id=resource_id,
        resource_name=resource_name,
        message=message,
        evidence=evidence if evidence is not None else {"hops": [{"route_table": "rtb-1"}]},
        first_seen=first_seen
        if first_seen is not None
        else (scan.started_at if status in ("FAIL", "MUTED") else None),
    )
    session.add(finding)
    return finding


def outcome_row(
    session: Session,
    *,
    scan: Scan,
    collector: str = "ec2.route_tables",
    status: str = "denied",
    region: str | None = None,
    error: str | None = "AccessDenied: not authorized to perform ec2:DescribeRouteTables",
    error_code: str | None = "AccessDenied",
    optional: bool = False,
) -> CollectionOutcome:
    outcome = CollectionOutcome(
        scan_id=scan.id,
        collector=collector,
        account_id=scan.account_id,
        region=region or scan.regions[0],
        status=status,
        optional=optional,
        error=error,
        error_code=error_code,
    )
    session.add(outcome)
    return outcome


def task_arn(name: str, *, account_id: str = ACCOUNT, region: str = "us-east-1") -> str:
    return f"arn:aws:ecs:{region}:{account_id}:task/demo/{name}"


def seed_week(session: Session, *, hostile: bool = True) -> list[Scan]:
    """Two accounts scanned a week apart, with new, fixed, unknown, muted and hostile findings.

    Returns this week's scans (the ones a report is made of).
    """
    hops = {
        "hops": [
            {"step": "subnet", "id": "subnet-0a1", "route_table": "rtb-77 (main table)"},
            {"step": "default route", "target": "nat-0bad", "state": "blackhole"},
        ],
        "needs": "a route to a NAT gateway or ECR interface endpoints",
    }
    scans = []
    for account_id, name in ((ACCOUNT, "checkout"), (OTHER_ACCOUNT, "billing")):
        last = scan_row(session, account_id=account_id, started_at=T0)
        now = scan_row(session, account_id=account_id, started_at=T0 + timedelta(days=7))
        arn = task_arn(f"{name}-web", account_id=account_id)
        fixed = task_arn(f"{name}-fixed", account_id=account_id)
        finding_row(session, scan=last, resource_id=fixed, resource_name=f"{name}-fixed")
        finding_row(
            session,
            scan=now,
            resource_id=fixed,
            resource_name=f"{name}-fixed",
            status="PASS",
            message=f"Task {name}-fixed reaches ECR through its NAT gateway.",
        )
        finding_row(
            session,
            scan=last,
            resource_id=arn,
            resource_name=f"{name}-web",
            status="PASS",
            message="ok",
        )
        finding_row(
            session,
            scan=now,
            resource_id=arn,
            resource_name=f"{name}-web",
            evidence=hops,
            message=f"Task {name}-web cannot pull its image: the default route of "
            "rtb-77 points at a blackholed NAT gateway; route 0.0.0.0/0 to an "
            "available NAT gateway or add ECR endpoints.",
        )
        for when, scan in ((T0, last), (T0, now)):
            finding_row(
                session,
                scan=scan,
                check_id="vpc-flow-logs",
                severity="medium",
                resource_type="vpc",
                resource_id="vpc-0abc",
                first_seen=when,
                message="VPC vpc-0abc has no active flow log: create one.",
            )
        finding_row(
            session,
            scan=now,
            check_id="log-delivery-path",
            severity="medium",
            status="UNKNOWN",
            resource_id=arn,
            resource_name=f"{name}-web",
            message="Route tables of us-east-1 could not be read (AccessDenied), so "
            "the log delivery path is unknown.",
            evidence={"missing": "ec2.route_tables"},
        )
        finding_row(
            session,
            scan=now,
            check_id="vpc-dns-attributes",
            severity="low",
            status="MUTED",
            resource_type="vpc",
            resource_id="vpc-0sandbox",
            message="VPC vpc-0sandbox has DNS hostnames off.",
            evidence={
                "suppression": {
                    "rule": "sandbox-vpcs",
                    "reason": "throwaway test VPC, expires 2027-01-31",
                }
            },
        )
        finding_row(
            session,
            scan=now,
            check_id="legacy-platform-version",
            severity="medium",
            status="PASS",
            resource_id=arn,
            resource_name=f"{name}-web",
            message=f"Task {name}-web runs platform 1.4.0.",
        )
        outcome_row(
            session,
            scan=now,
            collector="cloudtrail.dhcp_associations",
            status="error",
            optional=True,
            error="ThrottlingException: Rate exceeded",
            error_code="ThrottlingException",
        )
        scans.append(now)
    if not hostile:
        session.flush()
        return scans
    hostile_scan = scans[0]
    finding_row(
        session,
        scan=hostile_scan,
        resource_id=HOSTILE["img"],
        region="eu-west-1",
        resource_name=HOSTILE["script"] + HOSTILE["rtl"],
        message=" ".join(HOSTILE.values()),
        evidence={
            "tag": HOSTILE["channel"],
            HOSTILE["img"]: [HOSTILE["link"]],
            "long": HOSTILE["long"],
        },
    )
    outcome_row(session, scan=hostile_scan, error=HOSTILE["script"] + HOSTILE["bold"])
    session.flush()
    return scans


ESTATE_CHECKS = [
    ("image-pull-path", "high"),
    ("log-delivery-path", "medium"),
    ("secrets-path", "high"),
    ("recent-pull-failures", "high"),
    ("dualstack-ipv6-disabled", "medium"),
    ("task-missing-ipv6", "low"),
    ("stale-dhcp-options", "medium"),
    ("legacy-platform-version", "medium"),
    ("non-jumbo-path", "low"),
    ("vpc-flow-logs", "medium"),
    ("vpc-dns-attributes", "low"),
    ("execution-role-missing", "high"),
    ("ecs-service-linked-role", "medium"),
    ("fargate-load-balancer", "high"),
]
ESTATE_ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
ESTATE_REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1"]
# A badly broken estate: 15 % of findings FAIL, 4 % UNKNOWN, 1 % MUTED, the rest PASS.
STATUS_CYCLE = ["FAIL"] * 15 + ["UNKNOWN"] * 4 + ["MUTED"] * 1 + ["PASS"] * 80
# Each task is judged by about 8 checks, as in a real scan.
CHECKS_PER_TASK = 8


def seed_estate(session: Session, *, count: int) -> list[Scan]:
    """A large estate for scale tests: ``count`` findings over 3 accounts and 3 regions."""
    started = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    scans = {}
    for account in ESTATE_ACCOUNTS:
        scans[account] = Scan(
            id=f"bench-{account}",
            account_id=account,
            regions=ESTATE_REGIONS,
            started_at=started,
            finished_at=started + timedelta(minutes=3),
            status="complete",
        )
        session.add(scans[account])
    session.flush()
    rows = []
    for index in range(count):
        number = index // CHECKS_PER_TASK
        check_id, severity = ESTATE_CHECKS[(number + index) % len(ESTATE_CHECKS)]
        account = ESTATE_ACCOUNTS[number % len(ESTATE_ACCOUNTS)]
        region = ESTATE_REGIONS[(number // 3) % len(ESTATE_REGIONS)]
        status = STATUS_CYCLE[(index * 7) % len(STATUS_CYCLE)]
        task = f"arn:aws:ecs:{region}:{account}:task/prod-cluster/{number:032x}"
        evidence = {
            "hops": [
                {
                    "step": "subnet",
                    "id": f"subnet-{index % 97:017x}",
                    "route_table": f"rtb-{index % 31:017x}",
                },
                {
                    "step": "default route",
                    "target": f"nat-{index % 13:017x}",
                    "state": "blackhole" if status == "FAIL" else "active",
                },
                {"step": "security group", "id": f"sg-{index % 41:017x}", "egress_443": True},
            ]
        }
        if status == "MUTED":
            evidence["suppression"] = {"rule": "legacy-batch", "reason": "retired in Q1"}
        rows.append(
            Finding(
                scan_id=scans[account].id,
                check_id=check_id,
                status=status,
                severity=severity,
                account_id=account,
                region=region,
                resource_type="ecs-task",
                resource_id=task,
                resource_name=f"orders-worker-{number}",
                message=f"Task orders-worker-{number} ({check_id}): the default route of "
                "its subnet goes to a NAT gateway that is not available; route 0.0.0.0/0 "
                "to an available NAT gateway or add the VPC endpoints it needs.",
                evidence=evidence,
                first_seen=started - timedelta(days=index % 30) if status == "FAIL" else None,
            )
        )
    session.add_all(rows)
    session.flush()
    return [scans[a] for a in ESTATE_ACCOUNTS]
