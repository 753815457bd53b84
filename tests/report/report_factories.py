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
from auditor.muting import Rule
from auditor.store.base import Base
from auditor.store.database import Store
from auditor.store.scans import CollectionOutcome, Finding, Scan

# Muted findings carry the rule that muted them as auditor.muting writes it ("muted_by").
SANDBOX_RULE = Rule(
    index=2,
    reason="throwaway test VPC, expires 2027-01-31",
    check="vpc-dns-attributes",
    resource="vpc-0sandbox",
    source="mutes.toml",
)
LEGACY_BATCH_RULE = Rule(index=1, reason="retired in Q1", check="legacy-platform-version")

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
        collector=collector,
        account_id=scan.account_id,
        region=region or scan.regions[0],
        status=status,
        optional=optional,
        error=error,
        error_code=error_code,
    )
    outcome.scan_id = scan.id
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
            evidence={"missing": ["ec2.route_tables"]},
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
            evidence={"muted_by": SANDBOX_RULE.describe()},
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
PATH_CHECKS = {"image-pull-path", "log-delivery-path", "secrets-path"}
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
        nat = f"nat-{index % 13:017x}"
        broken = status in ("FAIL", "UNKNOWN")
        evidence: dict[str, Any]
        if check_id in PATH_CHECKS:
            evidence = path_evidence(
                source=f"task {number:032x} (service orders-{number % 40}, cluster prod-cluster)",
                subnet=f"subnet-{index % 97:017x}",
                nat=nat,
                nat_ok=not broken,
            )
        else:
            evidence = {
                "hops": [
                    {
                        "step": "subnet",
                        "id": f"subnet-{index % 97:017x}",
                        "route_table": f"rtb-{index % 31:017x}",
                    },
                    {"step": "security group", "id": f"sg-{index % 41:017x}", "egress_443": True},
                ]
            }
        if status == "MUTED":
            evidence["muted_by"] = LEGACY_BATCH_RULE.describe()
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
                resource_name=(
                    f"task {number:032x} (service orders-{number % 40}, cluster prod-cluster)"
                ),
                message=f"Task orders-worker-{number} ({check_id}): the default route of "
                "its subnet goes to a NAT gateway that is not available; route 0.0.0.0/0 "
                "to an available NAT gateway or add the VPC endpoints it needs.",
                evidence=evidence,
                first_seen=started - timedelta(days=index % 30) if status == "FAIL" else None,
                root_cause_kind="nat-gateway" if broken and check_id in PATH_CHECKS else None,
                root_cause_id=nat if broken and check_id in PATH_CHECKS else None,
                root_cause_detail=(
                    f"NAT gateway {nat} is deleted" if broken and check_id in PATH_CHECKS else None
                ),
            )
        )
    session.add_all(rows)
    session.flush()
    return [scans[a] for a in ESTATE_ACCOUNTS]


def path_evidence(
    *,
    source: str,
    subnet: str = "subnet-0priv1",
    nat: str = "nat-0payments",
    nat_ok: bool = False,
    nat_detail: str | None = None,
    purpose: str = "image 111111111111.dkr.ecr.us-east-1.amazonaws.com/api:1",
) -> dict[str, Any]:
    """A path check's evidence as checks.paths.common writes it: the NAT path and an
    endpoint path the VPC never had."""
    detail = nat_detail or (f"NAT gateway {nat} is {'available' if nat_ok else 'deleted'}")
    nat_path = {
        "path": f"NAT gateway {nat}",
        "ok": nat_ok,
        "hops": [
            {
                "step": "route-table",
                "id": "rtb-0priv",
                "ok": True,
                "detail": f"{subnet} is associated with rtb-0priv",
            },
            {"step": "route", "id": "rtb-0priv", "ok": True, "detail": f"0.0.0.0/0 → {nat}"},
            {"step": "nat-gateway", "id": nat, "ok": nat_ok, "detail": detail},
            {
                "step": "nat-subnet-route",
                "id": "rtb-0pub",
                "ok": True,
                "detail": "0.0.0.0/0 → igw-0main",
            },
            {
                "step": "internet-gateway",
                "id": "igw-0main",
                "ok": True,
                "detail": "igw-0main is attached",
            },
            {
                "step": "security-group-egress",
                "id": "sg-0task",
                "ok": True,
                "detail": "egress TCP 443 allowed by sg-0task",
            },
        ],
    }
    endpoint_path = {
        "path": "ECR endpoints (ecr.dkr, ecr.api, s3 gateway)",
        "ok": False,
        "hops": [
            {
                "step": "endpoint",
                "id": "com.amazonaws.us-east-1.ecr.dkr",
                "ok": False,
                "detail": "vpc-0pay has no com.amazonaws.us-east-1.ecr.dkr interface endpoint",
            }
        ],
    }
    image = purpose.removeprefix("image ")
    return {
        "task_definition": "arn:aws:ecs:us-east-1:111111111111:task-definition/api:7",
        "images": [{"image": image, "registry": "private ECR in us-east-1"}],
        "platform": {
            "requested": "LATEST",
            "version": "1.4.0",
            "os": "Linux",
            "resolved_from_latest": True,
        },
        "sources": [
            {
                "source": source,
                "subnet_id": subnet,
                "vpc_id": "vpc-0pay",
                "security_group_ids": ["sg-0task"],
                "public_ipv4": False,
                "legs": [
                    {
                        "purpose": purpose,
                        "destination": "Amazon ECR",
                        "reachable": nat_ok,
                        "via": f"NAT gateway {nat}" if nat_ok else None,
                        "paths": [nat_path, endpoint_path],
                    }
                ],
            }
        ],
    }


