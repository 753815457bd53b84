"""Benchmark: evaluating every check grows linearly with the number of tasks.

    .venv/bin/python bench/bench_checks.py [--small 5000] [--large 20000] [--repeat 3]

Builds two synthetic inventories (one ENI per task, one subnet per 50 tasks, one route table
per subnet, one VPC per 20 subnets, a mix of NAT, internet-gateway and endpoint-only subnets),
times ``evaluate_all`` on each (best of ``--repeat``, CPU time of this process so that other
load on the machine does not distort the ratio), and prints seconds per 1,000 tasks at both
sizes. Exits 1 when the large/small ratio is 1.3 or more.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.inventory import Inventory  # noqa: E402
from auditor.store.resources import (  # noqa: E402
    Ec2InternetGateway,
    Ec2ManagedPrefixList,
    Ec2NatGateway,
    Ec2NetworkAcl,
    Ec2NetworkInterface,
    Ec2RouteTable,
    Ec2SecurityGroup,
    Ec2Subnet,
    Ec2Vpc,
    Ec2VpcEndpoint,
    EcsService,
    EcsTask,
    EcsTaskDefinition,
)
from auditor.store.scans import CollectionOutcome, Scan  # noqa: E402
from checks import evaluate_all  # noqa: E402
from checks.support import KNOWN_COLLECTORS  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
TASKS_PER_SUBNET = 50
SUBNETS_PER_VPC = 20
MAX_RATIO = 1.3


def _route(destination: str, target: str) -> dict[str, Any]:
    return {
        "destination": destination,
        "family": "ipv4",
        "target_type": "gateway",
        "target_id": target,
        "state": "active",
        "origin": "CreateRoute",
    }


def _common() -> dict[str, Any]:
    return {"account_id": ACCOUNT, "region": REGION}


def _network(vpc_index: int, subnets: int, records: dict[str, list[Any]]) -> list[str]:
    vpc = f"vpc-{vpc_index:06d}"
    records["vpcs"].append(
        Ec2Vpc(
            **_common(),
            vpc_id=vpc,
            cidr_block="10.0.0.0/16",
            dhcp_options_id="dopt-1",
            enable_dns_support=True,
            enable_dns_hostnames=True,
        )
    )
    records["internet_gateways"].append(
        Ec2InternetGateway(
            **_common(),
            internet_gateway_id=f"igw-{vpc_index:06d}",
            attachments=[{"vpc_id": vpc, "state": "available"}],
        )
    )
    public = f"subnet-{vpc_index:06d}-pub"
    records["subnets"].append(
        Ec2Subnet(**_common(), subnet_id=public, vpc_id=vpc, cidr_block="10.0.0.0/24")
    )
    records["route_tables"].append(
        Ec2RouteTable(
            **_common(),
            route_table_id=f"rtb-{vpc_index:06d}-pub",
            vpc_id=vpc,
            routes=[_route("10.0.0.0/16", "local"), _route("0.0.0.0/0", f"igw-{vpc_index:06d}")],
            associations=[{"subnet_id": public, "main": False, "state": "associated"}],
        )
    )
    nat = f"nat-{vpc_index:06d}"
    records["nat_gateways"].append(
        Ec2NatGateway(
            **_common(),
            nat_gateway_id=nat,
            vpc_id=vpc,
            subnet_id=public,
            state="available",
            connectivity_type="public",
        )
    )
    for service in ("ecr.dkr", "ecr.api", "logs", "secretsmanager"):
        records["vpc_endpoints"].append(
            Ec2VpcEndpoint(
                **_common(),
                vpc_endpoint_id=f"vpce-{vpc_index:06d}-{service}",
                vpc_id=vpc,
                service_name=f"com.amazonaws.{REGION}.{service}",
                endpoint_type="Interface",
                state="available",
                private_dns_enabled=True,
                subnet_ids=[public],
                security_group_ids=[f"sg-{vpc_index:06d}-endpoints"],
            )
        )
    records["vpc_endpoints"].append(
        Ec2VpcEndpoint(
            **_common(),
            vpc_endpoint_id=f"vpce-{vpc_index:06d}-s3",
            vpc_id=vpc,
            service_name=f"com.amazonaws.{REGION}.s3",
            endpoint_type="Gateway",
            state="available",
        )
    )
    records["security_groups"].append(
        Ec2SecurityGroup(
            **_common(),
            group_id=f"sg-{vpc_index:06d}-task",
            vpc_id=vpc,
            egress=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    )
    records["security_groups"].append(
        Ec2SecurityGroup(
            **_common(),
            group_id=f"sg-{vpc_index:06d}-endpoints",
            vpc_id=vpc,
            ingress=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "UserIdGroupPairs": [{"GroupId": f"sg-{vpc_index:06d}-task"}],
                }
            ],
        )
    )
    names = []
    for index in range(subnets):
        subnet = f"subnet-{vpc_index:06d}-{index:03d}"
        names.append(subnet)
        records["subnets"].append(
            Ec2Subnet(
                **_common(), subnet_id=subnet, vpc_id=vpc, cidr_block=f"10.0.{index + 1}.0/24"
            )
        )
        # A third each: NAT, endpoints only (S3 via the gateway), internet gateway.
        kind = index % 3
        routes = [_route("10.0.0.0/16", "local")]
        if kind == 0:
            routes.append(_route("0.0.0.0/0", nat))
        elif kind == 1:
            routes.append({**_route("pl-s3", f"vpce-{vpc_index:06d}-s3"), "family": "prefix-list"})
        else:
            routes.append(_route("0.0.0.0/0", f"igw-{vpc_index:06d}"))
        routes.append(_route("10.50.0.0/16", "tgw-1"))
        records["route_tables"].append(
            Ec2RouteTable(
                **_common(),
                route_table_id=f"rtb-{subnet}",
                vpc_id=vpc,
                routes=routes,
                associations=[{"subnet_id": subnet, "main": False, "state": "associated"}],
            )
        )
    return names


def build(task_count: int) -> Inventory:
    records: dict[str, list[Any]] = {
        key: []
        for key in (
            "vpcs",
            "internet_gateways",
            "subnets",
            "route_tables",
            "nat_gateways",
            "vpc_endpoints",
            "security_groups",
        )
    }
    definitions = [
        EcsTaskDefinition(
            **_common(),
            task_definition_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/app{i}:1",
            family=f"app{i}",
            revision=1,
            execution_role_arn="arn:aws:iam::1:role/exec",
            container_definitions=[
                {
                    "name": "app",
                    "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app{i}:1"
                    if i % 2
                    else "nginx:1",
                    "logConfiguration": {"logDriver": "awslogs", "options": {}},
                    "secrets": [
                        {
                            "name": "S",
                            "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:s{i}",
                        }
                    ],
                }
            ],
        )
        for i in range(10)
    ]
    subnet_count = max(1, task_count // TASKS_PER_SUBNET)
    subnets: list[str] = []
    for vpc_index in range((subnet_count + SUBNETS_PER_VPC - 1) // SUBNETS_PER_VPC):
        wanted = min(SUBNETS_PER_VPC, subnet_count - len(subnets))
        subnets.extend(_network(vpc_index, wanted, records))
    tasks, enis, services = [], [], []
    for index in range(task_count):
        subnet = subnets[index % len(subnets)]
        vpc = "vpc-" + subnet.split("-")[1]
        eni = f"eni-{index:08d}"
        enis.append(
            Ec2NetworkInterface(
                **_common(),
                network_interface_id=eni,
                subnet_id=subnet,
                vpc_id=vpc,
                private_ip=f"10.0.{(index % 250) + 1}.{(index // 250) % 250 + 2}",
                public_ip="54.0.0.1" if index % 2 else None,
                security_group_ids=[f"sg-{vpc[4:]}-task"],
            )
        )
        tasks.append(
            EcsTask(
                **_common(),
                task_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/{index:032x}",
                cluster_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
                task_definition_arn=definitions[index % 10].task_definition_arn,
                last_status="RUNNING",
                launch_type="FARGATE",
                platform_version="1.4.0",
                platform_family="Linux",
                group=f"service:svc{index % 100}",
                eni_id=eni,
                subnet_id=subnet,
            )
        )
    for index in range(task_count // 20):
        services.append(
            EcsService(
                **_common(),
                service_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/svc{index}",
                service_name=f"svc{index}",
                cluster_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
                launch_type="FARGATE",
                platform_version="LATEST",
                task_definition_arn=definitions[index % 10].task_definition_arn,
                subnet_ids=[subnets[index % len(subnets)]],
                security_group_ids=[],
                assign_public_ip="DISABLED",
            )
        )
    scan = Scan(
        id="bench",
        account_id=ACCOUNT,
        regions=[REGION],
        started_at=datetime(2026, 11, 26, tzinfo=UTC),
    )
    outcomes = [
        CollectionOutcome(
            collector=name,
            account_id=ACCOUNT,
            region="global" if name.startswith("iam.") else REGION,
            status="ok",
        )
        for name in sorted(KNOWN_COLLECTORS)
    ]
    # Every subnet has a network ACL: one open default NACL per VPC, as AWS creates it.
    by_vpc: dict[str, list[str]] = {}
    for record in records["subnets"]:
        by_vpc.setdefault(record.vpc_id, []).append(record.subnet_id)
    open_entries = [
        {
            "rule_number": n,
            "egress": e,
            "protocol": "-1",
            "rule_action": a,
            "cidr_block": "0.0.0.0/0",
            "ipv6_cidr_block": None,
            "port_from": None,
            "port_to": None,
            "icmp_type": None,
            "icmp_code": None,
        }
        for e in (True, False)
        for n, a in ((100, "allow"), (32767, "deny"))
    ]
    network_acls = [
        Ec2NetworkAcl(
            **_common(),
            network_acl_id=f"acl-{vpc}",
            vpc_id=vpc,
            is_default=True,
            subnet_ids=ids,
            entries=open_entries,
        )
        for vpc, ids in by_vpc.items()
    ]
    return Inventory(
        scan=scan,
        outcomes=outcomes,
        network_acls=network_acls,
        tasks=tasks,
        network_interfaces=enis,
        services=services,
        task_definitions=definitions,
        prefix_lists=[
            Ec2ManagedPrefixList(**_common(), prefix_list_id="pl-s3", cidrs=["52.216.0.0/15"])
        ],
        **records,
    )


def seconds_per_thousand(task_count: int, repeat: int) -> tuple[float, int]:
    inventory = build(task_count)
    best = float("inf")
    results = 0
    for _ in range(repeat):
        started = time.process_time()
        results = len(evaluate_all(inventory))
        best = min(best, time.process_time() - started)
    return best / task_count * 1000, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    small, small_results = seconds_per_thousand(args.small, args.repeat)
    print(f"{args.small:>6} tasks: {small:.3f} s per 1,000 tasks ({small_results} results)")
    large, large_results = seconds_per_thousand(args.large, args.repeat)
    print(f"{args.large:>6} tasks: {large:.3f} s per 1,000 tasks ({large_results} results)")
    ratio = large / small
    verdict = "ok" if ratio < MAX_RATIO else "TOO SLOW"
    print(f"ratio {ratio:.2f} (limit {MAX_RATIO}): {verdict}")
    return 0 if ratio < MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
