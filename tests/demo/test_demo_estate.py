"""The demo estate holds what its design promises, read back with plain boto3.

One estate is seeded for the module (moto's backends are process-wide, so only one estate can
exist at a time); the last test applies the between-scan changes and reads their effect.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from auditor.demo import DemoEstate, DemoMoto, apply_changes, seed_estate
from auditor.demo.estate import ROLE_NAME, SECOND_ACCOUNT

PROD = "123456789012"
DATA = SECOND_ACCOUNT
US, EU = "us-east-1", "eu-west-1"


@dataclass
class Demo:
    server: DemoMoto
    estate: DemoEstate
    seeded_at: datetime
    credentials: dict[str, dict[str, str]]

    clients: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def client(self, service: str, account: str, region: str = US) -> Any:
        key = (service, account, region)
        if key not in self.clients:
            self.clients[key] = boto3.client(
                service,
                region_name=region,
                endpoint_url=self.server.url,
                **self.credentials[account],
            )
        return self.clients[key]


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with DemoMoto() as server:
        seeded_at = datetime.now(UTC)
        estate = seed_estate(server.url)
        caller = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}
        sts = boto3.client("sts", region_name=US, endpoint_url=server.url, **caller)
        issued = sts.assume_role(
            RoleArn=f"arn:aws:iam::{DATA}:role/{ROLE_NAME}", RoleSessionName="demo-test"
        )["Credentials"]
        assumed = {
            "aws_access_key_id": issued["AccessKeyId"],
            "aws_secret_access_key": issued["SecretAccessKey"],
            "aws_session_token": issued["SessionToken"],
        }
        yield Demo(server, estate, seeded_at, {PROD: caller, DATA: assumed})


def _name(item: dict[str, Any]) -> str:
    return str(next(tag["Value"] for tag in item.get("Tags", []) if tag["Key"] == "Name"))


def _vpc_names(demo: Demo, account: str, region: str) -> dict[str, str]:
    vpcs = demo.client("ec2", account, region).describe_vpcs()["Vpcs"]
    return {vpc["VpcId"]: _name(vpc) for vpc in vpcs if not vpc["IsDefault"]}


def _tasks(demo: Demo, account: str, region: str, status: str = "RUNNING") -> list[dict[str, Any]]:
    ecs = demo.client("ecs", account, region)
    found: list[dict[str, Any]] = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_tasks(cluster=cluster, desiredStatus=status)["taskArns"]
        if arns:
            found += ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return found


def _services(demo: Demo, account: str, region: str) -> list[dict[str, Any]]:
    ecs = demo.client("ecs", account, region)
    found: list[dict[str, Any]] = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        found += ecs.describe_services(cluster=cluster, services=arns)["services"]
    return found


def _eni(demo: Demo, account: str, region: str, task: dict[str, Any]) -> dict[str, Any]:
    attachment = next(a for a in task["attachments"] if a["type"] == "ElasticNetworkInterface")
    eni_id = next(d["value"] for d in attachment["details"] if d["name"] == "networkInterfaceId")
    ec2 = demo.client("ec2", account, region)
    eni: dict[str, Any] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])[
        "NetworkInterfaces"
    ][0]
    return eni


def _family(task: dict[str, Any]) -> str:
    return str(task["taskDefinitionArn"].rsplit("/", 1)[-1].split(":")[0])


SITES = [(PROD, US), (PROD, EU), (DATA, US), (DATA, EU)]


def test_vpcs_by_account_and_region(demo: Demo) -> None:
    assert {site: set(_vpc_names(demo, *site).values()) for site in SITES} == {
        (PROD, US): {"payments", "identity"},
        (PROD, EU): {"internal-services", "reporting", "analytics-sandbox"},
        (DATA, US): {
            "data-pipeline",
            "shared-egress",
            "analytics-reports",
            "analytics-batch",
            "inspected-egress",
        },
        (DATA, EU): {"edge"},
    }


def test_more_than_thirty_running_fargate_tasks_with_start_times(demo: Demo) -> None:
    per_site = {site: _tasks(demo, *site) for site in SITES}
    assert {site: len(tasks) for site, tasks in per_site.items()} == {
        (PROD, US): 29,
        (PROD, EU): 11,
        (DATA, US): 10,
        (DATA, EU): 3,
    }
    everything = [task for tasks in per_site.values() for task in tasks]
    assert demo.estate.running_tasks == len(everything) == 53
    assert {(task.get("launchType") or task["capacityProviderName"]) for task in everything} == {
        "FARGATE",
        "FARGATE_SPOT",
    }
    assert {task["lastStatus"] for task in everything} == {"RUNNING"}
    assert all(task["startedAt"] < demo.seeded_at for task in everything)
    assert {task["platformFamily"] for task in everything} == {"Linux"}
    spot = Counter(
        _family(t) for t in everything if t.get("capacityProviderName") == "FARGATE_SPOT"
    )
    assert spot == {"ledger-sync": 2, "ingest-worker": 4}


def test_task_addresses_lie_in_their_subnets(demo: Demo) -> None:
    outside: list[str] = []
    seen: set[str] = set()
    for site in SITES:
        ec2 = demo.client("ec2", *site)
        cidrs = {s["SubnetId"]: s["CidrBlock"] for s in ec2.describe_subnets()["Subnets"]}
        for task in _tasks(demo, *site):
            eni = _eni(demo, *site, task)
            attachment = next(
                a for a in task["attachments"] if a["type"] == "ElasticNetworkInterface"
            )
            details = {d["name"]: d["value"] for d in attachment["details"]}
            address = eni["PrivateIpAddress"]
            assert details["privateIPv4Address"] == address
            assert details["privateDnsName"] == eni["PrivateDnsName"]
            if ipaddress.ip_address(address) not in ipaddress.ip_network(cidrs[eni["SubnetId"]]):
                outside.append(address)
            seen.add(address)
    assert outside == []
    assert len(seen) == 53


def test_second_account_is_reached_by_assume_role(demo: Demo) -> None:
    identity = demo.client("sts", DATA).get_caller_identity()
    assert identity["Account"] == DATA
    assert identity["Arn"].startswith(f"arn:aws:sts::{DATA}:assumed-role/{ROLE_NAME}/")
    assert demo.client("sts", PROD).get_caller_identity()["Account"] == PROD
    assert demo.estate.accounts == [PROD, DATA]
    assert demo.estate.regions == [US, EU]


def test_service_linked_role_only_in_the_first_account(demo: Demo) -> None:
    def roles(account: str) -> dict[str, str]:
        listed = demo.client("iam", account).list_roles()["Roles"]
        return {role["RoleName"]: role["Path"] for role in listed}

    assert roles(PROD) == {
        "ecsTaskExecutionRole": "/",
        "AWSServiceRoleForECS": "/aws-service-role/ecs.amazonaws.com/",
    }
    assert roles(DATA) == {ROLE_NAME: "/", "ecsTaskExecutionRole": "/"}


def test_endpoint_designs(demo: Demo) -> None:
    designs: dict[str, set[tuple[str, str, bool]]] = {}
    for region in (US, EU):
        names = _vpc_names(demo, PROD, region)
        ec2 = demo.client("ec2", PROD, region)
        for endpoint in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
            short = endpoint["ServiceName"].removeprefix(f"com.amazonaws.{region}.")
            designs.setdefault(names[endpoint["VpcId"]], set()).add(
                (short, endpoint["VpcEndpointType"], endpoint.get("PrivateDnsEnabled", False))
            )
    interfaces = {"ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"}
    assert designs == {
        "internal-services": {(s, "Interface", True) for s in interfaces}
        | {("s3", "Gateway", False)},
        "reporting": {("ecr.dkr", "Interface", True), ("logs", "Interface", True)}
        | {("s3", "Gateway", False)},
        "analytics-sandbox": {("ecr.api", "Interface", True), ("ecr.dkr", "Interface", True)},
    }


def test_dns_attributes_and_flow_logs(demo: Demo) -> None:
    hostnames_off: set[str] = set()
    flow_logged: set[tuple[str, str]] = set()
    for site in SITES:
        ec2 = demo.client("ec2", *site)
        names = _vpc_names(demo, *site)
        for vpc_id, name in names.items():
            for attribute in ("enableDnsSupport", "enableDnsHostnames"):
                answer = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
                key = attribute[0].upper() + attribute[1:]
                if not answer[key]["Value"]:
                    hostnames_off.add(f"{name}:{attribute}")
        subnets = {
            s["SubnetId"]: _name(s) for s in ec2.describe_subnets()["Subnets"] if s.get("Tags")
        }
        for flow_log in ec2.describe_flow_logs()["FlowLogs"]:
            assert flow_log["DeliverLogsStatus"] == "SUCCESS"
            resource = flow_log["ResourceId"]
            flow_logged.add(
                ("vpc", names[resource]) if resource in names else ("subnet", subnets[resource])
            )
    assert hostnames_off == {"data-pipeline:enableDnsHostnames"}
    assert flow_logged == {
        ("vpc", "payments"),
        ("vpc", "identity"),
        ("vpc", "internal-services"),
        ("vpc", "edge"),
        ("subnet", "reporting-a"),
    }


def test_routes_to_gateways_with_small_mtu(demo: Demo) -> None:
    found: set[tuple[str, str, str]] = set()
    for site in [(PROD, US), (DATA, US)]:
        for table in demo.client("ec2", *site).describe_route_tables()["RouteTables"]:
            for route in table["Routes"]:
                target = route.get("TransitGatewayId") or route.get("GatewayId", "")
                if target.startswith(("tgw-", "vgw-")):
                    found.add((_name(table), route["DestinationCidrBlock"], target[:4]))
    assert found == {
        ("payments-app-a", "10.200.0.0/16", "tgw-"),
        ("payments-app-b", "10.200.0.0/16", "tgw-"),
        ("data-pipeline-private", "172.16.0.0/12", "vgw-"),
        # Central egress through analytics-hub, and the return routes in shared-egress.
        ("analytics-reports-tasks", "0.0.0.0/0", "tgw-"),
        ("analytics-batch-tasks", "0.0.0.0/0", "tgw-"),
        ("shared-egress-public", "10.71.0.0/16", "tgw-"),
        ("shared-egress-public", "10.72.0.0/16", "tgw-"),
    }


def test_dualstack_account_setting_and_task_ipv6(demo: Demo) -> None:
    def setting(account: str, region: str) -> list[str]:
        ecs = demo.client("ecs", account, region)
        answer = ecs.list_account_settings(name="dualStackIPv6", effectiveSettings=True)
        return [s["value"] for s in answer["settings"]]

    assert {site: setting(*site) for site in SITES} == {
        (PROD, US): ["enabled"],
        (PROD, EU): [],
        (DATA, US): [],
        (DATA, EU): ["disabled"],
    }
    with_ipv6: Counter[str] = Counter()
    without_ipv6: Counter[str] = Counter()
    for site in [(PROD, US), (DATA, EU)]:
        ipv6_subnets = {
            s["SubnetId"]
            for s in demo.client("ec2", *site).describe_subnets()["Subnets"]
            if s["AssignIpv6AddressOnCreation"] and s["Ipv6CidrBlockAssociationSet"]
        }
        for task in _tasks(demo, *site):
            eni = _eni(demo, *site, task)
            if eni["SubnetId"] in ipv6_subnets:
                counter = with_ipv6 if eni["Ipv6Addresses"] else without_ipv6
                counter[f"{_family(task)}@{task['platformVersion']}"] += 1
    assert with_ipv6 == {"identity-api@1.4.0": 3}
    assert without_ipv6 == {"identity-session-cleanup@1.3.0": 1, "edge-proxy@1.4.0": 3}


def test_public_ips_only_where_assign_public_ip_is_enabled(demo: Demo) -> None:
    public: Counter[str] = Counter()
    for site in SITES:
        for task in _tasks(demo, *site):
            if "Association" in _eni(demo, *site, task):
                public[_family(task)] += 1
    assert public == {"storefront-web": 4}
    services = {s["serviceName"]: s for s in _services(demo, PROD, US)}
    assert (
        services["storefront-web"]["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"]
        == "ENABLED"
    )
    promo = services["promo-banner"]["networkConfiguration"]["awsvpcConfiguration"]
    assert promo["assignPublicIp"] == "DISABLED"
    public_subnets = {
        s["SubnetId"]
        for s in demo.client("ec2", PROD).describe_subnets()["Subnets"]
        if s.get("Tags") and _name(s).startswith("payments-public-")
    }
    assert set(promo["subnets"]) == public_subnets


def test_services_platforms_and_load_balancers(demo: Demo) -> None:
    described: dict[str, tuple[str, int, int, str]] = {}
    for site in SITES:
        for service in _services(demo, *site):
            lbs = service["loadBalancers"]
            kind = "none"
            if lbs and "loadBalancerName" in lbs[0]:
                kind = "classic"
            elif lbs:
                elbv2 = demo.client("elbv2", *site)
                group = elbv2.describe_target_groups(TargetGroupArns=[lbs[0]["targetGroupArn"]])
                kind = group["TargetGroups"][0]["TargetType"]
            described[service["serviceName"]] = (
                service["platformVersion"],
                service["desiredCount"],
                service["runningCount"],
                kind,
            )
    assert described == {
        "payments-api": ("1.4.0", 6, 6, "ip"),
        "storefront-web": ("1.4.0", 4, 4, "ip"),
        "promo-banner": ("1.4.0", 2, 2, "none"),
        "checkout-worker": ("1.3.0", 3, 3, "instance"),
        "ledger-sync": ("1.4.0", 2, 2, "classic"),
        "fraud-model": ("1.4.0", 2, 2, "none"),
        "document-store": ("1.4.0", 2, 2, "none"),
        "statement-renderer": ("1.4.0", 2, 2, "none"),
        "event-forwarder": ("1.4.0", 1, 1, "none"),
        "audit-shipper": ("1.4.0", 1, 1, "none"),
        "identity-api": ("1.4.0", 3, 3, "none"),
        "ledger-core": ("1.4.0", 4, 4, "none"),
        "fx-rates": ("1.4.0", 2, 2, "none"),
        "reporting-api": ("1.4.0", 2, 2, "none"),
        "notebook-runner": ("1.4.0", 2, 2, "none"),
        "ingest-worker": ("1.4.0", 4, 4, "none"),
        "etl-scheduler": ("1.4.0", 2, 2, "none"),
        "edge-proxy": ("1.4.0", 3, 3, "none"),
        "analytics-reports-job": ("1.4.0", 1, 1, "none"),
        "analytics-batch-job": ("1.4.0", 1, 1, "none"),
        "inventory-sync": ("1.4.0", 1, 1, "none"),
        "geo-enricher": ("1.4.0", 1, 1, "none"),
    }
    legacy_tasks = {
        _family(task)
        for site in SITES
        for task in _tasks(demo, *site)
        if task["platformVersion"] == "1.3.0"
    }
    assert legacy_tasks == {"checkout-worker", "identity-session-cleanup", "reporting-export"}


def test_task_definitions(demo: Demo) -> None:
    kinds: dict[str, str] = {}
    without_execution_role: set[str] = set()
    without_task_role: set[str] = set()
    with_secrets: dict[str, set[str]] = {}
    log_drivers: dict[str, str] = {}
    efs_volumes: dict[str, list[str]] = {}
    for site in SITES:
        ecs = demo.client("ecs", *site)
        for arn in ecs.list_task_definitions()["taskDefinitionArns"]:
            definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            container, *routers = definition["containerDefinitions"]
            assert [r["firelensConfiguration"]["type"] for r in routers] in ([], ["fluentbit"])
            if "taskRoleArn" not in definition:
                without_task_role.add(definition["family"])
            efs = [
                v["name"] for v in definition.get("volumes", []) if "efsVolumeConfiguration" in v
            ]
            if efs:
                efs_volumes[definition["family"]] = efs
            image: str = container["image"]
            registry = image.split("/", maxsplit=1)[0] if "/" in image else ""
            if ".dkr.ecr." in registry:
                region = registry.split(".")[3]
                kinds[definition["family"]] = "ecr" if region == site[1] else f"ecr:{region}"
            elif "." in registry:
                kinds[definition["family"]] = registry
            else:
                kinds[definition["family"]] = "docker-hub"
            log_drivers[definition["family"]] = container["logConfiguration"]["logDriver"]
            if "executionRoleArn" not in definition:
                without_execution_role.add(definition["family"])
            sources = {s["valueFrom"].split(":")[2] for s in container.get("secrets", [])}
            if "repositoryCredentials" in container:
                sources.add("repositoryCredentials")
            if sources:
                with_secrets[definition["family"]] = sources
    assert without_execution_role == {"etl-scheduler"}
    assert without_task_role == {"audit-shipper"}
    assert {f for f, driver in log_drivers.items() if driver != "awslogs"} == {
        "event-forwarder",
        "audit-shipper",
    }
    assert set(log_drivers.values()) == {"awslogs", "awsfirelens"}
    assert efs_volumes == {"document-store": ["uploads"], "statement-renderer": ["statements"]}
    assert with_secrets == {
        "payments-api": {"secretsmanager", "ssm"},
        "fraud-model": {"repositoryCredentials"},
        "identity-api": {"ssm"},
        "ledger-core": {"secretsmanager", "ssm"},
        "reporting-api": {"secretsmanager"},
    }
    assert kinds == {
        "payments-api": "ecr",
        "storefront-web": "docker-hub",
        "promo-banner": "public.ecr.aws",
        "checkout-worker": "ecr",
        "ledger-sync": "ecr",
        "fraud-model": "ghcr.io",
        "document-store": "ecr",
        "statement-renderer": "ecr",
        "event-forwarder": "ecr",
        "audit-shipper": "ecr",
        "identity-api": "ecr",
        "identity-session-cleanup": "ecr",
        "ledger-core": "ecr",
        "fx-rates": "ecr:us-east-1",
        "reporting-api": "ecr",
        "reporting-export": "ecr",
        "notebook-runner": "ecr",
        "ingest-worker": "ecr",
        "analytics-reports-job": "ecr",
        "analytics-batch-job": "ecr",
        "inventory-sync": "ecr",
        "geo-enricher": "docker-hub",
        "etl-scheduler": "docker-hub",
        "edge-proxy": "public.ecr.aws",
    }


def test_efs_file_systems_and_mount_targets(demo: Demo) -> None:
    efs = demo.client("efs", PROD, US)
    ec2 = demo.client("ec2", PROD, US)
    zones = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe_subnets()["Subnets"]}
    names = {f["Name"]: f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]}
    assert set(names) == {"payments-documents", "payments-statements"}
    target_zones = {
        name: sorted(
            zones[t["SubnetId"]]
            for t in efs.describe_mount_targets(FileSystemId=fs)["MountTargets"]
        )
        for name, fs in names.items()
    }
    assert target_zones == {
        "payments-documents": ["us-east-1a", "us-east-1b"],
        "payments-statements": ["us-east-1a"],
    }
    (point,) = efs.describe_access_points(FileSystemId=names["payments-documents"])["AccessPoints"]
    assert point["RootDirectory"]["Path"] == "/uploads"
    renderer_zones = sorted(
        zones[_eni(demo, PROD, US, task)["SubnetId"]]
        for task in _tasks(demo, PROD, US)
        if _family(task) == "statement-renderer"
    )
    assert renderer_zones == ["us-east-1a", "us-east-1b"]


def test_stopped_tasks(demo: Demo) -> None:
    stopped = {
        (_family(task), task["stoppedReason"].split(":")[0], task["stopCode"])
        for site in SITES
        for task in _tasks(demo, *site, status="STOPPED")
    }
    assert stopped == {
        ("payments-api", "Scaling activity initiated by (deployment ecs-svc/5830193349201348211)",
         "ServiceSchedulerInitiated"),
        ("promo-banner", "CannotPullContainerError", "TaskFailedToStart"),
        ("reporting-api", "ResourceInitializationError", "TaskFailedToStart"),
        ("etl-scheduler", "Essential container in task exited", "EssentialContainerExited"),
    }  # fmt: skip


def test_description_names_every_site(demo: Demo) -> None:
    lines = demo.estate.description()
    assert lines[0] == (
        "Demo estate: 2 accounts, 2 regions, 53 running Fargate tasks (moto, in-process)."
    )
    assert len(lines) == 5
    assert all(account in "\n".join(lines) for account in (PROD, DATA))


# Last: this test changes the module's estate.
def test_zz_apply_changes(demo: Demo) -> None:
    internal = next(
        vpc_id for vpc_id, name in _vpc_names(demo, PROD, EU).items() if name == "internal-services"
    )
    ec2_eu = demo.client("ec2", PROD, EU)
    before = ec2_eu.describe_vpcs(VpcIds=[internal])["Vpcs"][0]["DhcpOptionsId"]
    running_before = {task["taskArn"] for task in _tasks(demo, PROD, EU)}
    changed_at = datetime.now(UTC)

    changes = apply_changes(demo.server.url, demo.estate)

    assert len(changes) == 3
    after = ec2_eu.describe_vpcs(VpcIds=[internal])["Vpcs"][0]["DhcpOptionsId"]
    assert after != before
    assert after in changes[0]
    (new_task,) = [t for t in _tasks(demo, PROD, EU) if t["taskArn"] not in running_before]
    assert new_task["group"] == "service:ledger-core"
    assert new_task["startedAt"] >= changed_at
    assert _eni(demo, PROD, EU, new_task)["VpcId"] == internal

    nats = demo.client("ec2", PROD, US).describe_nat_gateways()["NatGateways"]
    assert {(_name(nat), nat["State"]) for nat in nats} == {
        ("payments-nat-a", "available"),
        ("payments-nat-b", "deleted"),
        ("identity-nat-a", "available"),
    }
    spot_stopped = [
        t
        for t in _tasks(demo, DATA, US, status="STOPPED")
        if t.get("stopCode") == "SpotInterruption"
    ]
    assert [_family(t) for t in spot_stopped] == ["ingest-worker"]
    assert len(_tasks(demo, DATA, US)) == 9
