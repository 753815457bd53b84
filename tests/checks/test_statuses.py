"""One PASS, one FAIL and one UNKNOWN case for every check, and a sweep that none is missing.

Each case builds an estate, runs only its check, and compares the exact set of verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from checks import all_checks, get_check
from checks.base import ResourceType, Status
from tests.checks.checks_factories import (
    ACCOUNT,
    ECR_IMAGE,
    InventoryEstate,
    efs_volume,
    route,
    statuses,
)

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-password"
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    check_id: str
    status: Status
    name: str
    # Builds the estate and returns the resource ID the single result must be about.
    build: Callable[[InventoryEstate], str]


def _task_in_public(estate: InventoryEstate, *, public_ip: str | None) -> str:
    estate.public_vpc()
    return estate.task(public_ip=public_ip).task_arn


def _image_unknown(estate: InventoryEstate) -> str:
    arn = _task_in_public(estate, public_ip="54.1.2.3")
    estate.fail("ec2.route_tables")
    return arn


def _logs(estate: InventoryEstate, network: str, *, deny: str | None = None) -> str:
    getattr(estate, network)()
    arn = estate.task(definition=estate.task_definition(awslogs=True)).task_arn
    if deny:
        estate.fail(deny)
    return arn


def _secrets(estate: InventoryEstate, network: str, *, deny: str | None = None) -> str:
    getattr(estate, network)()
    arn = estate.task(definition=estate.task_definition(secrets=[SECRET])).task_arn
    if deny:
        estate.fail(deny, status="error", error="Throttling")
    return arn


def _stopped(estate: InventoryEstate, reason: str, *, deny: bool = False) -> str:
    task = estate.task(status="STOPPED", stopped_reason=reason, eni=False)
    if deny:
        estate.fail("ecs.tasks")
        return ACCOUNT
    return task.task_arn


def _dual_stack(estate: InventoryEstate, value: str | None) -> str:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(ipv6_cidrs=["2600:1f18::/64"], assign_ipv6=True)
    estate.task(ipv6=["2600:1f18::10"] if value == "enabled" else ())
    if value is not None:
        estate.setting(value=value)
    return ACCOUNT


def _ipv6_task(estate: InventoryEstate, *, ipv6: bool, eni: bool = True) -> str:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(ipv6_cidrs=["2600:1f18::/64"], assign_ipv6=False)
    return estate.task(ipv6=["2600:1f18::10"] if ipv6 else (), eni=eni).task_arn


def _dhcp(estate: InventoryEstate, *, changed_at: datetime | None) -> str:
    estate.vpc(dhcp_options_id="dopt-new")
    estate.subnet()
    if changed_at is None:
        estate.fail("cloudtrail.dhcp_associations", status="error", error="HTTP 500")
    else:
        estate.dhcp_event(dhcp_options_id="dopt-new", at=changed_at)
    return estate.task(started_at=T0).task_arn


def _platform(estate: InventoryEstate, version: str | None, *, deny: str | None = None) -> str:
    arn = estate.task(platform_version=version, eni=False).task_arn
    if deny:
        estate.fail(deny)
    return arn


def _jumbo(estate: InventoryEstate, *, via_tgw: bool, deny: bool = False) -> str:
    estate.vpc()
    estate.subnet()
    routes = [route("10.1.0.0/16", "tgw-1")] if via_tgw else [route("10.1.0.0/16", "pcx-1")]
    estate.route_table(subnets=["subnet-1"], routes=routes)
    arn = estate.task(eni=False).task_arn
    if deny:
        estate.fail("ec2.route_tables")
    return arn


def _flow_logs(estate: InventoryEstate, *, log: bool, deny: bool = False) -> str:
    estate.vpc()
    estate.subnet()
    estate.task(eni=False)
    if log:
        estate.flow_log()
    if deny:
        estate.fail("ec2.flow_logs")
    return "vpc-1"


def _dns(estate: InventoryEstate, hostnames: bool | None) -> str:
    estate.vpc(dns_hostnames=hostnames)
    estate.subnet()
    estate.task(eni=False)
    return "vpc-1"


def _execution_role(estate: InventoryEstate, *, role: bool, known: bool = True) -> str:
    definition = estate.task_definition(
        image=ECR_IMAGE, execution_role="arn:aws:iam::123456789012:role/exec" if role else None
    )
    estate.task(definition=definition, eni=False)
    if not known:
        estate.records["task_definitions"].remove(definition)
    return definition.task_definition_arn


def _service_role(estate: InventoryEstate, *, role: bool, deny: bool = False) -> str:
    estate.cluster()
    if role:
        estate.role()
    if deny:
        estate.fail("iam.service_linked_role")
    return ACCOUNT


def _load_balancer(estate: InventoryEstate, target_type: str, *, deny: bool = False) -> str:
    group = estate.target_group(target_type=target_type)
    if deny:
        estate.records["target_groups"].remove(group)
        estate.fail("elbv2.target_groups")
    service = estate.service(load_balancers=[{"targetGroupArn": group.target_group_arn}])
    return service.service_arn


def _efs(estate: InventoryEstate, *, ingress: bool = True, deny: str | None = None) -> str:
    estate.efs_estate(mount_target_ingress=ingress)
    arn = estate.task(definition=estate.task_definition(volumes=[efs_volume()])).task_arn
    if deny:
        estate.fail(deny)
    return arn


def _firelens(
    estate: InventoryEstate, *, role: bool = True, options: dict[str, str] | None = None
) -> str:
    estate.nat_vpc()
    definition = estate.task_definition(
        firelens=options or {"Name": "cloudwatch_logs", "region": "us-east-1"},
        task_role=f"arn:aws:iam::{ACCOUNT}:role/app" if role else None,
    )
    return estate.task(definition=definition).task_arn


CASES = [
    Case(
        "image-pull-path",
        Status.PASS,
        "public IP + IGW",
        lambda e: _task_in_public(e, public_ip="54.1.2.3"),
    ),
    Case(
        "image-pull-path",
        Status.FAIL,
        "IGW without public IP",
        lambda e: _task_in_public(e, public_ip=None),
    ),
    Case("image-pull-path", Status.UNKNOWN, "route tables denied", _image_unknown),
    Case("log-delivery-path", Status.PASS, "NAT", lambda e: _logs(e, "nat_vpc")),
    Case("log-delivery-path", Status.FAIL, "isolated", lambda e: _logs(e, "private_vpc")),
    Case(
        "log-delivery-path",
        Status.UNKNOWN,
        "endpoints denied",
        lambda e: _logs(e, "private_vpc", deny="ec2.vpc_endpoints"),
    ),
    Case("secrets-path", Status.PASS, "NAT", lambda e: _secrets(e, "nat_vpc")),
    Case("secrets-path", Status.FAIL, "isolated", lambda e: _secrets(e, "private_vpc")),
    Case(
        "secrets-path",
        Status.UNKNOWN,
        "security groups failed",
        lambda e: _secrets(e, "nat_vpc", deny="ec2.security_groups"),
    ),
    Case(
        "recent-pull-failures",
        Status.PASS,
        "exited",
        lambda e: _stopped(e, "Essential container in task exited"),
    ),
    Case(
        "recent-pull-failures",
        Status.FAIL,
        "pull error",
        lambda e: _stopped(e, "CannotPullContainerError: context canceled"),
    ),
    Case(
        "recent-pull-failures",
        Status.UNKNOWN,
        "tasks denied",
        lambda e: _stopped(e, "x", deny=True),
    ),
    Case("dualstack-ipv6-disabled", Status.PASS, "enabled", lambda e: _dual_stack(e, "enabled")),
    Case("dualstack-ipv6-disabled", Status.FAIL, "disabled", lambda e: _dual_stack(e, "disabled")),
    Case("dualstack-ipv6-disabled", Status.UNKNOWN, "not returned", lambda e: _dual_stack(e, None)),
    Case("task-missing-ipv6", Status.PASS, "has IPv6", lambda e: _ipv6_task(e, ipv6=True)),
    Case("task-missing-ipv6", Status.FAIL, "no IPv6", lambda e: _ipv6_task(e, ipv6=False)),
    Case(
        "task-missing-ipv6",
        Status.UNKNOWN,
        "ENI missing",
        lambda e: _ipv6_task(e, ipv6=False, eni=False),
    ),
    Case(
        "stale-dhcp-options",
        Status.PASS,
        "changed before start",
        lambda e: _dhcp(e, changed_at=datetime(2026, 11, 1, tzinfo=UTC)),
    ),
    Case(
        "stale-dhcp-options",
        Status.FAIL,
        "changed after start",
        lambda e: _dhcp(e, changed_at=datetime(2026, 11, 25, tzinfo=UTC)),
    ),
    Case(
        "stale-dhcp-options",
        Status.UNKNOWN,
        "first scan, no CloudTrail",
        lambda e: _dhcp(e, changed_at=None),
    ),
    Case("legacy-platform-version", Status.PASS, "1.4.0", lambda e: _platform(e, "1.4.0")),
    Case("legacy-platform-version", Status.FAIL, "1.3.0", lambda e: _platform(e, "1.3.0")),
    Case(
        "legacy-platform-version",
        Status.UNKNOWN,
        "definitions denied",
        lambda e: _platform(e, "1.4.0", deny="ecs.task_definitions"),
    ),
    Case("non-jumbo-path", Status.PASS, "peering", lambda e: _jumbo(e, via_tgw=False)),
    Case("non-jumbo-path", Status.FAIL, "transit gateway", lambda e: _jumbo(e, via_tgw=True)),
    Case(
        "non-jumbo-path",
        Status.UNKNOWN,
        "route tables denied",
        lambda e: _jumbo(e, via_tgw=True, deny=True),
    ),
    Case("vpc-flow-logs", Status.PASS, "VPC flow log", lambda e: _flow_logs(e, log=True)),
    Case("vpc-flow-logs", Status.FAIL, "none", lambda e: _flow_logs(e, log=False)),
    Case("vpc-flow-logs", Status.UNKNOWN, "denied", lambda e: _flow_logs(e, log=False, deny=True)),
    Case("vpc-dns-attributes", Status.PASS, "both on", lambda e: _dns(e, True)),
    Case("vpc-dns-attributes", Status.FAIL, "host names off", lambda e: _dns(e, False)),
    Case("vpc-dns-attributes", Status.UNKNOWN, "attribute not read", lambda e: _dns(e, None)),
    Case(
        "execution-role-missing", Status.PASS, "has role", lambda e: _execution_role(e, role=True)
    ),
    Case(
        "execution-role-missing",
        Status.FAIL,
        "ECR without role",
        lambda e: _execution_role(e, role=False),
    ),
    Case(
        "execution-role-missing",
        Status.UNKNOWN,
        "definition not collected",
        lambda e: _execution_role(e, role=False, known=False),
    ),
    Case("ecs-service-linked-role", Status.PASS, "role", lambda e: _service_role(e, role=True)),
    Case("ecs-service-linked-role", Status.FAIL, "no role", lambda e: _service_role(e, role=False)),
    Case(
        "ecs-service-linked-role",
        Status.UNKNOWN,
        "IAM denied",
        lambda e: _service_role(e, role=False, deny=True),
    ),
    Case("fargate-load-balancer", Status.PASS, "ip", lambda e: _load_balancer(e, "ip")),
    Case("fargate-load-balancer", Status.FAIL, "instance", lambda e: _load_balancer(e, "instance")),
    Case(
        "fargate-load-balancer",
        Status.UNKNOWN,
        "ELB denied",
        lambda e: _load_balancer(e, "ip", deny=True),
    ),
    Case("efs-mount-path", Status.PASS, "mount target in the AZ", _efs),
    Case("efs-mount-path", Status.FAIL, "no NFS ingress", lambda e: _efs(e, ingress=False)),
    Case(
        "efs-mount-path",
        Status.UNKNOWN,
        "EFS denied",
        lambda e: _efs(e, deny="efs.file_systems"),
    ),
    Case("firelens-delivery", Status.PASS, "NAT and task role", _firelens),
    Case("firelens-delivery", Status.FAIL, "no task role", lambda e: _firelens(e, role=False)),
    Case(
        "firelens-delivery",
        Status.UNKNOWN,
        "unmodelled output",
        lambda e: _firelens(e, options={"Name": "splunk"}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.check_id}-{c.status}-{c.name}" for c in CASES])
def test_status_case(case: Case, estate: InventoryEstate) -> None:
    resource_id = case.build(estate)
    check = get_check(case.check_id)
    assert check is not None
    results = list(check.evaluate(estate.inventory()))
    assert statuses(results) == {(case.check_id, resource_id, case.status)}
    (result,) = results
    assert result.resource_type in {*check.meta.resource_types, ResourceType.ACCOUNT_REGION}
    assert result.severity is check.meta.severity
    assert result.message.endswith("."), result.message
    if case.status is Status.FAIL:
        assert "fix:" in result.message
    if case.status is not Status.UNKNOWN:
        assert result.evidence, "a verdict shows what it looked at"
    json.dumps(result.evidence)  # evidence is stored as JSON


def test_every_check_has_pass_fail_and_unknown_cases() -> None:
    covered = {(c.check_id, c.status) for c in CASES}
    wanted = {
        (check.meta.id, status)
        for check in all_checks()
        for status in (Status.PASS, Status.FAIL, Status.UNKNOWN)
    }
    assert wanted - covered == set()
    assert {c for c, _ in covered} == {check.meta.id for check in all_checks()}