OUTAGE_SERVICES = {"checkout-api": 3, "cart": 3, "payments-worker": 2, "receipts": 2}
OUTAGE_CHECKS = (
    ("image-pull-path", "high"),
    ("log-delivery-path", "medium"),
    ("secrets-path", "high"),
)


def outage_finding(
    session: Session,
    *,
    scan: Scan,
    check_id: str,
    severity: str,
    service: str,
    task: str | None,
    broken: bool,
    nat: str = "nat-0payments",
    cluster: str = "payments",
) -> Finding:
    if task is None:
        name = f"service {service} (cluster {cluster})"
        resource_id = f"arn:aws:ecs:us-east-1:{scan.account_id}:service/{cluster}/{service}"
        resource_type = "ecs-service"
    else:
        name = f"task {task} (service {service}, cluster {cluster})"
        resource_id = f"arn:aws:ecs:us-east-1:{scan.account_id}:task/{cluster}/{task}"
        resource_type = "ecs-task"
    finding = finding_row(
        session,
        scan=scan,
        check_id=check_id,
        severity=severity,
        status="FAIL" if broken else "PASS",
        resource_type=resource_type,
        resource_id=resource_id,
        resource_name=name,
        message=f"{name} {'cannot' if broken else 'can'} reach its destination via {nat}.",
        evidence=path_evidence(source=name, nat=nat, nat_ok=not broken),
    )
    if broken:
        finding.root_cause_kind = "nat-gateway"
        finding.root_cause_id = nat
        finding.root_cause_detail = f"NAT gateway {nat} is deleted"
    return finding


def seed_outage(
    session: Session, *, long_names: bool = False, account_id: str = ACCOUNT
) -> tuple[Scan, Scan]:
    """Last week a blackholed route broke one service; this week that is fixed, but NAT
    gateway nat-0payments is deleted: 4 services (10 tasks) fail image pull, logs and secrets.
    Returns (baseline, current)."""
    last = scan_row(session, account_id=account_id, started_at=T0)
    now = scan_row(session, account_id=account_id, started_at=T0 + timedelta(days=7))
    for scan, broken in ((last, False), (now, True)):
        for service, tasks in OUTAGE_SERVICES.items():
            shown = ("S" * 10_000 + service) if long_names else service
            for check_id, severity in OUTAGE_CHECKS:
                outage_finding(
                    session,
                    scan=scan,
                    check_id=check_id,
                    severity=severity,
                    service=shown,
                    task=None,
                    broken=broken,
                )
                for index in range(tasks):
                    outage_finding(
                        session,
                        scan=scan,
                        check_id=check_id,
                        severity=severity,
                        service=shown,
                        task=f"{service[:4]}{index:04d}",
                        broken=broken,
                    )
    # Fixed since last week: ledger's route table had a blackholed default route.
    for scan, broken in ((last, True), (now, False)):
        finding = finding_row(
            session,
            scan=scan,
            resource_id=f"arn:aws:ecs:us-east-1:{account_id}:task/ledger/ledg0001",
            resource_name="task ledg0001 (service ledger, cluster ledger)",
            status="FAIL" if broken else "PASS",
            message="ledger cannot reach ECR: rtb-0ledger has a blackhole route.",
        )
        if broken:
            finding.root_cause_kind = "route"
            finding.root_cause_id = "rtb-0ledger"
            finding.root_cause_detail = "rtb-0ledger routes 0.0.0.0/0 to a blackhole"
    # Not a path check: grouped by check.
    for scan in (last, now):
        finding_row(
            session,
            scan=scan,
            check_id="vpc-flow-logs",
            severity="medium",
            resource_type="vpc",
            resource_id="vpc-0pay",
            message="VPC vpc-0pay has no active flow log: create one.",
        )
    session.flush()
    return last, now
